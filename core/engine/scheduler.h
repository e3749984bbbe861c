// Scheduler: hands tasks to workers (prefetched: as many queued as cover a round trip), sizes them from
// measured task times unless the user fixed the chunk size, retries the tasks of failed attempts,
// quarantines tasks that fail every attempt, enforces timeouts, recycles workers, applies the halt
// policy, and delivers results to the job's reducer in task order (imap) or as they finish (imap_unordered).
#pragma once

#include "core/engine/workerpool.h"
#include "core/jobs/job.h"
#include "core/run/errorreport.h"
#include "core/run/progress.h"
#include "core/run/runstatus.h"
#include "core/run/stopactions.h"

#include <QCborArray>
#include <QElapsedTimer>
#include <QObject>

#include <deque>
#include <limits>
#include <optional>
#include <vector>

class QTimer;

namespace brigade {

struct SchedulerSettings {
    qint64 chunkSize = 0; // items per task; 0: adapted so that tasks take about TargetTaskNs
    bool ordered = true;
    int retries = 2; // further attempts of a task after a failed one
    HaltPolicy halt = HaltPolicy::Never;
    int timeoutMs = 0;         // per task; 0: none
    int maxTasksPerWorker = 0; // recycle a worker after this many tasks; 0: never
    qint64 window = 0;         // ordered: tasks dispatched past the next undelivered one; 0: automatic
    int maxDepth = 0; // tasks a worker holds at most (running and queued); 0: as many as a round trip needs
    // Only these item ranges [begin, end) are split into tasks (a retry of failed tasks); empty: all items.
    std::vector<std::pair<qint64, qint64>> onlyRanges{};
    int priorAttempts = 0; // attempts an earlier run already made at these items: the count goes on
};

class Scheduler : public QObject
{
    Q_OBJECT

public:
    Scheduler(WorkerPool *pool, std::unique_ptr<Reducer> reducer, qint64 items,
              const SchedulerSettings &settings, QCborMap attachBody, QObject *parent = nullptr);

    void start();
    void cancel();

    ProgressSnapshot snapshot() const;
    // The snapshot with the task spans ended since the previous call: for the engine, the one caller.
    ProgressSnapshot takeSnapshot();
    // Items per task: the fixed size, or the largest the adaptive sizing reached.
    qint64 chunkSize() const { return m_adaptive ? m_largestChunk : m_chunk; }
    // Tasks of the run: exact once every task is handed out, estimated before when chunks adapt.
    qint64 tasksTotal() const;
    qint64 failedTasks() const { return m_failedTasks; }
    Reducer &reducer() { return *m_reducer; }
    // Milliseconds from start() until every worker first said Ready (-1 until then).
    qint64 allReadyMs() const { return m_allReadyMs; }
    // From the first task's start to the last task's end, from the run times the workers measured (-1:
    // no result yet).
    double computeSeconds() const
    {
        return m_lastEndNs < 0 ? -1 : double(m_lastEndNs - m_firstStartNs) / 1e9;
    }
    // For each replaced worker with work in hand: milliseconds from its loss to that work being sent
    // to its successor.
    const QList<double> &recoveryMs() const { return m_recoveryMs; }

    // The duration adaptive chunking aims at: long enough that a task's messages cost nothing, short
    // enough that the workers end together and progress moves smoothly.
    static constexpr qint64 TargetTaskNs = 25'000'000;
    // How a timed-out or unusable worker is stopped: SIGTERM, then SIGKILL half a second later.
    static constexpr StopActions KillActions{0, 500};
    // How a recycled worker is stopped: asked first.
    static constexpr StopActions RecycleActions{1000, 500};

Q_SIGNALS:
    void errorReported(const brigade::ErrorReport &report);
    void progressChanged();
    // All tasks are done or given up (status Ok or Failed), or the run was cancelled or halted.
    void finished(brigade::RunStatus status);

private:
    struct Task {
        qint64 id = 0;
        qint64 begin = 0;
        qint64 end = 0;
        int attempts = 0;
    };
    struct Slot {
        std::deque<Task> assigned; // front: running; the rest: prefetched
        std::deque<Task> orphans;  // tasks of this slot's previous worker, retried on its fresh successor
        bool ready = false;
        int dispatched = 0;        // tasks given to the current worker (for recycling)
        int deathsBeforeReady = 0; // successive workers that died before saying Ready
        double taskNs = 0;         // running mean of the worker's task run times (0: none yet)
        // After a death nothing explains, amid tasks whose results the worker may still have held:
        // the orphans go to the successor one at a time, so that the next death names its task.
        bool careful = false;
        qint64 lostAtNs = -1; // when the previous worker went, until its orphans run again
        QTimer *timeout = nullptr;
        WorkerSnapshot view;
        qint64 frontSinceMs = 0; // when the running task started (ms since start())
    };

    void onReady(int slot, qint64 pid);
    void onMessage(int slot, const Message &message);
    void onLost(int slot, const WorkerLoss &loss);
    void onTimeout(int slot);
    void dispatch(int slot);
    void dispatchAll();
    void onResults(int slot, const QCborArray &results);
    // How many tasks the slot's worker holds: the running one plus enough to cover a round trip.
    int depth(const Slot &slot) const;
    qint64 window() const;
    // The next task for the slot: an orphan, a retry, or a new one within the ordered window.
    std::optional<Task> nextTask(Slot &slot, qint64 window);
    qint64 nextChunk() const;
    void learnCost(const Task &task, qint64 ns);
    bool hasWork() const;
    void frontChanged(int slot);
    // A task's span on the timeline: from its measured start when its worker timed it (runNs >= 0), else
    // from when it became the worker's front task (wasRunning), else a point.
    void recordSpan(int slot, const Task &task, bool failed, bool wasRunning, qint64 runNs = -1);
    // Replaces the slot's worker: its running task is charged by the caller; the rest become orphans.
    void replaceWorker(int slot, const StopActions &how);
    void complete(const Task &task, std::optional<QCborValue> value);
    void failAttempt(Task task, ErrorReport report, std::deque<Task> *retryQueue);
    void halt(RunStatus status);
    void checkFinished();

    WorkerPool *m_pool;
    std::unique_ptr<Reducer> m_reducer;
    qint64 m_items; // planned: the total length of m_ranges
    SchedulerSettings m_settings;
    std::vector<std::pair<qint64, qint64>> m_ranges; // what is split into tasks, sorted, disjoint, non-empty
    size_t m_nextRange = 0;
    qint64 m_tasksTotal = 0;
    QCborMap m_attachBody;
    qint64 m_chunk = 1; // fixed, or the adaptive sizing's current steady size
    bool m_adaptive = false;
    qint64 m_largestChunk = 0; // adaptive: the largest task handed out
    qint64 m_itemsIssued = 0;  // items in the new tasks handed out so far (not retries)
    double m_costNs = 0;       // adaptive: decayed sums of measured task time and items
    double m_costItems = 0;
    qint64 m_window = 0;      // ordered: how far past the next undelivered task dispatch may run (at least)
    int m_batch = 0;          // > 0 while a batch of results is taken: dispatching waits for its end
    qint64 m_batchNowMs = -1; // the batch's arrival, read once for all of its results
    qint64 nowMs() const { return m_batchNowMs >= 0 ? m_batchNowMs : m_clock.elapsed(); }
    bool m_dispatchWanted = false;

    std::vector<Slot> m_slots;
    std::deque<Task> m_retry; // failed attempts whose worker lives on: retried by any worker
    qint64 m_nextBegin = 0;
    qint64 m_nextId = 0;
    qint64 m_nextDelivery = 0; // ordered: the next task id to reduce
    struct Waiting {
        Task task;
        std::optional<QCborValue> value; // none: quarantined
        bool ended = false;
    };
    std::deque<Waiting> m_waiting; // ordered: the tasks from m_nextDelivery on, by id, and their results
    qint64 m_itemsDone = 0;
    qint64 m_tasksDone = 0;
    qint64 m_failedTasks = 0;
    qint64 m_allReadyMs = -1;
    qint64 m_firstStartNs = std::numeric_limits<qint64>::max(); // since start(), by the workers' timing
    qint64 m_lastEndNs = -1;
    QList<double> m_recoveryMs;
    int m_readyCount = 0;
    bool m_halting = false; // HaltPolicy::Soon after a final failure: nothing new is dispatched
    bool m_finished = false;
    QElapsedTimer m_clock;
    QList<TaskSpan> m_spans; // ended since the last takeSnapshot(), at most MaxSpans
    qint64 m_spansDropped = 0;
    static constexpr qsizetype MaxSpans = 20000;
};

} // namespace brigade
