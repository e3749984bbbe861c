#include "core/engine/workerpool.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace brigade {

ProcessPool::ProcessPool(QString program, QObject *parent)
    : WorkerPool(parent)
    , m_program(std::move(program))
{}

ProcessPool::~ProcessPool()
{
    stop(StopActions{0, 0});
}

QString ProcessPool::defaultWorkerProgram()
{
    const QString fromEnv = qEnvironmentVariable("BRIGADE_WORKER");
    if (!fromEnv.isEmpty())
        return QFileInfo(fromEnv).absoluteFilePath();
    const QString appDir = QCoreApplication::applicationDirPath();
    for (const QString &candidate :
         {u"/brigade-worker"_s, u"/../lib/brigade/brigade-worker"_s, u"/../libexec/brigade-worker"_s}) {
        const QFileInfo info(appDir + candidate);
        if (info.isExecutable())
            return info.canonicalFilePath();
    }
    return QDir::cleanPath(appDir + u"/brigade-worker"_s);
}

void ProcessPool::start(int workers)
{
    m_workers.assign(size_t(std::max(workers, 1)), nullptr);
    for (int slot = 0; slot < size(); ++slot)
        launch(slot);
}

void ProcessPool::launch(int slot)
{
    auto *worker = new WorkerProcess(m_program, this);
    m_workers[size_t(slot)] = worker;
    connect(worker, &WorkerProcess::ready, this, [this, slot](qint64 pid) { Q_EMIT workerReady(slot, pid); });
    connect(worker, &WorkerProcess::messageReceived, this,
            [this, slot](const Message &message) { Q_EMIT messageReceived(slot, message); });
    connect(worker, &WorkerProcess::lost, this,
            [this, slot](const WorkerLoss &loss) { Q_EMIT workerLost(slot, loss); });
    connect(worker, &WorkerProcess::stderrLine, this,
            [this, slot, worker](const QString &line) { Q_EMIT stderrLine(slot, worker->pid(), line); });
    worker->start();
}

void ProcessPool::send(int slot, MessageType type, const QCborMap &body)
{
    if (WorkerProcess *w = m_workers.at(size_t(slot)))
        w->send(type, body);
}

void ProcessPool::restart(int slot, const StopActions &how)
{
    if (WorkerProcess *old = m_workers.at(size_t(slot))) {
        old->disconnect(this);
        m_retiring.append(old);
        connect(old, &WorkerProcess::gone, this, [this, old] {
            m_retiring.removeOne(old);
            old->deleteLater(); // it is in the middle of emitting
        });
        old->retire(how.requestWaitMs, how.terminateWaitMs);
    }
    launch(slot);
}

void ProcessPool::stop(const StopActions &actions)
{
    // Ask every worker first, then wait on all of them together, so N workers take one grace period.
    for (WorkerProcess *w : m_workers)
        if (w)
            w->send(MessageType::Shutdown);
    const QDeadlineTimer requestDeadline(actions.requestWaitMs);
    for (WorkerProcess *w : m_workers)
        if (w)
            w->stop(int(std::max<qint64>(0, requestDeadline.remainingTime())), actions.terminateWaitMs);
    for (WorkerProcess *&w : m_workers) {
        if (w) {
            w->disconnect(this);
            delete w;
            w = nullptr;
        }
    }
    // Replaced workers still on their way out go now too: nothing outlives the pool.
    for (WorkerProcess *w : std::exchange(m_retiring, {})) {
        w->disconnect(this);
        delete w;
    }
}

qint64 ProcessPool::pid(int slot) const
{
    const WorkerProcess *w = m_workers.at(size_t(slot));
    return w ? w->pid() : 0;
}

QStringList ProcessPool::stderrTail(int slot) const
{
    const WorkerProcess *w = m_workers.at(size_t(slot));
    return w ? w->stderrTail() : QStringList();
}

} // namespace brigade
