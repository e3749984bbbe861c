// The small interface between the scheduler and whatever runs the workers: start, send, receive, stop.
// ProcessPool runs local brigade-worker processes; another backend (mpirun, srun) can slot in here.
#pragma once

#include "core/engine/workerprocess.h"
#include "core/run/stopactions.h"

#include <QObject>

#include <vector>

namespace brigade {

class WorkerPool : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    virtual void start(int workers) = 0;
    virtual int size() const = 0;
    virtual void send(int slot, MessageType type, const QCborMap &body = {}) = 0;
    // Replaces the worker in a slot by a fresh one at once; the old one is stopped in the background by
    // `how` (a request wait of 0 goes straight to SIGTERM) and reports nothing more.
    virtual void restart(int slot, const StopActions &how) = 0;
    // Blocks until every worker is gone: request, wait, terminate, wait, kill.
    virtual void stop(const StopActions &actions) = 0;
    virtual qint64 pid(int slot) const = 0;
    virtual QStringList stderrTail(int slot) const = 0;

Q_SIGNALS:
    void workerReady(int slot, qint64 pid);
    void messageReceived(int slot, const brigade::Message &message);
    void workerLost(int slot, const brigade::WorkerLoss &loss);
    void stderrLine(int slot, qint64 pid, const QString &line);
};

class ProcessPool final : public WorkerPool
{
    Q_OBJECT

public:
    explicit ProcessPool(QString program, QObject *parent = nullptr);
    ~ProcessPool() override;

    void start(int workers) override;
    int size() const override { return int(m_workers.size()); }
    void send(int slot, MessageType type, const QCborMap &body = {}) override;
    void restart(int slot, const StopActions &how) override;
    void stop(const StopActions &actions) override;
    qint64 pid(int slot) const override;
    QStringList stderrTail(int slot) const override;

    // The absolute path of brigade-worker: $BRIGADE_WORKER, else beside the running binary, else the
    // installed location relative to it. Never looked up through PATH.
    static QString defaultWorkerProgram();

private:
    void launch(int slot);

    QString m_program;
    std::vector<WorkerProcess *> m_workers;
    QList<WorkerProcess *> m_retiring; // replaced, still on their way out
};

} // namespace brigade
