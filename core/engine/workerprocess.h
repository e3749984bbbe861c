// One brigade-worker process: owns its QProcess, reads frames without blocking, speaks in domain signals.
#pragma once

#include "core/protocol/framing.h"

#include <QObject>
#include <QProcess>
#include <QStringList>

namespace brigade {

// Why a worker left: it exited, died of a signal, failed to start, or spoke a malformed frame.
struct WorkerLoss {
    QString kind; // exit, signal, start, protocol
    qint64 pid = 0;
    int exitCode = -1;
    int signal = 0;
    QString message;
    QStringList stderrTail;
};

// "SIGSEGV" for 11, and so on.
QString signalName(int signal);

class WorkerProcess : public QObject
{
    Q_OBJECT

public:
    WorkerProcess(QString program, QObject *parent = nullptr);
    ~WorkerProcess() override;

    void start();
    void send(MessageType type, const QCborMap &body = {});
    // Blocks (the engine thread only) until the process is gone: Shutdown, then SIGTERM, then SIGKILL.
    void stop(int requestWaitMs, int terminateWaitMs);
    // The same steps without blocking (a request wait of 0 skips the Shutdown); emits gone() at the end.
    // A retiring worker reports no loss: whoever retires it has already accounted for its work.
    void retire(int requestWaitMs, int terminateWaitMs);

    qint64 pid() const { return m_pid; }
    bool isReady() const { return m_ready; }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }
    const QStringList &stderrTail() const { return m_stderrTail; }

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

Q_DECLARE_METATYPE(brigade::WorkerLoss)
