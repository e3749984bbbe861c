// How a run ended: its status, result, errors and measurements.
#pragma once

#include "core/base/result.h"
#include "core/run/errorreport.h"
#include "core/run/runstatus.h"

#include <QCborMap>
#include <QList>
#include <QMetaType>
#include <QStringList>

#include <optional>

namespace brigade {

struct RunOutcome {
    RunStatus status = RunStatus::Failed;
    QCborMap result;
    std::optional<Failure> failure; // the run could not start or finish: usage, input or system
    QList<ErrorReport> errors;
    int workers = 0;
    qint64 tasks = 0;
    qint64 failedTasks = 0;
    qint64 chunkSize = 0;
    double elapsedSeconds = 0;
    qint64 workersReadyMs = -1;
    // From the first task's start to the last task's end, by the workers' measured run times (-1: no task
    // ended): the compute phase, without process start, loading and attaching.
    double computeSeconds = -1;
    QList<double> recoveryMs; // per replaced worker: from its loss to its work running again
    bool streamed = false;    // the CSV input went through the pool in chunks instead of being loaded
    qint64 chunks = 0;        // of the streamed input
    qint64 chunkBytes = 0;
    qint64 peakMemoryBytes = -1; // the peaks (VmHWM) of the parent and its workers, summed, at the end
    qint64 plannedItems = -1;    // the items the job's plan() counts for its whole input (onlyRanges aside)
    qint64 sharedBytes = 0;      // the dataset's (and output's) shared-memory segments
    QString journalId;           // the run's journal: `brigade run --resume ID` continues it (kept unless ok)
    bool journalKept = false;    // the journal is still there: the run can be resumed
    qint64 resumedItems = 0;     // items an earlier start had journalled, not computed again
    QStringList warnings;        // what went wrong beside the run (the journal could not be written)

    // The --json object: {"job", "status", "result", "workers", "tasks", "elapsed_s", "errors", ...}.
    QCborMap toCbor(const QString &job) const;
};

} // namespace brigade

Q_DECLARE_METATYPE(brigade::RunOutcome)
