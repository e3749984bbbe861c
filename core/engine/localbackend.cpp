// The local backend: a brigade-worker process per slot, replaced on demand, all stopped by one plan.
#include "core/engine/localbackend.h"

#include "core/engine/streaming.h"
#include "core/engine/workerprocess.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QSysInfo>

using namespace Qt::StringLiterals;

namespace brigade {

LocalBackend::LocalBackend(QString program, QObject *parent)
    : WorkerBackend(parent)
    , m_program(std::move(program))
{}

LocalBackend::~LocalBackend()
{
    stop(StopPlan::immediate());
}

QString LocalBackend::defaultWorkerProgram()
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

void LocalBackend::start(int workers)
{
    m_workers.assign(size_t(std::max(workers, 1)), nullptr);
    for (int slot = 0; slot < size(); ++slot)
        launch(slot);
}

void LocalBackend::launch(int slot)
{
    auto *worker = new WorkerProcess(m_program, this);
    m_workers[size_t(slot)] = worker;
    connect(worker, &WorkerProcess::ready, this, [this, slot](qint64 pid) {
        static const QString host = QSysInfo::machineHostName();
        Q_EMIT workerReady(slot, WorkerInfo{u"local %1"_s.arg(slot + 1), host, pid});
    });
    connect(worker, &WorkerProcess::messageReceived, this,
            [this, slot](const Message &message) { Q_EMIT messageReceived(slot, message); });
    connect(worker, &WorkerProcess::lost, this,
            [this, slot](const WorkerLoss &loss) { Q_EMIT workerLost(slot, loss); });
    connect(worker, &WorkerProcess::stderrLine, this,
            [this, slot, worker](const QString &line) { Q_EMIT workerLogLine(slot, worker->pid(), line); });
    worker->start();
}

void LocalBackend::send(int slot, const Message &message)
{
    if (WorkerProcess *w = m_workers.at(size_t(slot)))
        w->send(message);
}

void LocalBackend::replace(int slot, const StopPlan &plan)
{
    if (WorkerProcess *old = m_workers.at(size_t(slot))) {
        old->disconnect(this);
        m_retiring.append(old);
        connect(old, &WorkerProcess::gone, this, [this, old] {
            m_retiring.removeOne(old);
            old->deleteLater(); // it is in the middle of emitting
        });
        old->retire(plan);
    }
    launch(slot);
}

void LocalBackend::stop(const StopPlan &plan)
{
    // Each step goes to every worker still running, then its wait covers them all together: N workers take
    // one grace period, not N.
    QList<WorkerProcess *> all;
    for (WorkerProcess *w : m_workers)
        if (w)
            all.append(w);
    // Replaced workers still on their way out were given up already: they are killed now, not asked
    // again (nothing outlives a run, and a deaf one would hold every step's wait).
    for (WorkerProcess *w : std::exchange(m_retiring, {})) {
        w->disconnect(this);
        w->applyStopStep(StopStep::Kill);
        all.append(w);
    }
    for (const StopAction &action : plan.actions) {
        bool anyRunning = false;
        for (WorkerProcess *w : all) {
            if (w->isRunning()) {
                w->applyStopStep(action.step);
                anyRunning = true;
            }
        }
        if (!anyRunning)
            break;
        const QDeadlineTimer deadline(action.waitMs);
        for (WorkerProcess *w : all)
            w->waitGone(int(std::max<qint64>(0, deadline.remainingTime())));
    }
    for (WorkerProcess *&w : m_workers)
        w = nullptr;
    for (WorkerProcess *w : all) {
        w->disconnect(this);
        delete w;
    }
}

void LocalBackend::fillUsage(QList<WorkerSnapshot> &workers)
{
    m_procStats.fill(workers); // reads /proc at most every few hundred ms
}

qint64 LocalBackend::peakMemoryBytes() const
{
    qint64 bytes = std::max<qint64>(processMemory(0, true), 0);
    for (const WorkerProcess *w : m_workers) // measured before they exit
        if (w)
            bytes += std::max<qint64>(processMemory(w->pid(), true), 0);
    return bytes;
}

} // namespace brigade
