// One local worker process: start, frames both ways, stderr lines, stop steps, and the cause of its death.
#include "core/engine/workerprocess.h"

#include "core/protocol/crashnote.h"

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
        m_process.waitForFinished(StopPlan::KillReapMs);
    }
}

void WorkerProcess::start()
{
    m_oomKillsAtStart = oomKillCount();
    m_process.start(QIODevice::ReadWrite);
    m_pid = m_process.processId();
    send(Message{MessageType::Hello, {{field::Version, ProtocolVersion}}});
}

void WorkerProcess::send(const Message &message)
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.write(encodeFrame(message));
}

void WorkerProcess::applyStopStep(StopStep step)
{
    m_stopping = true;
    if (m_process.state() == QProcess::NotRunning)
        return;
    switch (step) {
    case StopStep::Request:
        send(Message{MessageType::Shutdown, {}});
        m_process.closeWriteChannel();
        return;
    case StopStep::Terminate:
        m_process.terminate();
        return;
    case StopStep::Kill:
        m_process.kill();
        return;
    }
}

bool WorkerProcess::waitGone(int ms)
{
    return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(ms);
}

void WorkerProcess::retire(const StopPlan &plan)
{
    m_stopping = true;
    if (m_process.state() == QProcess::NotRunning) {
        QTimer::singleShot(0, this, &WorkerProcess::gone);
        return;
    }
    retireStep(plan, 0);
}

void WorkerProcess::retireStep(const StopPlan &plan, qsizetype index)
{
    if (index >= plan.actions.size() || m_process.state() == QProcess::NotRunning)
        return; // onFinished() emits gone()
    const StopAction action = plan.actions[index];
    applyStopStep(action.step);
    if (action.step != StopStep::Kill)
        QTimer::singleShot(action.waitMs, this, [this, plan, index] { retireStep(plan, index + 1); });
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
            m_pendingLoss = WorkerLoss{};
            m_pendingLoss->kind = ErrorKind::Protocol;
            m_pendingLoss->message = u"protocol error: "_s + next->failure().message;
            m_process.kill();
            return;
        }
        Message message = std::move(*next).value();
        if (message.type == MessageType::Ready && !m_ready) {
            if (message.body.value(field::Version).toInteger() != ProtocolVersion) {
                m_pendingLoss = WorkerLoss{};
                m_pendingLoss->kind = ErrorKind::Protocol;
                m_pendingLoss->message = u"worker speaks protocol version %1, expected %2"_s
                                             .arg(message.body.value(field::Version).toInteger())
                                             .arg(ProtocolVersion);
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
        fail(*m_pendingLoss);
        return;
    }
    WorkerLoss loss;
    if (status == QProcess::CrashExit) {
        loss.kind = ErrorKind::Signal;
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
        loss.kind = ErrorKind::Exit;
        loss.exitCode = exitCode;
        loss.message = u"worker exited with code %1"_s.arg(exitCode);
    }
    fail(std::move(loss));
}

void WorkerProcess::onError(QProcess::ProcessError error)
{
    if (error != QProcess::FailedToStart)
        return;
    WorkerLoss loss;
    loss.kind = ErrorKind::Start;
    loss.message = u"cannot start %1: %2"_s.arg(m_process.program(), m_process.errorString());
    m_pid = 0;
    fail(std::move(loss));
}

void WorkerProcess::fail(WorkerLoss loss)
{
    if (m_lostReported)
        return;
    m_lostReported = true;
    m_ready = false;
    loss.pid = m_pid;
    loss.logTail = m_stderrTail;
    // The worker's crash handler may have said where it died: the task, the stage, the trace.
    if (const std::optional<CrashNote> note = parseCrashNote(m_stderrTail)) {
        loss.selfReported = true;
        loss.task = note->task;
        loss.item = note->item;
        loss.stage = note->stage;
        loss.trace = note->trace;
    }
    Q_EMIT lost(loss);
}

} // namespace brigade
