// The seam between the scheduler and whatever runs the workers: start them, send them messages, hear
// their messages, their log lines and their losses, replace one, stop them all. LocalBackend runs
// brigade-worker processes on this machine; a cluster backend (srun, mpirun, ssh) fills the same seam.
#pragma once

#include "core/base/result.h"
#include "core/protocol/message.h"
#include "core/run/errorreport.h"
#include "core/run/progress.h"
#include "core/run/stopplan.h"

#include <QMetaType>
#include <QObject>
#include <QStringList>

namespace brigade {

struct RunRequest;

// Who a worker is, as its backend tells it once the worker said Ready.
struct WorkerInfo {
    QString label; // for a person: "local 3"
    QString host;  // where it runs
    qint64 pid = 0;
};

// Why a worker left: what the backend saw, and what the worker itself said of its death (a crash note).
struct WorkerLoss {
    ErrorKind kind = ErrorKind::Lost; // signal, exit, protocol, start, lost
    qint64 pid = 0;
    int exitCode = -1; // for Exit
    int signal = 0;    // for Signal
    QString message;   // for a person
    // The worker's own word: it named the task and stage it was in (-1 and empty: between tasks), and the
    // trace. Without it, the backend does not know which of the tasks in hand the worker was on.
    bool selfReported = false;
    qint64 task = -1;
    qint64 item = -1; // the item of that task the job was on, when it said (TaskContext::atItem)
    QString stage;
    QString trace;
    QStringList logTail; // the worker's last stderr lines
};

// "SIGSEGV" for 11, and so on.
QString signalName(int signal);

// The error report a loss makes, before the scheduler says which task it charges.
ErrorReport lossReport(const WorkerLoss &loss);

class WorkerBackend : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    // Starts `count` workers (at least one); each says workerReady or workerLost.
    virtual void start(int count) = 0;
    virtual int size() const = 0;
    virtual void send(int worker, const Message &message) = 0;
    // Whether a lost or unusable worker can be replaced by a fresh one (replace()).
    virtual bool canReplace() const = 0;
    // Puts a fresh worker in the slot at once; the old one is stopped in the background by `plan` and
    // reports nothing more.
    virtual void replace(int worker, const StopPlan &plan) = 0;
    // Blocks until every worker is gone, the steps applied to all of them together.
    virtual void stop(const StopPlan &plan) = 0;

    // Fills in the CPU and memory figures of the workers the backend can measure (-1 where it cannot).
    virtual void fillUsage(QList<WorkerSnapshot> &workers) { Q_UNUSED(workers); }
    // The peak memory of the run's processes summed (the parent and the workers still there), -1 unknown.
    virtual qint64 peakMemoryBytes() const { return -1; }

Q_SIGNALS:
    void workerReady(int worker, const brigade::WorkerInfo &info);
    void messageReceived(int worker, const brigade::Message &message);
    void workerLost(int worker, const brigade::WorkerLoss &loss);
    // Every line the worker wrote to stderr, as it comes.
    void workerLogLine(int worker, qint64 pid, const QString &line);
};

// The backends a run can name in RunRequest::backend.
QStringList backendNames();
// The backend a request names, with its settings; a usage failure for a name not in backendNames().
Result<WorkerBackend *> createBackend(const RunRequest &request, QObject *parent);

} // namespace brigade

Q_DECLARE_METATYPE(brigade::WorkerInfo)
Q_DECLARE_METATYPE(brigade::WorkerLoss)
