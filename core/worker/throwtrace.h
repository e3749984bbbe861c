// Stack traces: captured at every throw in the worker (the catch site has already unwound) and at fatal
// signals.
#pragma once

#include <QString>

namespace brigade {

// The symbolized stack of the most recent throw on this thread, innermost frame first.
QString lastThrowTrace();

// The current stack, symbolized (function, file:line per frame).
QString currentStackTrace(int skipFrames = 0);

// Installs handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT that write a marker line and an
// async-signal-safe backtrace to stderr, then die of the same signal so the parent sees it.
void installCrashHandler();

// The task the crash handler names in its marker line (-1 while idle).
void setCrashContextTask(qint64 taskId);

} // namespace brigade
