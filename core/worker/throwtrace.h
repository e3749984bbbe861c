// Stack traces: captured at every throw in the worker (the catch site has already unwound) and at fatal
// signals, where an async-signal-safe handler dumps raw addresses and has a fresh process symbolize them.
#pragma once

#include "core/protocol/crashnote.h"

#include <QString>

#include <QStringList>
#include <atomic>

namespace brigade {

// The symbolized stack of the most recent throw on this thread, innermost frame first.
QString lastThrowTrace();

// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT. The handler writes a marker line
// and the raw frames to stderr, runs `brigade-worker --symbolize PID ADDRESS...` (fork and exec are
// async-signal-safe) to print them as "function at file:line", then dies of the same signal.
void installCrashHandler();

// What the crash handler names in its note (core/protocol/crashnote.h): the task (-1 while idle) and the
// stage.
void setCrashContext(qint64 taskId, CrashStage stage);
// Where a job marks the item it is on (TaskContext::atItem), for the crash note; reset by setCrashContext.
std::atomic<qint64> *crashItemMarker();

// The --symbolize mode: symbolizes addresses of the (crashing, still alive) process `pid` by mapping them
// to module offsets through /proc/PID/maps and resolving those in this process's copy of the same modules.
int symbolizeForeignStack(qint64 pid, const QStringList &addresses);

} // namespace brigade
