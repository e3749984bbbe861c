// Shutdown as data: a list of steps (ask, wait; terminate, wait; kill), each with how long to wait for the
// worker to go before the next one. Every backend has one interpreter of it (see LocalBackend).
#pragma once

#include "core/base/enumnames.h"

#include <QList>

namespace brigade {

enum class StopStep {
    Request,   // ask the worker to leave (Shutdown, then end of its input)
    Terminate, // SIGTERM, or what the backend has for it
    Kill,      // SIGKILL: cannot be ignored
};

inline constexpr EnumName<StopStep> StopStepNames[] = {
    {StopStep::Request, u"request"}, {StopStep::Terminate, u"terminate"}, {StopStep::Kill, u"kill"}};

struct StopAction {
    StopStep step = StopStep::Kill;
    int waitMs = 0; // for the worker to be gone before the next step (after a kill: to reap it)
};

struct StopPlan {
    QList<StopAction> actions;

    // Ask, wait `requestWaitMs`; terminate, wait `terminateWaitMs`; kill. A request wait of 0 skips the ask.
    static StopPlan graceful(int requestWaitMs = 1000, int terminateWaitMs = 500)
    {
        StopPlan plan;
        if (requestWaitMs > 0)
            plan.actions.append({StopStep::Request, requestWaitMs});
        plan.actions.append({StopStep::Terminate, terminateWaitMs});
        plan.actions.append({StopStep::Kill, KillReapMs});
        return plan;
    }
    // Kill at once (a run torn down, a JobRun destroyed mid-run).
    static StopPlan immediate() { return StopPlan{{{StopStep::Kill, KillReapMs}}}; }

    // How long a killed worker is waited for, to reap it.
    static constexpr int KillReapMs = 2000;
};

} // namespace brigade
