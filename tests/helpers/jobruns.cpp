// Runs a JobRun to its end in the test's process, keeping the progress snapshots it reported.
#include "helpers/jobruns.h"

#include <QSignalSpy>

namespace testhelpers {

Observed runToEnd(const brigade::RunRequest &request, int timeoutMs)
{
    Observed seen;
    brigade::JobRun run(request);
    QSignalSpy finished(&run, &brigade::JobRun::finished);
    QObject::connect(&run, &brigade::JobRun::progressed, &run,
                     [&](const brigade::ProgressSnapshot &s) { seen.snapshots.append(s); });
    run.start();
    if (!finished.wait(timeoutMs))
        qFatal("run of %s did not finish within %d ms", qPrintable(request.job), timeoutMs);
    seen.outcome = run.outcome();
    return seen;
}

} // namespace testhelpers
