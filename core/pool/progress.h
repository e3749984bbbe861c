// Snapshots of a run's progress, taken in the engine thread and handed to observers by value.
#pragma once

#include <QList>
#include <QMetaType>

namespace brigade {

enum class WorkerState { Starting, Idle, Busy, Stopped, Lost };

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
};

QString workerStateName(WorkerState state);

} // namespace brigade

Q_DECLARE_METATYPE(brigade::ProgressSnapshot)
