// Scheduler: hands tasks to idle workers (one prefetched each), retries the tasks of failed attempts,
// and delivers results to the job's reducer in task order (imap) or as they finish (imap_unordered).
#pragma once

#include "core/jobs/job.h"
#include "core/pool/errorreport.h"
#include "core/pool/progress.h"
#include "core/pool/workerpool.h"

#include <QElapsedTimer>
#include <QObject>

#include <deque>
#include <map>
#include <optional>
#include <vector>

namespace brigade {

struct SchedulerSettings {
    qint64 chunkSize = 0; // items per task; 0 chooses automatically
    bool ordered = true;
    int retries = 1; // further attempts of a task after a failed one
};

enum class RunStatus { Ok, Failed, Cancelled };

class Scheduler : public QObject
{
    Q_OBJECT

public:
    Scheduler(WorkerPool *pool, const Job *job, std::unique_ptr<Reducer> reducer, qint64 items,
              const SchedulerSettings &settings, QCborMap attachBody, QObject *parent = nullptr);

    void start();
    void cancel();

    ProgressSnapshot snapshot() const;
    qint64 chunkSize() const { return m_chunk; }
    qint64 tasksTotal() const { return (m_items + m_chunk - 1) / m_chunk; }
    qint64 failedTasks() const { return m_failedTasks; }
    Reducer &reducer() { return *m_reducer; }
    // Milliseconds from start() until every worker first said Ready (-1 until then).
    qint64 allReadyMs() const { return m_allReadyMs; }

    static qint64 autoChunkSize(qint64 items, int workers);

Q_SIGNALS:
    void errorReported(const brigade::ErrorReport &report);
    void progressChanged();
    // All tasks are done or given up (status Ok or Failed), or the run was cancelled.
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
        bool ready = false;
        WorkerSnapshot view;
    };

    void onReady(int slot, qint64 pid);
    void onMessage(int slot, const Message &message);
    void onLost(int slot, const WorkerLoss &loss);
    void dispatch(int slot);
    std::optional<Task> nextTask();
    bool hasWork() const { return !m_retry.empty() || m_nextBegin < m_items; }
    void complete(const Task &task, std::optional<QCborValue> value);
    void failAttempt(Task task, ErrorReport report);
    void checkFinished();

    WorkerPool *m_pool;
    const Job *m_job;
    std::unique_ptr<Reducer> m_reducer;
    qint64 m_items;
    SchedulerSettings m_settings;
    QCborMap m_attachBody;
    qint64 m_chunk = 1;

    std::vector<Slot> m_slots;
    std::deque<Task> m_retry;
    qint64 m_nextBegin = 0;
    qint64 m_nextId = 0;
    qint64 m_nextDelivery = 0; // ordered: the next task id to reduce
    std::map<qint64, std::pair<Task, std::optional<QCborValue>>> m_waiting; // ordered: results ahead of it
    qint64 m_itemsDone = 0;
    qint64 m_tasksDone = 0;
    qint64 m_failedTasks = 0;
    qint64 m_allReadyMs = -1;
    int m_readyCount = 0;
    bool m_cancelled = false;
    bool m_finished = false;
    QElapsedTimer m_clock;
};

} // namespace brigade

Q_DECLARE_METATYPE(brigade::RunStatus)
