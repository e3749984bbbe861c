#include "core/engine/workerprocess.h"

#include <QFile>
#include <QTimer>

#include <csignal>
#include <cstring>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

QString signalName(int sig)
{
    const char *abbrev = ::sigabbrev_np(sig);
    return abbrev ? u"SIG"_s + QLatin1StringView(abbrev) : u"signal %1"_s.arg(sig);
}

namespace {

// The kernel's count of OOM kills so far (/proc/vmstat), or -1 where it is not available.
qint64 oomKillCount()
{
    QFile vmstat(u"/proc/vmstat"_s);
    if (!vmstat.open(QIODevice::ReadOnly | QIODevice::Text))
        return -1;
    for (const QByteArray &line : vmstat.readAll().split('\n')) { // /proc sizes read as 0: no atEnd()
        if (line.startsWith("oom_kill "))
            return line.mid(9).trimmed().toLongLong();
    }
    return -1;
}

bool isFromWorker(MessageType type)
{
    return static_cast<int>(type) >= static_cast<int>(MessageType::Ready);
}

} // namespace

WorkerProcess::WorkerProcess(QString program, QObject *parent)
    : QObject(parent)
{
    m_process.setProgram(std::move(program));
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    const pid_t parentPid = ::getpid();
    // Runs in the child between fork and exec: die with the parent, and inherit no stray descriptors.
    // PR_SET_PDEATHSIG fires when the forking *thread* ends, so the engine thread outlives its workers.
    m_process.setChildProcessModifier([parentPid] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parentPid)
            ::_exit(1);
        ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
    });
    connect(&m_process, &QProcess::readyReadStandardOutput, this, &WorkerProcess::readFrames);
    connect(&m_process, &QProcess::readyReadStandardError, this, &WorkerProcess::readStderr);
    connect(&m_process, &QProcess::finished, this, &WorkerProcess::onFinished);
    connect(&m_process, &QProcess::errorOccurred, this, &WorkerProcess::onError);
}

WorkerProcess::~WorkerProcess()
{
    m_stopping = true;
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
}

void WorkerProcess::start()
{
    m_oomKillsAtStart = oomKillCount();
    m_process.start(QIODevice::ReadWrite);
    m_pid = m_process.processId();
    send(MessageType::Hello, {{field::Version, ProtocolVersion}});
}

void WorkerProcess::send(MessageType type, const QCborMap &body)
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.write(encodeFrame(type, body));
}

void WorkerProcess::stop(int requestWaitMs, int terminateWaitMs)
{
    m_stopping = true;
    if (m_process.state() == QProcess::NotRunning)
        return;
    send(MessageType::Shutdown);
    m_process.closeWriteChannel();
    if (m_process.waitForFinished(requestWaitMs))
        return;
    m_process.terminate();
    if (m_process.waitForFinished(terminateWaitMs))
        return;
    m_process.kill();
    m_process.waitForFinished(2000);
}

void WorkerProcess::retire(int requestWaitMs, int terminateWaitMs)
{
    m_stopping = true;
    if (m_process.state() == QProcess::NotRunning) {
        QTimer::singleShot(0, this, &WorkerProcess::gone);
        return;
    }
    auto kill = [this] { m_process.kill(); };
    auto terminate = [this, terminateWaitMs, kill] {
        m_process.terminate();
        QTimer::singleShot(terminateWaitMs, this, kill);
    };
    if (requestWaitMs > 0) {
        send(MessageType::Shutdown);
        m_process.closeWriteChannel();
        QTimer::singleShot(requestWaitMs, this, terminate);
    } else {
        terminate();
    }
}

void WorkerProcess::readFrames()
{
    m_reader.append(m_process.readAllStandardOutput());
    while (!m_pendingLoss) {
        auto next = m_reader.next();
        if (!next)
            return;
        if (next->ok() && !isFromWorker(next->value().type))
            next.emplace(Failure{FailureCode::Protocol,
                                 u"worker sent a %1 message, which only the parent sends"_s.arg(
                                     QString(messageTypeName(next->value().type))),
                                 {},
                                 -1});
        if (!next->ok()) {
            // A stream that spoke one bad frame cannot be trusted: stop the worker, report once it is gone.
            m_pendingLoss =
                WorkerLoss{u"protocol"_s, m_pid, -1, 0, u"protocol error: "_s + next->failure().message, {}};
            m_process.kill();
            return;
        }
        Message message = std::move(*next).value();
        if (message.type == MessageType::Ready && !m_ready) {
            if (message.body.value(field::Version).toInteger() != ProtocolVersion) {
                m_pendingLoss = WorkerLoss{u"protocol"_s,
                                           m_pid,
                                           -1,
                                           0,
                                           u"worker speaks protocol version %1, expected %2"_s
                                               .arg(message.body.value(field::Version).toInteger())
                                               .arg(ProtocolVersion),
                                           {}};
                m_process.kill();
                return;
            }
            m_ready = true;
            Q_EMIT ready(m_pid);
            continue;
        }
        Q_EMIT messageReceived(message);
    }
}

void WorkerProcess::readStderr()
{
    m_stderrPartial.append(m_process.readAllStandardError());
    qsizetype start = 0;
    while (true) {
        const qsizetype eol = m_stderrPartial.indexOf('\n', start);
        if (eol < 0)
            break;
        const QString line = QString::fromLocal8Bit(m_stderrPartial.constData() + start, eol - start);
        start = eol + 1;
        m_stderrTail.append(line);
        if (m_stderrTail.size() > StderrTailLines)
            m_stderrTail.removeFirst();
        Q_EMIT stderrLine(line);
    }
    m_stderrPartial.remove(0, start);
}

void WorkerProcess::onFinished(int exitCode, QProcess::ExitStatus status)
{
    readFrames();
    readStderr();
    if (!m_stderrPartial.isEmpty()) {
        m_stderrPartial.append('\n');
        readStderr();
    }
    if (m_stopping) {
        Q_EMIT gone();
        return;
    }
    if (m_pendingLoss) {
        WorkerLoss loss = *m_pendingLoss;
        loss.stderrTail = m_stderrTail;
        fail(std::move(loss));
        return;
    }
    WorkerLoss loss;
    loss.pid = m_pid;
    loss.stderrTail = m_stderrTail;
    if (status == QProcess::CrashExit) {
        loss.kind = u"signal"_s;
        loss.signal = exitCode;
        loss.message = u"worker killed by %1"_s.arg(signalName(exitCode));
        if (exitCode == SIGKILL) {
            // Brigade did not send it (it retires workers through m_stopping): the kernel did.
            const qint64 oomKills = oomKillCount();
            loss.message +=
                oomKills > m_oomKillsAtStart && m_oomKillsAtStart >= 0
                    ? u" (out of memory: the kernel's OOM killer struck)"_s
                    : u" (likely out of memory: SIGKILL from outside is how the kernel's OOM killer acts)"_s;
        }
    } else {
        loss.kind = u"exit"_s;
        loss.exitCode = exitCode;
        loss.message = u"worker exited with code %1"_s.arg(exitCode);
    }
    fail(std::move(loss));
}

void WorkerProcess::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return;
    fail(WorkerLoss{u"start"_s,
                    0,
                    -1,
                    0,
                    u"cannot start %1: %2"_s.arg(m_process.program(), m_process.errorString()),
                    {}});
}

void WorkerProcess::fail(WorkerLoss loss)
{
    if (m_lostReported)
        return;
    m_lostReported = true;
    m_ready = false;
    Q_EMIT lost(loss);
}

} // namespace brigade
