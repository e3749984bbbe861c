// Snapshots of a run's progress, taken in the engine thread and handed to observers by value.
#pragma once

#include "core/base/enumnames.h"

#include <QList>
#include <QMetaType>

namespace brigade {

// What a worker slot is doing, as the scheduler sees it.
enum class WorkerState { Starting, Idle, Busy, Stopped, Lost };

inline constexpr EnumName<WorkerState> WorkerStateNames[] = {{WorkerState::Starting, u"starting"},
                                                             {WorkerState::Idle, u"idle"},
                                                             {WorkerState::Busy, u"busy"},
                                                             {WorkerState::Stopped, u"stopped"},
                                                             {WorkerState::Lost, u"lost"}};

struct WorkerSnapshot {
    int slot = 0;
    qint64 pid = 0;
    WorkerState state = WorkerState::Starting;
    qint64 taskId = -1; // the task running now, or the last one finished
    qint64 taskItems = 0;
    qint64 taskDone = 0;  // items of that task done
    qint64 itemsDone = 0; // over the whole run
    qint64 tasksDone = 0;
    int restarts = 0;
    double cpuPercent = -1; // of one core, over the last sampling interval; -1: not known
    qint64 rssBytes = -1;   // resident memory; -1: not known
};

// One task's stay on a worker slot, from the time it started there to its result or failure.
struct TaskSpan {
    int slot = 0;
    qint64 pid = 0;
    qint64 taskId = 0;
    qint64 begin = 0; // items [begin, end)
    qint64 end = 0;
    qint64 startMs = 0; // since the run started
    qint64 endMs = 0;   // a running task: the time of the snapshot
    bool failed = false;
};

struct ProgressSnapshot {
    qint64 itemsDone = 0;
    qint64 itemsTotal = 0;
    qint64 tasksDone = 0;
    qint64 tasksFailed = 0;
    double elapsedSeconds = 0;
    double itemsPerSecond = 0;
    double etaSeconds = -1; // unknown until a rate is known
    QList<WorkerSnapshot> workers;
    // Spans that ended (done or failed) since the previous snapshot: an observer keeps them to draw the
    // whole run. Spans beyond the cap between two snapshots are only counted, in spansDropped.
    QList<TaskSpan> endedSpans;
    QList<TaskSpan> runningSpans; // the task running on each busy slot, up to now
    qint64 spansDropped = 0;
};

inline QString workerStateName(WorkerState state)
{
    return enumName(WorkerStateNames, state);
}

} // namespace brigade

Q_DECLARE_METATYPE(brigade::ProgressSnapshot)
