// JobRun: one observable run of a job. The work happens in an engine thread; observers (the window,
// the terminal bar, tests) see queued signals: throttled progress snapshots, error reports, the finish.
#pragma once

#include "core/data/dataset.h"
#include "core/pool/errorreport.h"
#include "core/pool/progress.h"
#include "core/pool/scheduler.h"
#include "core/pool/stopactions.h"

#include <QObject>
#include <QPointer>

class QThread;

namespace brigade {

struct RunRequest {
    QString job;
    QVariantMap params; // given values, as text (CLI) or typed (GUI); defaults fill the rest
    DatasetSource input;
    QString output;       // written atomically, only when the run succeeds
    int workers = 0;      // 0: one per core
    qint64 chunkSize = 0; // 0: automatic
    bool ordered = true;
    int retries = 2; // further attempts after a failed one
    HaltPolicy halt = HaltPolicy::Never;
    double timeoutSeconds = 0; // per task; 0: none
    int maxTasksPerWorker = 0; // 0: workers are never recycled
    qint64 memoryLimit = 0;    // bytes for the parent and its workers together; 0: what is available
    QString workerProgram;     // empty: ProcessPool::defaultWorkerProgram()
    StopActions stopActions;
    // Not empty: only these item ranges [begin, end) are run ("retry failed tasks"); empty: all items.
    QList<std::pair<qint64, qint64>> onlyRanges;
    bool planOnly =
        false; // load and plan, then finish without starting a worker (see RunOutcome::plannedItems)
    int priorAttempts = 0; // attempts an earlier run made at onlyRanges: attempt numbers go on from it
};

struct RunOutcome {
    RunStatus status = RunStatus::Failed;
    QCborMap result;
    std::optional<Failure> failure; // the run could not start or finish: usage, input or system
    QList<ErrorReport> errors;
    int workers = 0;
    qint64 tasks = 0;
    qint64 failedTasks = 0;
    qint64 chunkSize = 0;
    double elapsedSeconds = 0;
    qint64 workersReadyMs = -1;
    // From the first task's start to the last task's end, by the workers' measured run times (-1: no task
    // ended): the compute phase, without process start, loading and attaching.
    double computeSeconds = -1;
    QList<double> recoveryMs; // per replaced worker: from its loss to its work running again
    bool streamed = false;    // the CSV input went through the pool in chunks instead of being loaded
    qint64 chunks = 0;        // of the streamed input
    qint64 chunkBytes = 0;
    qint64 peakMemoryBytes = -1; // the peaks (VmHWM) of the parent and its workers, summed, at the end
    qint64 plannedItems = -1;    // the items the job's plan() counts for its whole input (onlyRanges aside)
    qint64 sharedBytes = 0;      // the dataset's (and output's) shared-memory segments

    // The --json object: {"job", "status", "result", "workers", "tasks", "elapsed_s", "errors", ...}.
    QCborMap toCbor(const QString &job) const;
};

QString runStatusName(RunStatus status);

class RunEngine;

class JobRun : public QObject
{
    Q_OBJECT

public:
    explicit JobRun(RunRequest request, QObject *parent = nullptr);
    ~JobRun() override; // cancels a run still going and waits until its workers are gone

    // Checks the job name, parameters and input choice, without touching any file.
    static std::optional<Failure> validate(const RunRequest &request);

    void start();
    void cancel();

    bool isRunning() const { return m_running; }
    const RunRequest &request() const { return m_request; }
    const RunOutcome &outcome() const { return m_outcome; }

    static constexpr int ProgressIntervalMs = 50;

Q_SIGNALS:
    void progressed(const brigade::ProgressSnapshot &snapshot);
    void errorReported(const brigade::ErrorReport &report);
    void finished(const brigade::RunOutcome &outcome);

private:
    void onEngineDone(const RunOutcome &outcome);

    RunRequest m_request;
    RunOutcome m_outcome;
    QThread *m_thread = nullptr;
    QPointer<RunEngine> m_engine;
    bool m_running = false;
};

} // namespace brigade

Q_DECLARE_METATYPE(brigade::RunOutcome)
