// One local brigade-worker process: owns its QProcess, reads frames without blocking, keeps its stderr tail,
// and tells why it died (exit, signal, the OOM killer, a malformed frame, its own crash note).
#pragma once

#include "core/engine/workerbackend.h"
#include "core/protocol/framing.h"

#include <QObject>
#include <QProcess>
#include <QStringList>

#include <optional>

namespace brigade {

class WorkerProcess : public QObject
{
    Q_OBJECT

public:
    WorkerProcess(QString program, QObject *parent = nullptr);
    ~WorkerProcess() override; // kills a process still running

    void start();
    void send(const Message &message);
    // What one step of a stop plan does to this process (the one place a step's meaning is written).
    // From then on the process reports no loss: whoever stops it has accounted for its work.
    void applyStopStep(StopStep step);
    // Runs a stop plan without blocking, a timer per wait; emits gone() once the process has exited.
    void retire(const StopPlan &plan);
    // Blocks up to `ms` for the process to exit; true when it is gone.
    bool waitGone(int ms);

    qint64 pid() const { return m_pid; }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    static constexpr int StderrTailLines = 50;

Q_SIGNALS:
    void ready(qint64 pid);
    void messageReceived(const brigade::Message &message);
    void stderrLine(const QString &line);
    void lost(const brigade::WorkerLoss &loss);
    // A stopped or retired process has exited.
    void gone();

private:
    void readFrames();
    void readStderr();
    void retireStep(const StopPlan &plan, qsizetype index);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onError(QProcess::ProcessError error);
    void fail(WorkerLoss loss);

    QProcess m_process;
    FrameReader m_reader;
    QByteArray m_stderrPartial;
    QStringList m_stderrTail;
    qint64 m_pid = 0;
    bool m_ready = false;
    bool m_lostReported = false;
    bool m_stopping = false;
    std::optional<WorkerLoss> m_pendingLoss; // a protocol failure, reported once the process is gone
    qint64 m_oomKillsAtStart = -1;
};

} // namespace brigade
