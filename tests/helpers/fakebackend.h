// An in-process backend and clock for scheduler tests: workers are records that answer when the test says,
// with the real job's run() over their items (or a scripted value), and die, hang or fail on command.
// Nothing runs on its own: no processes, no threads, no timers; the clock moves only in advance().
#pragma once

#include "core/engine/clock.h"
#include "core/engine/workerbackend.h"
#include "core/jobs/job.h"

#include <QCborValue>
#include <QList>

#include <functional>
#include <vector>

namespace brigade::test {

class FakeAlarm;

class FakeClock final : public EngineClock
{
public:
    qint64 nsecsElapsed() const override { return m_nowNs; }
    std::unique_ptr<Alarm> makeAlarm(std::function<void()> fire) override;
    // Moves time on by `ms`, firing each alarm that falls due on the way, in the order they fall due.
    void advance(qint64 ms);
    // Alarms armed now.
    int armed() const;

private:
    friend class FakeAlarm;
    qint64 m_nowNs = 0;
    std::vector<FakeAlarm *> m_alarms;
};

// A task as a worker received it: [id, begin, end, attempt].
struct FakeTask {
    qint64 id = -1;
    qint64 begin = 0;
    qint64 end = 0;
    int attempt = 0;
    bool operator==(const FakeTask &) const = default;
};

class FakeBackend final : public WorkerBackend
{
    Q_OBJECT

public:
    // `compute`: a task's value from its items; the real job's run() by default (see runsJob()).
    using Compute = std::function<QCborValue(const FakeTask &task)>;

    explicit FakeBackend(QObject *parent = nullptr);

    // Tasks run the job's own run() in process, with these parameters, over `data` (none: no dataset).
    void runsJob(const Job *job, QVariantMap params, SharedArray *data = nullptr);
    void setCompute(Compute compute) { m_compute = std::move(compute); }
    // The run time a worker reports for a task (the adaptive chunking learns from it); 1 µs by default.
    void setTaskNs(std::function<qint64(const FakeTask &)> ns) { m_taskNs = std::move(ns); }
    void setCanReplace(bool can) { m_canReplace = can; }
    // Tasks for which this says true throw instead of giving a result, when answered.
    void setThrows(std::function<bool(const FakeTask &)> throws) { m_throws = std::move(throws); }
    // Per task, the item at which it fails when answered (-1: none), as a job that marks its items would:
    // it throws, naming the item in its Error; or it kills its worker, whose crash note names the task and,
    // with `noteItem`, the item.
    void setThrowsAt(std::function<qint64(const FakeTask &)> at) { m_throwsAt = std::move(at); }
    void setCrashesAt(std::function<qint64(const FakeTask &)> at, bool noteItem)
    {
        m_crashesAt = std::move(at);
        m_noteItem = noteItem;
    }

    void start(int count) override;
    int size() const override { return int(m_workers.size()); }
    void send(int worker, const Message &message) override;
    bool canReplace() const override { return m_canReplace; }
    void replace(int worker, const StopPlan &plan) override;
    void stop(const StopPlan &plan) override;

    // Controls. A worker says Ready only when told (ready(), or settle()).
    void ready(int worker);
    // The worker sends the results of its first `count` held tasks in one batch (all: -1).
    void answer(int worker, int count = -1);
    // The worker reports an exception in the held task `id`.
    void throwIn(int worker, qint64 id, const QString &stage = QStringLiteral("task"));
    // The worker dies of SIGSEGV; with `notedTask`, its crash note names that task (-1: between tasks).
    void crash(int worker, std::optional<qint64> notedTask = std::nullopt, qint64 notedItem = -1);
    // The worker stops answering (settle() passes it by) until replaced.
    void hang(int worker) { m_workers[size_t(worker)].hung = true; }
    void resume(int worker) { m_workers[size_t(worker)].hung = false; }
    // The worker writes a line to stderr.
    void logLine(int worker, const QString &line);
    // Until nothing moves: every worker not yet ready says Ready, every live one answers all it holds.
    void settle();

    // What the workers got.
    const QList<FakeTask> &held(int worker) const { return m_workers[size_t(worker)].held; }
    qint64 pid(int worker) const { return m_workers[size_t(worker)].pid; }
    bool isReady(int worker) const { return m_workers[size_t(worker)].ready; }
    int attaches(int worker) const { return m_workers[size_t(worker)].attaches; }
    int cancels(int worker) const { return m_workers[size_t(worker)].cancels; }
    // Every task sent, to any worker, in the order sent; and every task answered with a result.
    const QList<FakeTask> &sent() const { return m_sent; }
    const QList<FakeTask> &answered() const { return m_answered; }
    const QList<StopPlan> &replacePlans() const { return m_replacePlans; }
    int stops() const { return m_stops; }
    int replacements() const { return int(m_replacePlans.size()); }

private:
    struct Worker {
        qint64 pid = 0;
        bool ready = false;
        bool hung = false;
        bool cancelled = false;
        bool lost = false;
        int attaches = 0;
        int cancels = 0;
        QList<FakeTask> held;
    };
    void launch(int worker);

    std::vector<Worker> m_workers;
    Compute m_compute;
    std::function<qint64(const FakeTask &)> m_taskNs;
    std::function<bool(const FakeTask &)> m_throws;
    std::function<qint64(const FakeTask &)> m_throwsAt;
    std::function<qint64(const FakeTask &)> m_crashesAt;
    bool m_noteItem = false;
    bool m_canReplace = true;
    qint64 m_nextPid = 1000;
    QList<FakeTask> m_sent;
    QList<FakeTask> m_answered;
    QList<StopPlan> m_replacePlans;
    int m_stops = 0;
};

} // namespace brigade::test
