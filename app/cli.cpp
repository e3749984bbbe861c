#include "cli.h"

#include "terminalprogress.h"

#include "core/data/dataset.h"
#include "core/data/inspect.h"
#include "core/data/segmentregistry.h"
#include "core/engine/jobrun.h"
#include "core/engine/streaming.h"
#include "core/jobs/registry.h"
#include "core/store/history.h"

#include <QCborArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

void out(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
}
void err(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stderr);
}

int usageError(const QString &message)
{
    err(u"brigade: "_s + message + u"\n(see `brigade --help`)\n"_s);
    return exitcode::Usage;
}

const QString HelpText = uR"(Brigade — run analysis jobs over a pool of worker processes.

Usage:
  brigade [FILE]                 open the window (with FILE as the dataset)
  brigade --version
  brigade jobs [--json]          list the jobs and their parameters
  brigade run JOB [--input PATH | --rows N [--cols C] [--distribution range|uniform|normal]
                  [--seed S]] [--output PATH] [--workers N]
                  [--chunk-size N|auto] [--ordered|--unordered] [--retries N]
                  [--timeout SECONDS] [--halt never|soon|now]
                  [--max-tasks-per-worker N] [--on-bad-row error|skip]
                  [--memory-limit SIZE (512M, 2G: a CSV that would not fit is streamed)]
                  [--json] [--quiet] [--PARAM VALUE ...]
  brigade inspect PATH [--json]  what a dataset holds and what a run over it needs
  brigade cleanup [--dry-run]    remove shared memory left by crashed runs

Exit codes: 0 ok; 1 a task failed; 2 usage error; 3 input error; 4 output error; 130 interrupted.
)"_s;

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
                     ? u"\n      | --rows N [--cols C] [--distribution range|uniform|normal] [--seed S]"_s
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

int listJobs(const QStringList &args)
{
    const bool json = args.contains(u"--json"_s);
    for (const QString &a : args)
        if (a != u"--json"_s)
            return usageError(a + u": unknown flag for `brigade jobs`"_s);
    if (!json) {
        out(u"Jobs:\n"_s);
        for (const Job *job : allJobs())
            out(jobSignature(*job));
        return exitcode::Ok;
    }
    QJsonArray jobs;
    for (const Job *job : allJobs()) {
        QJsonArray params;
        for (const ParamSpec &p : job->params()) {
            QJsonObject param{{u"name"_s, p.name},
                              {u"type"_s, paramTypeName(p.type)},
                              {u"default"_s, QJsonValue::fromVariant(p.defaultValue)},
                              {u"help"_s, p.help}};
            if (p.minimum.isValid())
                param.insert(u"minimum"_s, QJsonValue::fromVariant(p.minimum));
            if (p.maximum.isValid())
                param.insert(u"maximum"_s, QJsonValue::fromVariant(p.maximum));
            if (!p.choices.isEmpty())
                param.insert(u"choices"_s, QJsonArray::fromStringList(p.choices));
            params.append(param);
        }
        static const char *const inputNames[] = {"none", "read", "read-write"};
        jobs.append(QJsonObject{{u"name"_s, job->name()},
                                {u"summary"_s, job->summary()},
                                {u"input"_s, QLatin1StringView(inputNames[int(job->input())])},
                                {u"params"_s, params}});
    }
    out(QString::fromUtf8(QJsonDocument(jobs).toJson(QJsonDocument::Compact)) + u'\n');
    return exitcode::Ok;
}

int cleanup(const QStringList &args)
{
    bool dryRun = false;
    for (const QString &a : args) {
        if (a == u"--dry-run"_s)
            dryRun = true;
        else
            return usageError(a + u": unknown flag for `brigade cleanup`"_s);
    }
    const auto found = dryRun ? SegmentRegistry::leftovers() : SegmentRegistry::reclaimLeftovers();
    for (const auto &l : found)
        out(u"%1 %2 (owner pid %3 is gone, %4)\n"_s.arg(dryRun ? u"would remove"_s : u"removed"_s, l.key)
                .arg(l.ownerPid)
                .arg(l.bytes >= 0 ? u"%1 bytes"_s.arg(l.bytes) : u"key file only"_s));
    out(u"%1 leftover segment(s) %2\n"_s.arg(found.size()).arg(dryRun ? u"found"_s : u"removed"_s));
    return exitcode::Ok;
}

int inspect(const QStringList &args)
{
    bool json = false;
    QString path;
    for (const QString &a : args) {
        if (a == u"--json"_s)
            json = true;
        else if (a.startsWith(u"--"_s))
            return usageError(a + u": unknown flag for `brigade inspect`"_s);
        else if (path.isEmpty())
            path = a;
        else
            return usageError(a + u": `brigade inspect` takes one path"_s);
    }
    if (path.isEmpty())
        return usageError(u"inspect: which file? (brigade inspect PATH [--json])"_s);
    auto info = inspectDataset(path);
    if (!info) {
        err(u"brigade: "_s + info.failure().describe() + u'\n');
        return info.failure().code == FailureCode::Input ? exitcode::Input : exitcode::Usage;
    }
    if (json)
        out(QString::fromUtf8(QJsonDocument(info->toCbor().toJsonObject()).toJson(QJsonDocument::Compact)) +
            u'\n');
    else
        out(info->toText());
    return exitcode::Ok;
}

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

void printHuman(const QString &job, const RunOutcome &o)
{
    out(u"%1: %2 in %3 s with %4 workers, %5 tasks\n"_s.arg(job, runStatusName(o.status))
            .arg(o.elapsedSeconds, 0, 'f', 3)
            .arg(o.workers)
            .arg(o.tasks));
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
    for (const ErrorReport &e : o.errors)
        err(u"error: "_s + e.summary() + u'\n');
}

int runJob(const QStringList &args)
{
    if (args.isEmpty() || args.first().startsWith(u'-'))
        return usageError(u"run: name a job (see `brigade jobs`)"_s);
    RunRequest request;
    request.job = args.first();
    const Job *job = findJob(request.job);
    if (!job)
        return usageError(u"unknown job \"%1\" (see `brigade jobs`)"_s.arg(request.job));
    bool json = false;
    bool quiet = false;
    for (qsizetype i = 1; i < args.size(); ++i) {
        QString flag = args[i];
        std::optional<QString> inlineValue;
        if (const qsizetype eq = flag.indexOf(u'='); flag.startsWith(u"--"_s) && eq > 0) {
            inlineValue = flag.mid(eq + 1);
            flag.truncate(eq);
        }
        if (!flag.startsWith(u"--"_s))
            return usageError(flag + u": unexpected argument"_s);
        if (flag == u"--json"_s) {
            json = true;
            continue;
        }
        if (flag == u"--quiet"_s) {
            quiet = true;
            continue;
        }
        if (flag == u"--ordered"_s || flag == u"--unordered"_s) {
            request.ordered = flag == u"--ordered"_s;
            continue;
        }
        const auto name = flag.mid(2);
        const QList<ParamSpec> specs = job->params();
        const bool isParam =
            std::any_of(specs.cbegin(), specs.cend(), [&](const ParamSpec &p) { return p.name == name; });
        static const QStringList general = {
            u"--input"_s,        u"--output"_s,  u"--workers"_s,    u"--chunk-size"_s,           u"--rows"_s,
            u"--retries"_s,      u"--timeout"_s, u"--halt"_s,       u"--max-tasks-per-worker"_s, u"--cols"_s,
            u"--distribution"_s, u"--seed"_s,    u"--on-bad-row"_s, u"--memory-limit"_s};
        if (!isParam && !general.contains(flag))
            return usageError(flag + u": unknown flag for job \"%1\""_s.arg(job->name()));
        const bool isSwitch = std::any_of(specs.cbegin(), specs.cend(), [&](const ParamSpec &p) {
            return p.name == name && p.type == ParamType::Bool;
        });
        if (isSwitch && !inlineValue && (i + 1 >= args.size() || args[i + 1].startsWith(u"--"_s))) {
            request.params.insert(name, u"true"_s); // a boolean given alone: --grayscale
            continue;
        }
        if (!inlineValue && i + 1 >= args.size())
            return usageError(flag + u": needs a value"_s);
        const QString value = inlineValue ? *inlineValue : args[++i];
        bool ok = true;
        if (isParam)
            request.params.insert(name, value);
        else if (flag == u"--input"_s)
            request.input.path = value;
        else if (flag == u"--output"_s)
            request.output = value;
        else if (flag == u"--workers"_s)
            ok = (request.workers = value.toInt(&ok)) >= 1 && ok;
        else if (flag == u"--retries"_s)
            ok = (request.retries = value.toInt(&ok)) >= 0 && ok;
        else if (flag == u"--rows"_s)
            ok = (request.input.generatedRows = value.toLongLong(&ok)) >= 1 && ok;
        else if (flag == u"--cols"_s)
            ok = (request.input.generatedCols = value.toLongLong(&ok)) >= 1 && ok;
        else if (flag == u"--seed"_s)
            request.input.seed = value.toULongLong(&ok);
        else if (flag == u"--memory-limit"_s) {
            const auto bytes = parseByteSize(value);
            ok = bytes.has_value();
            request.memoryLimit = bytes.value_or(0);
        } else if (flag == u"--on-bad-row"_s) {
            ok = value == u"error"_s || value == u"skip"_s;
            request.input.onBadRow = value == u"skip"_s ? BadRowPolicy::Skip : BadRowPolicy::Error;
        } else if (flag == u"--distribution"_s) {
            const auto distribution = distributionFromName(value);
            ok = distribution.has_value();
            request.input.distribution = distribution.value_or(Distribution::Range);
        } else if (flag == u"--timeout"_s)
            ok = (request.timeoutSeconds = value.toDouble(&ok)) >= 0 && ok;
        else if (flag == u"--max-tasks-per-worker"_s)
            ok = (request.maxTasksPerWorker = value.toInt(&ok)) >= 0 && ok;
        else if (flag == u"--halt"_s) {
            static const QMap<QString, HaltPolicy> policies{
                {u"never"_s, HaltPolicy::Never}, {u"soon"_s, HaltPolicy::Soon}, {u"now"_s, HaltPolicy::Now}};
            ok = policies.contains(value);
            request.halt = policies.value(value);
        } else if (flag == u"--chunk-size"_s)
            ok = value == u"auto"_s ? (request.chunkSize = 0, true)
                                    : ((request.chunkSize = value.toLongLong(&ok)) >= 1 && ok);
        if (!ok)
            return usageError(flag + u": \"%1\" is not a valid value"_s.arg(value));
    }
    if (auto valid = JobRun::validate(request); !valid)
        return usageError(valid.failure().message);

    installInterruptHandlers();
    JobRun run(request);
    TerminalProgress bar;
    const bool showBar = !quiet && ::isatty(STDERR_FILENO);
    QObject::connect(&run, &JobRun::progressed, &run, [&](const ProgressSnapshot &s) {
        if (showBar)
            bar.show(s);
    });
    QObject::connect(&run, &JobRun::finished, &run, [&] { QCoreApplication::exit(0); });
    bool interrupted = false;
    QSocketNotifier notifier(g_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &run, [&] {
        char byte;
        while (::read(g_signalPipe[0], &byte, 1) > 0) {
        }
        interrupted = true;
        if (showBar)
            bar.clear();
        if (!quiet)
            err(u"brigade: interrupted, cancelling (press Ctrl-C again to kill)\n"_s);
        run.cancel();
    });
    const QDateTime started = QDateTime::currentDateTime();
    run.start();
    QCoreApplication::exec();
    if (showBar)
        bar.clear();

    const RunOutcome &o = run.outcome();
    if (auto failure = recordRun(request, o, started, u"cli"_s))
        err(u"brigade: warning: the run is not in the history: "_s + failure->describe() + u'\n');
    // Input files the reader skipped (an image folder's corrupt ones) are named on stderr in every mode.
    for (const QCborValue &skipped : o.result.value(u"skipped"_s).toArray())
        err(u"brigade: skipped %1: %2\n"_s.arg(skipped[u"file"_s].toString(),
                                               skipped[u"reason"_s].toString()));
    if (json)
        out(QString::fromUtf8(
                QJsonDocument(o.toCbor(job->name()).toJsonObject()).toJson(QJsonDocument::Compact)) +
            u'\n');
    if (o.failure) {
        err(u"brigade: "_s + o.failure->describe() + u'\n');
        switch (o.failure->code) {
        case FailureCode::Usage:
            return exitcode::Usage;
        case FailureCode::Input:
            return exitcode::Input;
        case FailureCode::Output:
            return exitcode::Output;
        case FailureCode::Protocol:
        case FailureCode::System:
            return exitcode::TaskFailed;
        }
    }
    if (!json && !quiet)
        printHuman(job->name(), o);
    else if (!json)
        for (const ErrorReport &e : o.errors)
            err(u"error: "_s + e.summary() + u'\n');
    if (interrupted || o.status == RunStatus::Cancelled)
        return exitcode::Interrupted;
    if (o.status == RunStatus::Failed) {
        err(u"brigade: %1 task(s) failed\n"_s.arg(o.failedTasks));
        return exitcode::TaskFailed;
    }
    return exitcode::Ok;
}

} // namespace

bool isCliInvocation(const QStringList &args)
{
    static const QStringList commands = {u"run"_s,       u"jobs"_s, u"cleanup"_s, u"inspect"_s, u"help"_s,
                                         u"--version"_s, u"-V"_s,   u"--help"_s,  u"-h"_s};
    return !args.isEmpty() && commands.contains(args.first());
}

QStringList defaultHeadlessJob()
{
    return {u"run"_s, u"stats"_s, u"--input"_s, QString::fromUtf16(BundledSampleDataset)};
}

int runCli(const QStringList &args)
{
    const QString command = args.value(0);
    if (command == u"--version"_s || command == u"-V"_s) {
        out(u"brigade "_s + QLatin1StringView(BRIGADE_VERSION) + u'\n');
        return exitcode::Ok;
    }
    if (command == u"--help"_s || command == u"-h"_s || command == u"help"_s) {
        out(HelpText);
        return exitcode::Ok;
    }
    SegmentRegistry::reclaimLeftovers();
    if (command == u"jobs"_s)
        return listJobs(args.mid(1));
    if (command == u"cleanup"_s)
        return cleanup(args.mid(1));
    if (command == u"inspect"_s)
        return inspect(args.mid(1));
    if (command == u"run"_s)
        return runJob(args.mid(1));
    return usageError(command + u": unknown command"_s);
}

} // namespace brigade
