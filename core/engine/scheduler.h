// Scheduler: hands tasks to workers (prefetched: as many queued as cover a round trip), sizes them from
// measured task times unless the user fixed the chunk size, retries the tasks of failed attempts,
// quarantines tasks that fail every attempt, enforces timeouts, recycles workers, applies the halt
// policy, and delivers results to the job's reducer in task order (imap) or as they finish (imap_unordered).
#pragma once

#include "core/engine/clock.h"
#include "core/engine/faultpolicy.h"
#include "core/engine/ordereddelivery.h"
#include "core/engine/runprogress.h"
#include "core/engine/tasksource.h"
#include "core/engine/workerbackend.h"
#include "core/jobs/job.h"
#include "core/run/errorreport.h"
#include "core/run/progress.h"
#include "core/run/runstatus.h"
#include "core/run/stopplan.h"

#include <QCborArray>
#include <QObject>

#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <vector>

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
    qint64 maxChunk = 0;   // items a task holds at most (an in-place run's undo area); 0: no bound
};

class Scheduler : public QObject
{
    Q_OBJECT

public:
    // `clock`: the time the scheduler reads and sets its timeouts by; none: a SteadyClock of its own.
    Scheduler(WorkerBackend *backend, std::unique_ptr<Reducer> reducer, qint64 items,
              const SchedulerSettings &settings, QCborMap attachBody, EngineClock *clock = nullptr,
              QObject *parent = nullptr);
    ~Scheduler() override;

    void start();
    void cancel();
    // In-place runs: puts back the rows a task changed, if the slot's undo area holds that task. Called for
    // the tasks a lost worker held, and for a timed-out task once its worker is killed, before they are
    // retried.
    using RestoreRows = std::function<void(int slot, qint64 taskId)>;
    void setRestoreRows(RestoreRows restore) { m_restoreRows = std::move(restore); }
    // Hears every task span as it ends (done or failed), uncapped: the joblog.
    void setSpanSink(std::function<void(const TaskSpan &)> sink) { m_progress.setSpanSink(std::move(sink)); }

    ProgressSnapshot snapshot() const;
    // The snapshot with the task spans ended since the previous call: for the engine, the one caller.
    ProgressSnapshot takeSnapshot();
    // Items per task: the fixed size, or the largest the adaptive sizing reached.
    qint64 chunkSize() const { return m_source.chunkSize(); }
    // Tasks of the run: exact once every task is handed out, estimated before when chunks adapt.
    qint64 tasksTotal() const { return m_source.tasksTotal(); }
    qint64 failedTasks() const { return m_progress.tasksFailed(); }
    Reducer &reducer() { return *m_reducer; }
    // Milliseconds from start() until every worker first said Ready (-1 until then).
    qint64 allReadyMs() const { return m_progress.allReadyMs(); }
    // From the first task's start to the last task's end, from the run times the workers measured (-1:
    // no result yet).
    double computeSeconds() const { return m_progress.computeSeconds(); }
    // For each replaced worker with work in hand: milliseconds from its loss to that work being sent
    // to its successor.
    const QList<double> &recoveryMs() const { return m_progress.recoveryMs(); }

    // The duration adaptive chunking aims at (see TaskSource).
    static constexpr qint64 TargetTaskNs = TaskSource::TargetTaskNs;
    // How a timed-out or unusable worker is stopped: SIGTERM, then SIGKILL half a second later.
    static StopPlan killPlan() { return StopPlan::graceful(0, 500); }
    // How a recycled worker is stopped: asked first.
    static StopPlan recyclePlan() { return StopPlan::graceful(1000, 500); }

Q_SIGNALS:
    void errorReported(const brigade::ErrorReport &report);
    void progressChanged();
    // All tasks are done or given up (status Ok or Failed), or the run was cancelled or halted.
    void finished(brigade::RunStatus status);

private:
    struct Task {
        qint64 id = 0;    // on the wire: unique among the run's tasks and pieces
        qint64 order = 0; // the planned task it is or is a piece of: delivery order, reports
        qint64 begin = 0;
        qint64 end = 0;
        qint64 wholeBegin = 0; // the planned task's items: delivery waits until all of them are in
        qint64 wholeEnd = 0;
        int attempts = 0; // failed attempts at these items (a piece inherits its parent's)
    };
    struct Slot {
        std::deque<Task> assigned; // front: running; the rest: prefetched
        std::deque<Task> orphans;  // tasks of this slot's previous worker, retried on its fresh successor
        int dispatched = 0;        // tasks given to the current worker (for recycling)
        int deathsBeforeReady = 0; // successive workers that died before saying Ready
        double taskNs = 0;         // running mean of the worker's task run times (0: none yet)
        // After a death nothing explains, amid tasks whose results the worker may still have held:
        // the orphans go to the successor one at a time, so that the next death names its task.
        bool careful = false;
        qint64 lostAtNs = -1; // when the previous worker went, until its orphans run again
        std::unique_ptr<Alarm> timeout;
        QStringList logTail;     // the current worker's last stderr lines
        bool gone = false;       // lost for good: the backend cannot replace it
        WorkerSnapshot view;     // view.state is the slot's one state: Idle and Busy take tasks
        qint64 frontSinceMs = 0; // when the running task started (ms since start())
    };

    static bool isReady(const Slot &slot)
    {
        return slot.view.state == WorkerState::Idle || slot.view.state == WorkerState::Busy;
    }
    void onReady(int slot, const WorkerInfo &info);
    void onLogLine(int slot, qint64 pid, const QString &line);
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
    bool hasWork() const;
    void frontChanged(int slot);
    // A task's span on the timeline: from its measured start when its worker timed it (runNs >= 0), else
    // from when it became the worker's front task (wasRunning), else a point.
    void recordSpan(int slot, const Task &task, bool failed, bool wasRunning, qint64 runNs = -1);
    // Replaces the slot's worker: its running task is charged by the caller; the rest become orphans.
    void replaceWorker(int slot, const StopPlan &how);
    // A fresh worker for the slot (its orphans wait for it), or, where the backend cannot replace
    // workers, none: the orphans go to the shared retry queue.
    void renewWorker(int slot, const StopPlan &how);
    void send(int slot, MessageType type, QCborMap body);
    void complete(const Task &task, std::optional<QCborValue> value);
    // Charges the task for a failed attempt and retries it, gives it up (a single item out of attempts),
    // or splits it (item-level fault isolation): around the item the worker named, else in halves when
    // the attempts are out or the attempt killed its worker (`workerLost`), so that exactly the failing
    // items end up given up and every other item is computed.
    void failAttempt(Task task, ErrorReport report, std::deque<Task> *retryQueue, bool workerLost = false);
    Task piece(const Task &parent, qint64 begin, qint64 end, int attempts);
    void giveUp(const Task &task); // out of attempts: quarantined, delivered as a gap
    void halt(RunStatus status);
    void checkFinished();

    WorkerBackend *m_backend;
    std::unique_ptr<Reducer> m_reducer;
    SchedulerSettings m_settings;
    TaskSource m_source;
    FaultPolicy m_faults;
    OrderedDelivery m_delivery; // ordered runs only
    QCborMap m_attachBody;
    qint64 m_window = 0;      // ordered: how far past the next undelivered task dispatch may run (at least)
    int m_batch = 0;          // > 0 while a batch of results is taken: dispatching waits for its end
    qint64 m_batchNowMs = -1; // the batch's arrival, read once for all of its results
    qint64 nowMs() const { return m_batchNowMs >= 0 ? m_batchNowMs : elapsedNs() / 1'000'000; }
    qint64 elapsedNs() const { return m_started ? m_clock->nsecsElapsed() - m_startNs : 0; }
    bool m_dispatchWanted = false;

    std::vector<Slot> m_slots;
    std::deque<Task> m_retry; // failed attempts whose worker lives on: retried by any worker
    qint64 m_nextPieceId = 0; // wire ids of pieces, past every planned task's
    RestoreRows m_restoreRows;
    RunProgress m_progress;
    bool m_finished = false;
    std::unique_ptr<EngineClock> m_ownClock;
    EngineClock *m_clock;
    qint64 m_startNs = 0;
    bool m_started = false;
    static constexpr qsizetype MaxLogTail = 50;
};

} // namespace brigade
