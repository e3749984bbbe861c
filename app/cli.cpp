// The command line: dispatches the commands; `brigade jobs`, `inspect`, `cleanup` and the help.
#include "cli.h"

#include "clioutput.h"
#include "runcommand.h"

#include "brigade/version.h"

#include "core/data/dataset.h"
#include "core/data/inspect.h"
#include "core/data/segmentregistry.h"
#include "core/jobs/registry.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

QString helpText()
{
    return uR"(Brigade — run analysis jobs over a pool of worker processes.

Usage:
  brigade [FILE]                 open the window (with FILE as the dataset)
  brigade --version
  brigade jobs [--json]          list the jobs and their parameters
  brigade run JOB [RUN SETTINGS] [--json] [--quiet] [--PARAM VALUE ...]
  brigade inspect PATH [--json]  what a dataset holds and what a run over it needs
  brigade cleanup [--dry-run]    remove shared memory left by crashed runs

)"_s + runCommandHelp() +
           u"\nExit codes: 0 ok; 1 a task failed; 2 usage error; 3 input error; 4 output error; 130 interrupted.\n"_s;
}

int listJobs(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption({u"json"_s, u"as JSON"_s});
    if (auto code = parseOptions(parser, args, u"`brigade jobs`"_s))
        return *code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(parser.positionalArguments().first() + u": unexpected argument"_s);
    const bool json = parser.isSet(u"json"_s);
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
    QCommandLineParser parser;
    parser.addOption({u"dry-run"_s, u"only list them"_s});
    if (auto code = parseOptions(parser, args, u"`brigade cleanup`"_s))
        return *code;
    if (!parser.positionalArguments().isEmpty())
        return usageError(parser.positionalArguments().first() + u": unknown flag for `brigade cleanup`"_s);
    const bool dryRun = parser.isSet(u"dry-run"_s);
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
    QCommandLineParser parser;
    parser.addOption({u"json"_s, u"as JSON"_s});
    if (auto code = parseOptions(parser, args, u"`brigade inspect`"_s))
        return *code;
    const bool json = parser.isSet(u"json"_s);
    const QStringList paths = parser.positionalArguments();
    if (paths.size() > 1)
        return usageError(paths[1] + u": `brigade inspect` takes one path"_s);
    const QString path = paths.value(0);
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
        out(helpText());
        return exitcode::Ok;
    }
    if (command == u"jobs"_s)
        return listJobs(args.mid(1));
    if (command == u"cleanup"_s)
        return cleanup(args.mid(1));
    if (command == u"inspect"_s)
        return inspect(args.mid(1));
    if (command == u"run"_s) {
        // What killed runs left is reclaimed before a run makes segments of its own, and said (`cleanup
        // --dry-run` only lists: it never reclaims).
        const auto reclaimed = SegmentRegistry::reclaimLeftovers();
        if (!reclaimed.isEmpty()) {
            qint64 bytes = 0;
            for (const auto &l : reclaimed)
                bytes += std::max<qint64>(0, l.bytes);
            err(u"brigade: reclaimed %1 leftover segment(s) of runs that were killed (%2 bytes)\n"_s
                    .arg(reclaimed.size())
                    .arg(bytes));
        }
        return runCommand(args.mid(1));
    }
    return usageError(command + u": unknown command"_s);
}

} // namespace brigade
