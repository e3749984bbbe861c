// LocalBackend: brigade-worker processes on this machine. Owns everything local: the processes (QProcess,
// PDEATHSIG), stop plans applied to them, /proc CPU and memory sampling and peaks, OOM detection and the
// workers' crash notes (see WorkerProcess).
#pragma once

#include "core/engine/procstat.h"
#include "core/engine/workerbackend.h"

#include <QList>

#include <vector>

namespace brigade {

class WorkerProcess;

class LocalBackend final : public WorkerBackend
{
    Q_OBJECT

public:
    explicit LocalBackend(QString program, QObject *parent = nullptr);
    ~LocalBackend() override; // kills every worker still there

    void start(int count) override;
    int size() const override { return int(m_workers.size()); }
    void send(int worker, const Message &message) override;
    bool canReplace() const override { return true; }
    void replace(int worker, const StopPlan &plan) override;
    void stop(const StopPlan &plan) override;
    void fillUsage(QList<WorkerSnapshot> &workers) override;
    qint64 peakMemoryBytes() const override;

    // The absolute path of brigade-worker: $BRIGADE_WORKER, else beside the running binary, else the
    // installed location relative to it. Never looked up through PATH.
    static QString defaultWorkerProgram();

private:
    void launch(int worker);

    QString m_program;
    std::vector<WorkerProcess *> m_workers;
    QList<WorkerProcess *> m_retiring; // replaced, still on their way out
    ProcStatSampler m_procStats;
};

} // namespace brigade
