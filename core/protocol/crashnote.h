// Crash notes: what a dying worker's crash handler writes to stderr (it cannot send a frame from a signal
// handler), defined once here, written by core/worker and read by the backend that ran the worker.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>

namespace brigade {

// The stage the crash handler names: where in the worker the signal struck.
enum class CrashStage { Idle, Attach, Task, AfterResult };

// "idle", "attach", "task", "after-result": plain static text, safe to write from a signal handler.
constexpr const char *crashStageName(CrashStage stage)
{
    switch (stage) {
    case CrashStage::Idle:
        return "idle";
    case CrashStage::Attach:
        return "attach";
    case CrashStage::Task:
        return "task";
    case CrashStage::AfterResult:
        return "after-result";
    }
    return "idle";
}

// The note's lines: "<CrashMarker> SIGSEGV in task 12 item 57 at stage task" (" item N" only when the job
// said which item it was on, TaskContext::atItem), the raw frames, then the symbolized
// frames between SymbolizedBegin and SymbolizedEnd when the symbolizer could run.
inline constexpr char CrashMarker[] = "brigade-worker: fatal signal";
inline constexpr char SymbolizedBegin[] = "brigade-worker: backtrace:";
inline constexpr char SymbolizedEnd[] = "brigade-worker: end of backtrace";

// What a crash note says about a death.
struct CrashNote {
    qint64 task = -1; // the task the worker was on; -1 while idle
    qint64 item = -1; // the item of the task it was on, when the job said; -1: not known
    QString stage;    // attach, task, after-result; empty while idle
    QString trace;    // symbolized frames, innermost first; the raw ones if the symbolizer could not run
};

// The crash note in the last lines a worker wrote to stderr, if it wrote one.
std::optional<CrashNote> parseCrashNote(const QStringList &stderrTail);

} // namespace brigade
