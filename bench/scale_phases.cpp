// The scale job's compute phase: the real JobRun (parent and brigade-worker processes over shared memory)
// multiplies N generated float64 by 2; the phase runs from the first task's start to the last task's end
// (RunOutcome::computeSeconds: the workers' own timing of each task, placed at its result's arrival).
// Prints one JSON object with its bandwidth.
// Usage: scale_phases [N [CHUNK]] (BRIGADE_WORKER must name brigade-worker)
#include "core/engine/jobrun.h"

#include <QCoreApplication>
#include <QEventLoop>

#include <algorithm>
#include <cstdio>
#include <limits>

using namespace Qt::StringLiterals;
using namespace brigade;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const qint64 n = argc > 1 ? QByteArray(argv[1]).toLongLong() : 10'000'000;
    RunRequest request;
    request.job = u"scale"_s;
    request.params.insert(u"factor"_s, u"2"_s);
    request.input.generatedRows = n;
    request.workers = 2;
    request.chunkSize = argc > 2 ? QByteArray(argv[2]).toLongLong() : 0; // 0: adaptive
    JobRun run(request);
    QEventLoop loop;
    RunOutcome outcome;
    QObject::connect(&run, &JobRun::finished, &loop, [&](const RunOutcome &o) {
        outcome = o;
        loop.quit();
    });
    run.start();
    loop.exec();
    if (outcome.status != RunStatus::Ok || outcome.computeSeconds <= 0) {
        std::fprintf(stderr, "scale_phases: run not ok or no compute phase measured\n");
        return 1;
    }
    const double seconds = outcome.computeSeconds;
    const double bytes = 2.0 * double(n) * double(sizeof(double));
    std::printf(
        "{\"n\": %lld, \"compute_s\": %.6f, \"bandwidth_gbs\": %.4f, \"elapsed_s\": %.6f, \"tasks\": %lld}\n",
        n, seconds, bytes / seconds / 1e9, outcome.elapsedSeconds, outcome.tasks);
    return 0;
}
