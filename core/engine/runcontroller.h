// RunController: the runs of one front end (the window or the command line), without widgets: the queue,
// the current run and the history record of every finished run. Views observe its signals.
#pragma once

#include "core/engine/jobrun.h"

#include <QDateTime>
#include <QList>
#include <QObject>

#include <optional>

namespace brigade {

// The one validation of a request: the job, its parameters, every run setting (the spec table of
// core/run/runsettings.h), the output format and the input the job takes. Touches no file.
Result<void> validateRunRequest(const RunRequest &request);

class RunController : public QObject
{
    Q_OBJECT

public:
    enum class QueueState { Queued, Running, Done, Failed, Cancelled };
    struct QueueItem {
        int id = 0;
        RunRequest request;
        QueueState state = QueueState::Queued;
        QString note; // e.g. "3.2 s" or the failure
    };

    // origin: what the history records as the run's origin ("gui", "cli").
    explicit RunController(QString origin, QObject *parent = nullptr);
    ~RunController() override;

    // Validates the request (once) and starts it, or queues it behind the run going. Returns the
    // failure of the validation, and then neither starts nor queues.
    Result<void> submit(RunRequest request);
    // Queues a request unchecked (it is validated when its turn comes); starts it when no run goes.
    int enqueue(RunRequest request);
    void cancel();

    // The latest run (running or finished), or null before the first one.
    JobRun *currentRun() const { return m_run; }
    bool isRunning() const { return m_run && m_run->isRunning(); }
    // The queue item the current run is, 0 for a run not started from the queue.
    int currentQueueId() const { return m_queueId; }
    QDateTime currentStarted() const { return m_started; }

    const QList<QueueItem> &queue() const { return m_queue; }
    qsizetype waiting() const;
    // Queued items only: moves one place up (-1) or down (+1) past the nearest queued item, or removes it.
    bool move(int id, int delta);
    bool remove(int id);
    void clearFinished();

    // False: finished runs are not recorded in the history (e.g. a trial of the settings).
    void setRecordsHistory(bool records) { m_recordsHistory = records; }

Q_SIGNALS:
    // A run has started; observers connect to its signals here.
    void runStarted(brigade::JobRun *run);
    // A run has finished and is in the history (or historyFailed was emitted first).
    void runFinished(const brigade::RunOutcome &outcome);
    void historyRecorded();
    void historyFailed(const brigade::Failure &failure);
    // A queued request failed its validation when its turn came.
    void queuedRunRefused(int id, const brigade::Failure &failure);
    void queueChanged();

private:
    void start(RunRequest request, int queueId);
    void startNext();
    void onFinished(JobRun *run, const RunOutcome &outcome);
    void setState(int id, QueueState state, const QString &note);

    QString m_origin;
    JobRun *m_run = nullptr;
    int m_queueId = 0;
    QDateTime m_started;
    QList<QueueItem> m_queue;
    int m_nextId = 1;
    bool m_recordsHistory = true;
};

} // namespace brigade
