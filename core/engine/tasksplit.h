// TaskSplit: how a failed task of several items is narrowed down to the items that fail. Around the
// item its worker named (that item alone charged), else in halves once the task is out of attempts or
// killed its worker, so that exactly the failing items are given up and every other item runs once.
#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace brigade {

struct TaskPiece {
    qint64 begin = 0;
    qint64 end = 0;
    int attempts = 0; // failed attempts its items carry on
};

struct TaskSplit {
    std::vector<TaskPiece> retried;   // in item order; empty: the task is not split
    std::optional<TaskPiece> givenUp; // the named item, when it is out of attempts

    bool splits() const { return !retried.empty(); }
    // What the error report adds: " (item 7 given up; retried as items 0 to 6, items 8 to 12)".
    QString describe() const;
};

// `before`: the task's failed attempts before this one; `after`: with it; `final`: no attempt is left;
// `item`: the item the worker named (-1: none, or not one of the task's).
TaskSplit splitFailedTask(qint64 begin, qint64 end, qint64 item, int before, int after, bool final,
                          bool workerLost);

} // namespace brigade
