// JobRun: one observable run of a job. The work happens in an engine thread; observers (the window,
// the terminal bar, tests) see queued signals: throttled progress snapshots, error reports, the finish.
#pragma once

#include "core/run/progress.h"
#include "core/run/runoutcome.h"
#include "core/run/runrequest.h"

#include <QObject>

class QThread;

namespace brigade {

class RunEngine;

class JobRun : public QObject
{
    Q_OBJECT

public:
    explicit JobRun(RunRequest request, QObject *parent = nullptr);
    ~JobRun() override; // cancels a run still going and waits until its workers are gone

    // Checks the job name, parameters and input choice, without touching any file.
    static Result<void> validate(const RunRequest &request);

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
    // Every line a worker writes to stderr, tagged with its pid (queued from the engine thread).
    void workerLogLine(qint64 pid, const QString &line);

private:
    void onEngineDone(const RunOutcome &outcome);

    RunRequest m_request;
    RunOutcome m_outcome;
    QThread *m_thread = nullptr;
    RunEngine *m_engine = nullptr; // owned by its thread; valid while m_running
    bool m_running = false;
};

} // namespace brigade
