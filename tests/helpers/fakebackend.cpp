// The in-process backend and clock of the scheduler tests.
#include "fakebackend.h"

#include "core/protocol/crashnote.h"

#include <QCborArray>

#include <algorithm>
#include <csignal>

using namespace Qt::StringLiterals;

namespace brigade::test {

class FakeAlarm final : public Alarm
{
public:
    FakeAlarm(FakeClock *clock, std::function<void()> fire)
        : m_clock(clock)
        , m_fire(std::move(fire))
    {
        m_clock->m_alarms.push_back(this);
    }
    ~FakeAlarm() override { std::erase(m_clock->m_alarms, this); }
    void start(int ms) override { m_dueNs = m_clock->m_nowNs + qint64(std::max(ms, 1)) * 1'000'000; }
    void stop() override { m_dueNs = -1; }

    FakeClock *m_clock;
    std::function<void()> m_fire;
    qint64 m_dueNs = -1;
};

std::unique_ptr<Alarm> FakeClock::makeAlarm(std::function<void()> fire)
{
    return std::make_unique<FakeAlarm>(this, std::move(fire));
}

int FakeClock::armed() const
{
    return int(std::count_if(m_alarms.begin(), m_alarms.end(), [](FakeAlarm *a) { return a->m_dueNs >= 0; }));
}

void FakeClock::advance(qint64 ms)
{
    const qint64 until = m_nowNs + ms * 1'000'000;
    while (true) {
        FakeAlarm *next = nullptr;
        for (FakeAlarm *a : m_alarms)
            if (a->m_dueNs >= 0 && a->m_dueNs <= until && (!next || a->m_dueNs < next->m_dueNs))
                next = a;
        if (!next)
            break;
        m_nowNs = next->m_dueNs;
        next->m_dueNs = -1;
        next->m_fire();
    }
    m_nowNs = until;
}

FakeBackend::FakeBackend(QObject *parent)
    : WorkerBackend(parent)
    , m_taskNs([](const FakeTask &) { return qint64(1000); })
{}

void FakeBackend::runsJob(const Job *job, QVariantMap params, SharedArray *data)
{
    m_compute = [job, params, data](const FakeTask &t) {
        const TaskContext context(params, data, false, TaskInfo{t.id, t.begin, t.end, t.attempt});
        return job->run(context, t.begin, t.end);
    };
}

void FakeBackend::start(int count)
{
    m_workers.assign(size_t(std::max(count, 1)), Worker{});
    for (int w = 0; w < size(); ++w)
        launch(w);
}

void FakeBackend::launch(int worker)
{
    m_workers[size_t(worker)] = Worker{};
    m_workers[size_t(worker)].pid = m_nextPid++;
}

void FakeBackend::send(int worker, const Message &message)
{
    Worker &w = m_workers[size_t(worker)];
    if (w.lost)
        return;
    switch (message.type) {
    case MessageType::Attach:
        w.attaches += 1;
        return;
    case MessageType::Cancel:
        w.cancels += 1;
        w.cancelled = true;
        w.held.clear(); // like the real worker: prefetched tasks are dropped silently
        return;
    case MessageType::Task: {
        const QCborArray tasks = message.body.value(field::Tasks).toArray();
        for (qsizetype i = 0; i + TaskEntries <= tasks.size(); i += TaskEntries) {
            const FakeTask t{tasks.at(i).toInteger(), tasks.at(i + 1).toInteger(),
                             tasks.at(i + 2).toInteger(), int(tasks.at(i + 3).toInteger())};
            w.held.append(t);
            m_sent.append(t);
        }
        return;
    }
    default:
        return;
    }
}

void FakeBackend::replace(int worker, const StopPlan &plan)
{
    m_replacePlans.append(plan);
    launch(worker);
}

void FakeBackend::stop(const StopPlan &)
{
    m_stops += 1;
    for (Worker &w : m_workers)
        w = Worker{};
}

void FakeBackend::ready(int worker)
{
    Worker &w = m_workers[size_t(worker)];
    if (w.ready || w.lost)
        return;
    w.ready = true;
    Q_EMIT workerReady(worker, WorkerInfo{u"fake %1"_s.arg(worker + 1), u"fake"_s, w.pid});
}

void FakeBackend::answer(int worker, int count)
{
    Worker &w = m_workers[size_t(worker)];
    const qsizetype n = count < 0 ? w.held.size() : std::min<qsizetype>(count, w.held.size());
    if (n == 0 || w.lost)
        return;
    QCborArray results;
    const QList<FakeTask> done = w.held.mid(0, n);
    w.held.remove(0, n);
    auto flush = [&] {
        if (!results.isEmpty())
            Q_EMIT messageReceived(worker, Message{MessageType::Result, {{field::Results, results}}});
        results = {};
    };
    for (const FakeTask &t : done) {
        if (const qint64 item = m_crashesAt ? m_crashesAt(t) : -1; item >= 0) {
            flush(); // what it had sent before it died
            crash(worker, t.id, m_noteItem ? item : -1);
            return;
        }
        if (const qint64 item = m_throwsAt ? m_throwsAt(t) : -1; item >= 0) {
            flush();
            Q_EMIT messageReceived(worker,
                                   Message{MessageType::Error,
                                           {{field::Id, t.id},
                                            {field::Kind, u"exception"_s},
                                            {field::Stage, u"task"_s},
                                            {field::Message, u"injected failure at item %1"_s.arg(item)},
                                            {field::Trace, u"#0 fakeThrow"_s},
                                            {field::Item, item}}});
            continue;
        }
        if (m_throws && m_throws(t)) { // the results before it go first, as from the real worker
            flush();
            Q_EMIT messageReceived(worker,
                                   Message{MessageType::Error,
                                           {{field::Id, t.id},
                                            {field::Kind, u"exception"_s},
                                            {field::Stage, u"task"_s},
                                            {field::Message, u"injected failure in task %1"_s.arg(t.id)},
                                            {field::Trace, u"#0 fakeThrow"_s}}});
            continue;
        }
        results.append(t.id);
        results.append(m_compute ? m_compute(t) : QCborValue(t.end - t.begin));
        results.append(m_taskNs(t));
        m_answered.append(t);
    }
    flush();
}

void FakeBackend::throwIn(int worker, qint64 id, const QString &stage)
{
    Worker &w = m_workers[size_t(worker)];
    w.held.removeIf([id](const FakeTask &t) { return t.id == id; });
    Q_EMIT messageReceived(worker, Message{MessageType::Error,
                                           {{field::Id, id},
                                            {field::Kind, u"exception"_s},
                                            {field::Stage, stage},
                                            {field::Message, u"injected failure in task %1"_s.arg(id)},
                                            {field::Trace, u"#0 fakeThrow"_s}}});
}

void FakeBackend::crash(int worker, std::optional<qint64> notedTask, qint64 notedItem)
{
    Worker &w = m_workers[size_t(worker)];
    w.lost = true;
    w.ready = false;
    w.held.clear();
    WorkerLoss loss;
    loss.kind = ErrorKind::Signal;
    loss.pid = w.pid;
    loss.signal = SIGSEGV;
    loss.message = u"worker killed by SIGSEGV"_s;
    if (notedTask) {
        loss.selfReported = true;
        loss.task = *notedTask;
        loss.item = notedItem;
        loss.stage = *notedTask >= 0 ? u"task"_s : QString();
        loss.trace = u"#0 fakeCrash"_s;
        loss.logTail = {
            u"%1 SIGSEGV in task %2 at stage task"_s.arg(QLatin1StringView(CrashMarker)).arg(*notedTask)};
    }
    Q_EMIT workerLost(worker, loss);
}

void FakeBackend::logLine(int worker, const QString &line)
{
    Q_EMIT workerLogLine(worker, m_workers[size_t(worker)].pid, line);
}

void FakeBackend::settle()
{
    for (bool moved = true; moved;) {
        moved = false;
        for (int w = 0; w < size(); ++w) {
            Worker &worker = m_workers[size_t(w)];
            if (worker.lost || worker.hung || worker.cancelled)
                continue;
            if (!worker.ready) {
                ready(w);
                moved = true;
            }
            if (!m_workers[size_t(w)].held.isEmpty()) {
                answer(w);
                moved = true;
            }
        }
    }
}

} // namespace brigade::test
