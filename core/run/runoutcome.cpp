// The --json object of a run.
#include "core/run/runoutcome.h"

#include <QCborArray>

using namespace Qt::StringLiterals;

namespace brigade {

QCborMap RunOutcome::toCbor(const QString &job) const
{
    QCborMap map;
    map.insert(u"job"_s, job);
    map.insert(u"status"_s, runStatusName(status));
    map.insert(u"result"_s, result);
    map.insert(u"workers"_s, workers);
    map.insert(u"tasks"_s, tasks);
    map.insert(u"failed_tasks"_s, failedTasks);
    map.insert(u"chunk_size"_s, chunkSize);
    map.insert(u"elapsed_s"_s, elapsedSeconds);
    if (workersReadyMs >= 0)
        map.insert(u"workers_ready_ms"_s, workersReadyMs);
    if (computeSeconds >= 0)
        map.insert(u"compute_s"_s, computeSeconds);
    map.insert(u"streamed"_s, streamed);
    if (streamed) {
        map.insert(u"chunks"_s, chunks);
        map.insert(u"chunk_bytes"_s, chunkBytes);
    }
    if (peakMemoryBytes >= 0)
        map.insert(u"peak_memory_bytes"_s, peakMemoryBytes);
    if (!recoveryMs.isEmpty()) {
        QCborArray recovery;
        for (double ms : recoveryMs)
            recovery.append(ms);
        map.insert(u"recovery_ms"_s, recovery);
    }
    if (!journalId.isEmpty()) {
        map.insert(u"journal"_s, journalId);
        map.insert(u"resumable"_s, journalKept);
    }
    if (resumedItems > 0)
        map.insert(u"resumed_items"_s, resumedItems);
    if (!warnings.isEmpty())
        map.insert(u"warnings"_s, QCborArray::fromStringList(warnings));
    QCborArray errorList;
    for (const ErrorReport &e : errors)
        errorList.append(e.toCbor());
    map.insert(u"errors"_s, errorList);
    if (failure)
        map.insert(u"error"_s, failure->describe());
    return map;
}

} // namespace brigade
