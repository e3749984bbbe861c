// FaultPolicy: what a failure costs. Attempts (numbered on from an earlier run's), when a task is given
// up (quarantined), which of a dead worker's tasks pays for its death (the blame rules), when the
// successor must run them one at a time (careful mode), when deaths make the run hopeless, and the halt
// policy once a task is given up.
#pragma once

#include "core/engine/workerbackend.h"
#include "core/run/runstatus.h"

#include <algorithm>

namespace brigade {

class FaultPolicy
{
public:
    FaultPolicy(int retries, HaltPolicy halt, int priorAttempts)
        : m_retries(retries)
        , m_halt(halt)
        , m_priorAttempts(priorAttempts)
    {}

    // The attempt number a task's next run carries, after `attempts` failed ones in this run.
    int nextAttempt(int attempts) const { return m_priorAttempts + attempts + 1; }

    struct Charge {
        int attempt = 0;    // the failed attempt's number, as reported
        bool final = false; // no attempt is left: the task is given up
    };
    // Charges a task (with `attempts` failed so far, counted up) for a failed attempt.
    Charge charge(int &attempts) const
    {
        attempts += 1;
        return {m_priorAttempts + attempts, attempts > m_retries};
    }

    // A task was given up: under halt soon or now nothing new is handed out from here on.
    void quarantined()
    {
        if (m_halt != HaltPolicy::Never)
            m_halting = true;
    }
    bool halting() const { return m_halting; }
    // Whether a given-up task ends the run at once (halt now).
    bool haltsNow() const { return m_halt == HaltPolicy::Now; }

    struct Blame {
        qsizetype index = -1;   // the task in hand that pays for the death; -1: none
        bool ambiguous = false; // nobody can be named: the successor runs the tasks one at a time
    };
    // The task the dead worker's crash note names, else the running one (the front); none when the note
    // says the crash struck outside of the tasks in hand. Without a note and with several tasks in hand,
    // whose results the worker may have been batching, nobody is charged, unless the slot is careful
    // already (one task at a time: the one in hand is the one).
    template<typename Tasks> static Blame blame(const Tasks &tasks, const WorkerLoss &loss, bool careful)
    {
        if (!loss.selfReported && tasks.size() > 1 && !careful)
            return {-1, true};
        if (tasks.empty())
            return {};
        if (loss.selfReported && loss.task >= 0) {
            const auto it =
                std::find_if(tasks.begin(), tasks.end(), [&](const auto &t) { return t.id == loss.task; });
            return {it == tasks.end() ? -1 : qsizetype(it - tasks.begin()), false};
        }
        return {0, false};
    }

    // A worker was lost: whether restarting it would spin (it could not start, or this many in a row
    // died before they were ready). Counts the deaths before Ready in `deathsBeforeReady`.
    static bool hopeless(const WorkerLoss &loss, bool wasReady, int &deathsBeforeReady)
    {
        return loss.kind == ErrorKind::Start || (!wasReady && ++deathsBeforeReady >= MaxDeathsBeforeReady);
    }
    static constexpr int MaxDeathsBeforeReady = 3;

private:
    int m_retries;
    HaltPolicy m_halt;
    int m_priorAttempts;
    bool m_halting = false;
};

} // namespace brigade
