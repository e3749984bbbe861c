// `brigade run`: parses the job's parameters and the run settings, runs through a RunController, prints.
#include "runcommand.h"

#include "clioutput.h"
#include "terminalprogress.h"

#include "core/engine/runcontroller.h"
#include "core/jobs/registry.h"
#include "core/run/resultkind.h"
#include "core/run/runsettings.h"
#include "core/store/history.h"
#include "core/store/runjournal.h"

#include <QCborArray>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

// Ctrl-C and SIGTERM reach the event loop through a pipe: the first cancels cleanly, a second one kills.
int g_signalPipe[2] = {-1, -1};
std::atomic_int g_signals{0}; // lock-free, so safe in a signal handler

void onSignal(int sig)
{
    if (++g_signals > 1) {
        ::signal(sig, SIG_DFL);
        ::raise(sig);
        return;
    }
    const char byte = char(sig);
    [[maybe_unused]] auto r = ::write(g_signalPipe[1], &byte, 1);
}

void installInterruptHandlers()
{
    if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
        return;
    struct sigaction sa {
    };
    sa.sa_handler = onSignal;
    ::sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
}

const QString JsonFlag = u"json"_s;
const QString QuietFlag = u"quiet"_s;
const QString LogFlag = u"log"_s;
const QString JoblogFlag = u"joblog"_s;
const QString NoJournalFlag = u"no-journal"_s;

QString formatValue(const QCborValue &v)
{
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 10);
    if (v.isNull())
        return u"-"_s;
    if (v.isArray()) { // e.g. an image's brightness histogram
        QStringList items;
        for (const QCborValue &item : v.toArray())
            items << formatValue(item);
        return items.join(u',');
    }
    return v.toVariant().toString();
}

// The result a user asked for, one line per value (or per row of a table of rows).
void printResult(const RunOutcome &o)
{
    for (auto it = o.result.constBegin(); it != o.result.constEnd(); ++it) {
        if (it.key().toString() == resultKindKey())
            continue; // the result's shape, for the JSON and the window
        if (it.value().isArray()) {
            for (const QCborValue &row : it.value().toArray()) {
                QStringList cells;
                const QCborMap m = row.toMap();
                for (auto c = m.constBegin(); c != m.constEnd(); ++c)
                    cells << c.key().toString() + u'=' + formatValue(c.value());
                out(u"  "_s + cells.join(u"  "_s) + u'\n');
            }
        } else {
            out(u"  "_s + it.key().toString() + u": "_s + formatValue(it.value()) + u'\n');
        }
    }
}

int exitCodeOf(const Failure &failure)
{
    switch (failure.code) {
    case FailureCode::Usage:
        return exitcode::Usage;
    case FailureCode::Input:
        return exitcode::Input;
    case FailureCode::Output:
        return exitcode::Output;
    case FailureCode::Protocol:
    case FailureCode::System:
        break;
    }
    return exitcode::TaskFailed;
}

bool isParam(const Job &job, const QString &name, ParamType *type = nullptr)
{
    for (const ParamSpec &p : job.params())
        if (p.name == name) {
            if (type)
                *type = p.type;
            return true;
        }
    return false;
}

// The options of `brigade run JOB`: its parameters (a parameter shadows a run setting of its name),
// the run settings, --json and --quiet.
void addRunOptions(QCommandLineParser &parser, const Job &job)
{
    parser.addOption({JsonFlag, u"print the outcome as one JSON object"_s});
    parser.addOption({QuietFlag, u"no progress bar and no chatter; the result is still printed"_s});
    parser.addOption(
        {LogFlag, u"write every line the workers print to stderr to FILE, tagged with its pid"_s, u"FILE"_s});
    parser.addOption({JoblogFlag, u"write GNU parallel's joblog of the tasks to FILE"_s, u"FILE"_s});
    parser.addOption({NoJournalFlag, u"keep no run journal (the run cannot be resumed)"_s});
    for (const ParamSpec &p : job.params())
        parser.addOption({p.name, p.help, paramTypeName(p.type).toUpper()});
    for (const RunSettingSpec &s : runSettingSpecs()) {
        if (isParam(job, s.name))
            continue;
        if (s.type == SettingType::Bool) {
            parser.addOption({s.name, s.help});
            if (!s.negation.isEmpty())
                parser.addOption({s.negation, s.help});
        } else {
            parser.addOption({s.name, s.help, s.valueName.isEmpty() ? s.choices.join(u'|') : s.valueName});
        }
    }
}

// A boolean parameter given alone (--grayscale, then nothing or another flag) means true.
QStringList withBooleanValues(const Job &job, const QStringList &args)
{
    QStringList given;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        ParamType type = ParamType::Int;
        if (a.startsWith(u"--"_s) && !a.contains(u'=') && isParam(job, a.mid(2), &type) &&
            type == ParamType::Bool && (i + 1 >= args.size() || args[i + 1].startsWith(u"--"_s)))
            given << a + u"=true"_s;
        else
            given << a;
    }
    return given;
}

} // namespace

QString jobSignature(const Job &job)
{
    QString line = u"  "_s + job.name().leftJustified(14) + u' ' + job.summary() + u'\n';
    switch (job.input()) {
    case InputUse::None:
        if (job.inputOptional())
            line += u"      [--input PATH]\n"_s;
        break;
    case InputUse::Read:
    case InputUse::ReadWrite:
        line += u"      --input PATH"_s +
                (job.acceptsGeneratedRows()
                     ? u"\n      | --rows N [--cols C] [--distribution %1] [--seed S]"_s.arg(
                           enumNames(DistributionNames).join(u'|'))
                     : QString()) +
                u"\n"_s;
        break;
    }
    for (const ParamSpec &p : job.params()) {
        line += u"      --"_s + p.name + u' ' + paramTypeName(p.type).toUpper();
        if (!p.choices.isEmpty())
            line += u" {"_s + p.choices.join(u'|') + u'}';
        line += u"  "_s + p.help;
        if (p.defaultValue.isValid() && !p.defaultValue.toString().isEmpty())
            line += u" (default "_s + p.defaultValue.toString() + u')';
        line += u'\n';
    }
    return line;
}

QString runCommandHelp()
{
    return u"Run settings (brigade run JOB ...):\n"_s + runSettingsHelp() + u"  --"_s +
           JsonFlag.leftJustified(32) + u" print the outcome as one JSON object\n"_s + u"  --"_s +
           QuietFlag.leftJustified(32) + u" no progress bar and no chatter; the result is still printed\n"_s +
           u"  --"_s + QString(LogFlag + u" FILE"_s).leftJustified(32) +
           u" every line the workers print to stderr, tagged with its pid\n"_s + u"  --"_s +
           QString(JoblogFlag + u" FILE"_s).leftJustified(32) +
           u" GNU parallel's joblog: a line per task (Seq, Host, Starttime, JobRuntime, ...)\n"_s +
           u"  --"_s + NoJournalFlag.leftJustified(32) +
           u" keep no run journal (the run cannot be resumed)\n"_s +
           u"  brigade run --resume [RUN_ID|last]  continue an interrupted run from its journal (with --json,\n"_s +
           u"                                     --quiet, --log, --joblog)\n"_s +
           u"  --PARAM VALUE                      the job's parameters (see `brigade jobs`)\n"_s;
}

namespace {

// Runs the request through a RunController with the terminal bar, Ctrl-C handling and the printing.
int execute(const Job &job, const RunRequest &request, const QCommandLineParser &parser);

// `brigade run --resume [RUN_ID|last] [--json] [--quiet] [--log FILE] [--joblog FILE]`.
int resumeCommand(const QStringList &args)
{
    QStringList rest = args;
    QString which = u"last"_s;
    if (rest.first().startsWith(u"--resume="_s)) {
        which = rest.takeFirst().mid(9);
    } else {
        rest.removeFirst();
        if (!rest.isEmpty() && !rest.first().startsWith(u'-'))
            which = rest.takeFirst();
    }
    QCommandLineParser parser;
    parser.addOption({JsonFlag, u"print the outcome as one JSON object"_s});
    parser.addOption({QuietFlag, u"no progress bar and no chatter"_s});
    parser.addOption({LogFlag, u"the workers' stderr"_s, u"FILE"_s});
    parser.addOption({JoblogFlag, u"GNU parallel's joblog"_s, u"FILE"_s});
    if (auto code = parseOptions(parser, rest, u"--resume"_s))
        return *code;
    if (const QStringList extra = parser.positionalArguments(); !extra.isEmpty())
        return usageError(extra.first() + u": unexpected argument (a resumed run is the run it continues: "
                                          u"its job, input and settings come from its journal)"_s);
    const QStringList journals = RunJournal::list();
    QString path;
    if (which == u"last"_s) {
        if (journals.isEmpty())
            return usageError(u"--resume: no interrupted run to resume (journals are kept in %1)"_s.arg(
                RunJournal::defaultDirectory()));
        path = journals.first();
    } else {
        if (which.isEmpty() || which.contains(u'/') || which.startsWith(u'.'))
            return usageError(u"--resume: \"%1\" is not a run id"_s.arg(which));
        path = RunJournal::pathOf(RunJournal::defaultDirectory(), which);
        if (!QFileInfo::exists(path)) {
            QStringList ids;
            for (const QString &j : journals.mid(0, 5))
                ids << QFileInfo(j).completeBaseName();
            return usageError(u"--resume: no interrupted run %1 (it finished, or never started); %2"_s.arg(
                which, ids.isEmpty() ? u"none can be resumed"_s : u"can be resumed: "_s + ids.join(u", "_s)));
        }
    }
    auto contents = RunJournal::read(path);
    if (!contents) {
        err(u"brigade: "_s + contents.failure().describe() + u'\n');
        return exitcode::Input;
    }
    RunRequest request = requestFromCbor(contents->header.request);
    request.resumeJournal = path;
    const Job *job = findJob(request.job);
    if (!job)
        return usageError(u"--resume: run %1 ran job \"%2\", which this Brigade does not have"_s.arg(
            contents->header.id, request.job));
    if (parser.isSet(JoblogFlag))
        request.joblog = parser.value(JoblogFlag);
    if (!parser.isSet(QuietFlag) && !parser.isSet(JsonFlag))
        err(u"brigade: resuming run %1 (%2, %3 of %4 items journalled)\n"_s
                .arg(contents->header.id, request.job)
                .arg([&] {
                    qint64 n = 0;
                    for (const auto &part : contents->parts)
                        n += part.end - part.begin;
                    return n;
                }())
                .arg(contents->header.items));
    return execute(*job, request, parser);
}

} // namespace

int runCommand(const QStringList &args)
{
    if (!args.isEmpty() && (args.first() == u"--resume"_s || args.first().startsWith(u"--resume="_s)))
        return resumeCommand(args);
    if (args.isEmpty() || args.first().startsWith(u'-'))
        return usageError(u"run: name a job (see `brigade jobs`)"_s);
    RunRequest request;
    request.job = args.first();
    const Job *job = findJob(request.job);
    if (!job)
        return usageError(u"unknown job \"%1\" (see `brigade jobs`)"_s.arg(request.job));

    QCommandLineParser parser;
    addRunOptions(parser, *job);
    if (auto code =
            parseOptions(parser, withBooleanValues(*job, args.mid(1)), u"job \"%1\""_s.arg(job->name())))
        return *code;
    if (const QStringList extra = parser.positionalArguments(); !extra.isEmpty())
        return usageError(extra.first() + u": unexpected argument"_s);
    // In the order given, so that a later flag overrides an earlier one (--ordered ... --unordered).
    QHash<QString, qsizetype> seen;
    for (const QString &name : parser.optionNames()) {
        if (name == JsonFlag || name == QuietFlag || name == LogFlag)
            continue;
        if (name == JoblogFlag) {
            request.joblog = parser.value(JoblogFlag);
            continue;
        }
        if (name == NoJournalFlag) {
            request.journal = false;
            continue;
        }
        const QStringList values = parser.values(name);
        const QString value = values.value(seen[name]++);
        if (isParam(*job, name)) {
            request.params.insert(name, value);
            continue;
        }
        for (const RunSettingSpec &s : runSettingSpecs()) {
            if (s.type == SettingType::Bool && (name == s.name || name == s.negation)) {
                s.write(request, name == s.name);
            } else if (name == s.name) {
                auto parsed = parseRunSetting(s, value);
                if (!parsed)
                    return usageError(parsed.failure().message);
                s.write(request, *parsed);
            }
        }
    }

    return execute(*job, request, parser);
}

namespace {

int execute(const Job &jobRef, const RunRequest &request, const QCommandLineParser &parser)
{
    const Job *job = &jobRef;
    const bool json = parser.isSet(JsonFlag);
    const bool quiet = parser.isSet(QuietFlag);
    // The workers' stderr log: opened before the run, so that a path that cannot be written stops it.
    QFile log;
    if (parser.isSet(LogFlag)) {
        log.setFileName(parser.value(LogFlag));
        if (!log.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
            err(u"brigade: %1: cannot write the log: %2\n"_s.arg(log.fileName(), log.errorString()));
            return exitcode::Output;
        }
    }

    installInterruptHandlers();
    RunController controller(u"cli"_s);
    TerminalProgress bar;
    const bool showBar = !quiet && ::isatty(STDERR_FILENO);
    QObject::connect(&controller, &RunController::runStarted, &controller, [&](JobRun *run) {
        QObject::connect(run, &JobRun::progressed, run, [&](const ProgressSnapshot &s) {
            if (showBar)
                bar.show(s);
        });
        if (log.isOpen())
            QObject::connect(run, &JobRun::workerLogLine, run, [&log](qint64 pid, const QString &line) {
                log.write(QString(QString::number(pid) + u'\t' + line + u'\n').toUtf8());
                log.flush();
            });
    });
    QObject::connect(&controller, &RunController::historyFailed, &controller, [](const Failure &failure) {
        err(u"brigade: warning: the run is not in the history: "_s + failure.describe() + u'\n');
    });
    QObject::connect(&controller, &RunController::runFinished, &controller,
                     [] { QCoreApplication::exit(0); });
    bool interrupted = false;
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &controller, [&] {
        char byte;
        while (::read(g_signalPipe[0], &byte, 1) > 0) {
        }
        interrupted = true;
        if (showBar)
            bar.clear();
        if (!quiet)
            err(u"brigade: interrupted, cancelling (press Ctrl-C again to kill)\n"_s);
        controller.cancel();
    });
    if (auto valid = controller.submit(request); !valid)
        return usageError(valid.failure().message);
    QCoreApplication::exec();
    if (showBar)
        bar.clear();

    const RunOutcome &o = controller.currentRun()->outcome();
    // Input files the reader skipped (an image folder's corrupt ones) are named on stderr in every mode.
    for (const QCborValue &skipped : o.result.value(u"skipped"_s).toArray())
        err(u"brigade: skipped %1: %2\n"_s.arg(skipped[u"file"_s].toString(),
                                               skipped[u"reason"_s].toString()));
    if (json)
        out(QString::fromUtf8(
                QJsonDocument(o.toCbor(job->name()).toJsonObject()).toJson(QJsonDocument::Compact)) +
            u'\n');
    for (const QString &warning : o.warnings)
        err(u"brigade: warning: "_s + warning + u'\n');
    if (o.journalKept && !quiet && !json)
        err(u"brigade: run %1 can be resumed: brigade run --resume %1\n"_s.arg(o.journalId));
    if (o.failure) {
        err(u"brigade: "_s + o.failure->describe() + u'\n');
        return exitCodeOf(*o.failure);
    }
    if (!json) {
        if (!quiet) // the summary line is chatter; the result below is what was asked for
            out(u"%1: %2 in %3 s with %4 workers, %5 tasks\n"_s.arg(job->name(), runStatusName(o.status))
                    .arg(o.elapsedSeconds, 0, 'f', 3)
                    .arg(o.workers)
                    .arg(o.tasks));
        printResult(o);
        for (const ErrorReport &e : o.errors)
            err(u"error: "_s + e.summary() + u'\n');
    }
    if (interrupted || o.status == RunStatus::Cancelled)
        return exitcode::Interrupted;
    if (o.status == RunStatus::Failed) {
        err(u"brigade: %1 task(s) failed\n"_s.arg(o.failedTasks));
        return exitcode::TaskFailed;
    }
    return exitcode::Ok;
}

} // namespace

} // namespace brigade
