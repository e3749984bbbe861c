// The backend factory (a run's `backend` setting names one) and the names of signals.
#include "core/engine/workerbackend.h"

#include "core/engine/localbackend.h"
#include "core/run/runrequest.h"

#include <cstring>

using namespace Qt::StringLiterals;

namespace brigade {

QString signalName(int sig)
{
    const char *abbrev = ::sigabbrev_np(sig);
    return abbrev ? u"SIG"_s + QLatin1StringView(abbrev) : u"signal %1"_s.arg(sig);
}

QStringList backendNames()
{
    return {u"local"_s};
}

Result<WorkerBackend *> createBackend(const RunRequest &request, QObject *parent)
{
    if (request.backend == u"local"_s)
        return static_cast<WorkerBackend *>(new LocalBackend(
            request.workerProgram.isEmpty() ? LocalBackend::defaultWorkerProgram() : request.workerProgram,
            parent));
    return usageFailure(u"--backend: unknown backend \"%1\" (known: %2)"_s.arg(request.backend,
                                                                               backendNames().join(u", "_s)));
}

ErrorReport lossReport(const WorkerLoss &loss)
{
    ErrorReport report;
    report.kind = errorKindName(loss.kind);
    report.pid = loss.pid;
    report.exitCode = loss.exitCode;
    if (loss.signal > 0)
        report.signalName = signalName(loss.signal);
    report.message = loss.message;
    report.stderrTail = loss.logTail;
    report.trace = loss.trace;
    report.stage = loss.stage;
    report.item = loss.item;
    return report;
}

} // namespace brigade
