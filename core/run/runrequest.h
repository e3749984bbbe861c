// What a user asks of one run: the job, its parameters, the input, the output and the run settings.
#pragma once

#include "core/run/datasetsource.h"
#include "core/run/runstatus.h"
#include "core/run/stopplan.h"

#include <QList>
#include <QVariantMap>

#include <utility>

namespace brigade {

struct RunRequest {
    QString job;
    QVariantMap params; // given values, as text (CLI) or typed (GUI); defaults fill the rest
    DatasetSource input;
    QString output;       // written atomically, only when the run succeeds
    int workers = 0;      // 0: one per core
    qint64 chunkSize = 0; // 0: automatic
    bool ordered = true;
    int retries = 2; // further attempts after a failed one
    HaltPolicy halt = HaltPolicy::Never;
    double timeoutSeconds = 0; // per task; 0: none
    int maxTasksPerWorker = 0; // 0: workers are never recycled
    qint64 memoryLimit = 0;    // bytes for the parent and its workers together; 0: what is available
    QString backend = QStringLiteral("local"); // what runs the workers (see core/engine/workerbackend.h)
    QString workerProgram;                     // empty: LocalBackend::defaultWorkerProgram()
    StopPlan stopPlan = StopPlan::graceful();  // how the workers are stopped at the end of the run
    // Not empty: only these item ranges [begin, end) are run ("retry failed tasks"); empty: all items.
    QList<std::pair<qint64, qint64>> onlyRanges;
    bool planOnly =
        false; // load and plan, then finish without starting a worker (see RunOutcome::plannedItems)
    int priorAttempts = 0; // attempts an earlier run made at onlyRanges: attempt numbers go on from it
    // The run journal (core/store/runjournal.h): kept until the run succeeds, so that an interrupted run
    // can be resumed. Off for trial runs.
    bool journal = true;
    // Not empty: the journal of an interrupted run, which this run continues (the request is the one the
    // journal holds): only the items not yet journalled are computed.
    QString resumeJournal;
    // Not empty: GNU parallel's --joblog file, a line per task as it ends.
    QString joblog;
};

} // namespace brigade
