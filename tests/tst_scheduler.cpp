// The scheduler over an in-process FakeBackend and a fake clock: retries and attempts, blame after a death
// with prefetched tasks, quarantine, halt soon and now, the ordered window, adaptive chunk sizes,
// timeouts, cancel, a backend that cannot replace workers. No processes, no threads, no sleeps.
#include "helpers/fakebackend.h"

#include "core/data/sharedarray.h"
#include "core/engine/scheduler.h"
#include "core/jobs/registry.h"

#include <QCborArray>
#include <QCoreApplication>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace brigade::test;

namespace {

// Records the order in which results reach it, and sums them like batch-sum.
class RecordingReducer final : public Reducer
{
public:
    explicit RecordingReducer(QList<std::pair<qint64, qint64>> *adds)
        : m_adds(adds)
    {}
    void add(qint64 begin, qint64 end, const QCborValue &part) override
    {
        m_adds->append({begin, end});
        m_sum += part.toInteger();
    }
    Result<JobResult> finish(const RunContext &) override
    {
        return JobResult{QCborMap{{u"sum"_s, m_sum}}, nullptr, {}};
    }

private:
    QList<std::pair<qint64, qint64>> *m_adds;
    qint64 m_sum = 0;
};

qint64 sumBelow(qint64 n)
{
    return n * (n - 1) / 2;
}

// A scheduler over batch-sum's [0, items), its workers fake, its clock fake.
struct Rig {
    FakeClock clock;
    FakeBackend backend;
    RunContext context;
    std::unique_ptr<Scheduler> scheduler;
    QList<ErrorReport> errors;
    std::optional<RunStatus> status;

    Rig(int workers, qint64 items, SchedulerSettings settings, std::unique_ptr<Reducer> reducer = nullptr)
        : Rig(workers, u"batch-sum"_s, {{u"start"_s, 0}, {u"end"_s, items}}, nullptr, settings,
              std::move(reducer))
    {}

    // Any job over a small array of this process (the fake workers run in process: they share it).
    Rig(int workers, const QString &jobName, const QVariantMap &given, SharedArray *data,
        SchedulerSettings settings, std::unique_ptr<Reducer> reducer = nullptr)
    {
        const Job *job = findJob(jobName);
        auto params = resolveParams(job->params(), given);
        context.params = *params;
        context.data = data;
        const qint64 items = *job->plan(context);
        backend.runsJob(job, context.params, data);
        backend.start(workers);
        scheduler =
            std::make_unique<Scheduler>(&backend, reducer ? std::move(reducer) : job->makeReducer(context),
                                        items, settings, QCborMap{{field::Run, 1}}, &clock);
        QObject::connect(scheduler.get(), &Scheduler::errorReported, scheduler.get(),
                         [this](const ErrorReport &report) { errors.append(report); });
        QObject::connect(scheduler.get(), &Scheduler::finished, scheduler.get(),
                         [this](RunStatus s) { status = s; });
        scheduler->start();
    }

    // The scheduler's queued work (its finished signal) is delivered.
    void deliver() { QCoreApplication::processEvents(); }
    void settle()
    {
        backend.settle();
        deliver();
    }
    QCborMap result() { return scheduler->reducer().finish(context)->result; }
    qint64 sum() { return result().value(u"sum"_s).toInteger(); }
    qint64 count() { return result().value(u"count"_s).toInteger(); }
};

SchedulerSettings fixedChunks(qint64 chunk = 1)
{
    SchedulerSettings s;
    s.chunkSize = chunk;
    return s;
}

// How many times each item of [0, items) was in a task that was answered with a result.
QList<int> timesComputed(const QList<FakeTask> &answered, qint64 items)
{
    QList<int> times(items, 0);
    for (const FakeTask &t : answered)
        for (qint64 i = t.begin; i < t.end; ++i)
            times[i] += 1;
    return times;
}

bool coversInOrder(const QList<std::pair<qint64, qint64>> &adds)
{
    for (qsizetype i = 1; i < adds.size(); ++i)
        if (adds[i].first < adds[i - 1].second)
            return false;
    return true;
}

const FakeTask *findSent(const QList<FakeTask> &sent, qint64 begin, int attempt)
{
    for (const FakeTask &t : sent)
        if (t.begin == begin && t.attempt == attempt)
            return &t;
    return nullptr;
}

} // namespace

class TestScheduler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyItemOnceWithoutFaults()
    {
        Rig rig(3, 500, fixedChunks(7));
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(500));
        QCOMPARE(rig.count(), 500);
        QVERIFY(rig.errors.isEmpty());
        QCOMPARE(rig.backend.answered().size(), (500 + 6) / 7);
        for (int w = 0; w < 3; ++w)
            QCOMPARE(rig.backend.attaches(w), 1); // the initializer: once per worker and run
    }

    // A failed attempt is retried with the next attempt number; the log lines of the worker travel along.
    void retryCountsAttempts()
    {
        SchedulerSettings settings = fixedChunks();
        settings.priorAttempts = 3; // an earlier run's attempts: the count goes on from them
        Rig rig(2, 20, settings);
        rig.backend.setThrows([](const FakeTask &t) { return t.begin == 5 && t.attempt == 4; });
        rig.backend.ready(0);
        rig.backend.logLine(0, u"risky: about to fail"_s);
        rig.backend.logLine(1, u"from the other worker"_s);
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(20));
        QCOMPARE(rig.errors.size(), 1);
        const ErrorReport &e = rig.errors.first();
        QCOMPARE(e.kind, u"exception"_s);
        QCOMPARE(e.begin, 5);
        QCOMPARE(e.end, 6);
        QCOMPARE(e.attempt, 4);
        QVERIFY(!e.final);
        QCOMPARE(e.trace, u"#0 fakeThrow"_s);
        QVERIFY(findSent(rig.backend.sent(), 5, 5)); // the retry, numbered on
        QVERIFY2(e.pid == rig.backend.pid(0) ? e.stderrTail == QStringList{u"risky: about to fail"_s}
                                             : e.stderrTail == QStringList{u"from the other worker"_s},
                 qPrintable(e.stderrTail.join(u'|')));
        QCOMPARE(rig.backend.replacements(), 0); // an exception leaves its worker sound
    }

    // A task that fails every attempt is given up; the run finishes the rest and lacks exactly its items.
    void quarantineAfterEveryAttempt()
    {
        Rig rig(2, 20, fixedChunks());
        rig.backend.setThrows([](const FakeTask &t) { return t.begin == 5; });
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Failed);
        QCOMPARE(rig.scheduler->failedTasks(), 1);
        QCOMPARE(rig.sum(), sumBelow(20) - 5);
        QCOMPARE(rig.count(), 19);
        QCOMPARE(rig.errors.size(), 3); // two retries by default
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(rig.errors[i].attempt, i + 1);
            QCOMPARE(rig.errors[i].begin, 5);
            QCOMPARE(rig.errors[i].final, i == 2);
        }
        QCOMPARE(rig.scheduler->snapshot().tasksFailed, 1);
    }

    // The real stats job over a small array: faults of every kind on the way change nothing in the result.
    void statsOverAnArraySurviveFaults()
    {
        auto array = SharedArray::create(Dtype::Float64, 1000, 2, {u"x"_s, u"y"_s});
        QVERIFY(array.ok());
        auto m = array->matrix<double>();
        for (qint64 r = 0; r < 1000; ++r) {
            m(r, 0) = double(r % 37) - 18.5;
            m(r, 1) = 1e6 + double(r) * 0.25;
        }
        Rig clean(2, u"stats"_s, {}, &*array, fixedChunks(64));
        clean.settle();
        QCOMPARE(clean.status, RunStatus::Ok);

        Rig faulty(3, u"stats"_s, {}, &*array, fixedChunks(64));
        faulty.backend.setThrows([](const FakeTask &t) { return t.id == 3 && t.attempt == 1; });
        faulty.backend.ready(0);
        faulty.backend.ready(1);
        faulty.backend.crash(1, faulty.backend.held(1).first().id);
        faulty.backend.ready(2);
        faulty.backend.answer(2, 1);
        faulty.backend.crash(2);
        faulty.settle();
        QCOMPARE(faulty.status, RunStatus::Ok);
        QCOMPARE(faulty.errors.size(), 3);
        const QCborMap a = clean.result(), b = faulty.result();
        QCOMPARE(b.value(u"columns"_s).toArray().size(), 2);
        QCOMPARE(b.value(u"columns"_s).toArray()[0].toMap().value(u"count"_s).toInteger(), 1000);
        QCOMPARE(QCborValue(b).toCbor(), QCborValue(a).toCbor()); // the same, to the bit
    }

    // A worker holding several tasks dies; its crash note names the one it was on: that one is charged,
    // the others are retried on its successor uncharged.
    void deathBlamesTheTaskTheCrashNoteNames()
    {
        Rig rig(1, 10, fixedChunks());
        rig.backend.ready(0);
        rig.backend.answer(0, 1); // a measured task: the worker is given many more
        QVERIFY(rig.backend.held(0).size() >= 5);
        const qint64 pidBefore = rig.backend.pid(0);
        rig.backend.crash(0, qint64(4));
        QCOMPARE(rig.errors.size(), 1);
        const ErrorReport &e = rig.errors.first();
        QCOMPARE(e.kind, u"signal"_s);
        QCOMPARE(e.signalName, u"SIGSEGV"_s);
        QCOMPARE(e.taskId, 4);
        QCOMPARE(e.begin, 4);
        QCOMPARE(e.attempt, 1);
        QCOMPARE(e.pid, pidBefore);
        QCOMPARE(e.trace, u"#0 fakeCrash"_s);
        QCOMPARE(rig.backend.replacements(), 1);
        QCOMPARE(rig.backend.replacePlans().first().actions.first().step, StopStep::Terminate);
        rig.backend.ready(0);
        QVERIFY(rig.backend.pid(0) != pidBefore);
        QCOMPARE(rig.backend.held(0).first(), (FakeTask{4, 4, 5, 2})); // the charged task first, attempt 2
        for (const FakeTask &t : rig.backend.held(0).mid(1))
            QCOMPARE(t.attempt, 1); // the others were never charged
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(10));
        QCOMPARE(rig.errors.size(), 1);
    }

    // A death nothing explains, amid several tasks: nobody is charged, the successor runs them one at a
    // time, and the next death names its task.
    void unexplainedDeathChargesNobodyThenOneAtATime()
    {
        Rig rig(1, 10, fixedChunks());
        rig.backend.ready(0);
        rig.backend.answer(0, 1);
        QVERIFY(rig.backend.held(0).size() >= 5);
        rig.backend.crash(0);
        QCOMPARE(rig.errors.size(), 1);
        QCOMPARE(rig.errors[0].attempt, 0);
        QCOMPARE(rig.errors[0].taskId, -1);
        QVERIFY2(rig.errors[0].message.contains(u"retried one at a time"_s),
                 qPrintable(rig.errors[0].message));
        rig.backend.ready(0);
        QCOMPARE(rig.backend.held(0).size(), 1); // careful: one task at a time
        QCOMPARE(rig.backend.held(0).first(), (FakeTask{1, 1, 2, 1}));
        rig.backend.answer(0);
        QCOMPARE(rig.backend.held(0).size(), 1);
        const FakeTask second = rig.backend.held(0).first();
        QCOMPARE(second.begin, 2);
        rig.backend.crash(0); // holding one task: that one is charged
        QCOMPARE(rig.errors.size(), 2);
        QCOMPARE(rig.errors[1].attempt, 1);
        QCOMPARE(rig.errors[1].begin, second.begin);
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(10));
    }

    // The initializer failed (stage attach): the worker is unusable, asked to leave, and the task runs
    // first on its successor.
    void attachFailureReplacesTheWorker()
    {
        Rig rig(1, 10, fixedChunks());
        rig.backend.ready(0);
        const FakeTask first = rig.backend.held(0).first();
        rig.backend.throwIn(0, first.id, u"attach"_s);
        QCOMPARE(rig.errors.size(), 1);
        QCOMPARE(rig.errors.first().stage, u"attach"_s);
        QCOMPARE(rig.errors.first().attempt, 1);
        QCOMPARE(rig.backend.replacements(), 1);
        QCOMPARE(rig.backend.replacePlans().first().actions.first().step, StopStep::Request);
        rig.backend.ready(0);
        QCOMPARE(rig.backend.attaches(0), 1);
        QCOMPARE(rig.backend.held(0).first(), (FakeTask{first.id, first.begin, first.end, 2}));
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(10));
    }

    // halt soon: nothing new after the final failure, the tasks in flight finish and count.
    void haltSoonLetsRunningTasksFinish()
    {
        SchedulerSettings settings = fixedChunks();
        settings.retries = 0;
        settings.halt = HaltPolicy::Soon;
        Rig rig(2, 40, settings);
        rig.backend.ready(0);
        rig.backend.ready(1);
        QCOMPARE(rig.backend.sent().size(), 4); // two each: nothing measured yet
        rig.backend.throwIn(0, rig.backend.held(0).first().id);
        rig.deliver();
        QVERIFY(!rig.status); // still finishing what is in flight
        QCOMPARE(rig.backend.sent().size(), 4);
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Failed);
        QCOMPARE(rig.backend.sent().size(), 4); // nothing new was dispatched
        QCOMPARE(rig.count(), 3);               // the three tasks in flight were delivered
        QCOMPARE(rig.backend.cancels(0), 0);
    }

    // halt now: the run ends at the final failure, every worker is told to cancel, nothing more counts.
    void haltNowCancelsAtOnce()
    {
        SchedulerSettings settings = fixedChunks();
        settings.retries = 0;
        settings.halt = HaltPolicy::Now;
        Rig rig(2, 40, settings);
        rig.backend.ready(0);
        rig.backend.ready(1);
        rig.backend.throwIn(0, rig.backend.held(0).first().id);
        rig.deliver();
        QCOMPARE(rig.status, RunStatus::Failed);
        QCOMPARE(rig.backend.cancels(0), 1);
        QCOMPARE(rig.backend.cancels(1), 1);
        rig.settle();
        QCOMPARE(rig.count(), 0);
        QCOMPARE(rig.backend.sent().size(), 4);
        QCOMPARE(rig.errors.size(), 1);
        QVERIFY(rig.errors.first().final);
    }

    // Ordered delivery: results wait for the earlier ones, and dispatch stays within the window past the
    // next undelivered task.
    void orderedWindowBoundsDispatch()
    {
        QList<std::pair<qint64, qint64>> adds;
        SchedulerSettings settings = fixedChunks();
        settings.window = 8;
        Rig rig(2, 100, settings, std::make_unique<RecordingReducer>(&adds));
        rig.backend.ready(0);
        rig.backend.hang(0); // holds tasks 0 and 1 and says nothing
        rig.settle();
        qint64 highest = -1;
        for (const FakeTask &t : rig.backend.sent())
            highest = std::max(highest, t.id);
        QCOMPARE(highest, 7); // ids 0..7: the window of 8 past task 0
        QVERIFY(adds.isEmpty());
        QVERIFY(!rig.status);
        rig.backend.resume(0);
        rig.backend.answer(0);
        QCOMPARE(adds.size(), 8); // 0 and 1 unblock 2..7, which were waiting
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(adds.size(), 100);
        for (qint64 i = 0; i < 100; ++i)
            QCOMPARE(adds[i], std::make_pair(i, i + 1));
        QCOMPARE(rig.result().value(u"sum"_s).toInteger(), sumBelow(100));
    }

    void unorderedDeliversAsTheyEnd()
    {
        QList<std::pair<qint64, qint64>> adds;
        SchedulerSettings settings = fixedChunks();
        settings.ordered = false;
        Rig rig(2, 10, settings, std::make_unique<RecordingReducer>(&adds));
        rig.backend.ready(0);
        rig.backend.ready(1);
        rig.backend.answer(1, 1);
        QCOMPARE(adds.size(), 1);
        QCOMPARE(adds.first(), std::make_pair(qint64(2), qint64(3)));
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(adds.size(), 10);
    }

    // --chunk-size auto: probes first, growth of at most 16 times per measurement up to about the
    // target duration, and smaller tasks at the tail so that the workers end together.
    void adaptiveChunksGrowThenShrinkAtTheTail()
    {
        constexpr qint64 items = 200'000'000;
        constexpr qint64 nsPerItem = 10; // target 25 ms: 2.5 million items a task
        Rig rig(2, items, SchedulerSettings{});
        rig.backend.setCompute(
            [](const FakeTask &t) { return QCborValue((t.begin + t.end - 1) * (t.end - t.begin) / 2); });
        rig.backend.setTaskNs([](const FakeTask &t) { return (t.end - t.begin) * nsPerItem; });
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(items));
        const QList<FakeTask> &sent = rig.backend.sent();
        for (qsizetype i = 0; i < 2; ++i) // the first worker's two, before anything is measured: probes
            QCOMPARE(sent[i].end - sent[i].begin, 1024);
        qint64 largest = 0;
        for (const FakeTask &t : sent)
            largest = std::max(largest, t.end - t.begin);
        const qint64 target = Scheduler::TargetTaskNs / nsPerItem;
        QVERIFY2(largest >= target * 9 / 10 && largest <= target * 11 / 10,
                 qPrintable(QString::number(largest)));
        QCOMPARE(rig.scheduler->chunkSize(), largest);
        // Growth in steps (at most 16 times per measurement): sizes between the probes and the plateau.
        const auto between = std::count_if(sent.begin(), sent.end(), [&](const FakeTask &t) {
            return t.end - t.begin > 1024 && t.end - t.begin < target * 9 / 10;
        });
        QVERIFY2(between >= 2, qPrintable(QString::number(between)));
        for (qsizetype i = 2; sent[i].end - sent[i].begin < target * 9 / 10; ++i)
            QVERIFY2(sent[i].end - sent[i].begin <= 16 * 16 * (sent[i - 1].end - sent[i - 1].begin),
                     qPrintable(QString::number(i)));
        const qint64 last = sent.last().end - sent.last().begin;
        QVERIFY2(last < largest / 4, qPrintable(QString::number(last))); // the tail shrank
        // But never below the floor of half a millisecond, once the cost is known, save the very last.
        const qint64 floor = Scheduler::TargetTaskNs / 50 / nsPerItem;
        for (qsizetype i = 8; i + 1 < sent.size(); ++i)
            QVERIFY2(sent[i].end - sent[i].begin >= floor,
                     qPrintable(QString::number(sent[i].end - sent[i].begin)));
        QVERIFY2(sent.size() < 200, qPrintable(QString::number(sent.size())));
    }

    // A task past its timeout is charged, its worker replaced (terminate, then kill), the task retried.
    void timeoutChargesTheRunningTask()
    {
        SchedulerSettings settings = fixedChunks();
        settings.timeoutMs = 1000;
        Rig rig(1, 3, settings);
        rig.backend.ready(0);
        rig.backend.logLine(0, u"risky: hanging at item 1"_s);
        rig.clock.advance(999);
        QVERIFY(rig.errors.isEmpty());
        const qint64 hungPid = rig.backend.pid(0);
        rig.clock.advance(1);
        QCOMPARE(rig.errors.size(), 1);
        const ErrorReport &e = rig.errors.first();
        QCOMPARE(e.kind, u"timeout"_s);
        QCOMPARE(e.taskId, 0);
        QCOMPARE(e.attempt, 1);
        QCOMPARE(e.pid, hungPid);
        QVERIFY2(e.message.contains(u"timed out after 1 s"_s), qPrintable(e.message));
        QCOMPARE(e.stderrTail, QStringList{u"risky: hanging at item 1"_s});
        QCOMPARE(rig.backend.replacements(), 1);
        QCOMPARE(rig.backend.replacePlans().first().actions.first().step, StopStep::Terminate);
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), 0 + 1 + 2);
        QVERIFY(findSent(rig.backend.sent(), 0, 2));
    }

    // Each new front task gets the whole timeout again; a run that answers in time has no timeout.
    void timeoutRestartsWithEachTask()
    {
        SchedulerSettings settings = fixedChunks();
        settings.timeoutMs = 1000;
        Rig rig(1, 4, settings);
        rig.backend.ready(0);
        rig.clock.advance(900);
        rig.backend.answer(0, 1);
        rig.clock.advance(900);
        QVERIFY(rig.errors.isEmpty());
        rig.backend.answer(0, 1);
        rig.settle();
        rig.clock.advance(5000);
        QVERIFY(rig.errors.isEmpty());
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.clock.armed(), 0);
    }

    void cancelEndsTheRunAndTellsEveryWorker()
    {
        Rig rig(2, 100, fixedChunks());
        rig.backend.ready(0);
        rig.backend.ready(1);
        rig.backend.answer(0, 1);
        const qsizetype sentBefore = rig.backend.sent().size();
        rig.scheduler->cancel();
        rig.deliver();
        QCOMPARE(rig.status, RunStatus::Cancelled);
        QCOMPARE(rig.backend.cancels(0), 1);
        QCOMPARE(rig.backend.cancels(1), 1);
        rig.settle();
        QCOMPARE(rig.backend.sent().size(), sentBefore);
        QVERIFY(rig.errors.isEmpty());
    }

    // A backend that cannot replace workers: a lost worker's tasks go to the others.
    void withoutReplacementTheOthersTakeOver()
    {
        Rig rig(2, 30, fixedChunks());
        rig.backend.setCanReplace(false);
        rig.backend.ready(0);
        rig.backend.ready(1);
        rig.backend.crash(0, qint64(-1)); // between tasks, by its note: the front is charged
        QCOMPARE(rig.backend.replacements(), 0);
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(30));
        QCOMPARE(rig.errors.size(), 1);
        QCOMPARE(rig.errors.first().attempt, 1);
    }

    // Workers that die before they are ready, three in a row, end the run: restarting would spin.
    // Item-level fault isolation: a task of 16 items with one failing item, which the worker does not name.
    // The task is tried as a whole for its attempts, then split in halves down to the item: exactly that
    // item is given up, every other item is computed once, and the results reach the reducer in item order.
    void bisectionGivesUpExactlyTheFailingItem()
    {
        QList<std::pair<qint64, qint64>> adds;
        Rig rig(2, 16, fixedChunks(16), std::make_unique<RecordingReducer>(&adds));
        rig.backend.setThrows([](const FakeTask &t) { return t.begin <= 5 && 5 < t.end; });
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Failed);
        QCOMPARE(rig.scheduler->failedTasks(), 1);
        QCOMPARE(rig.sum(), sumBelow(16) - 5);
        QList<int> once(16, 1);
        once[5] = 0;
        QCOMPARE(timesComputed(rig.backend.answered(), 16), once);
        QVERIFY(coversInOrder(adds));
        // 3 attempts at the whole, then one at each of [0, 8), [4, 8), [4, 6), then [5, 6) is given up.
        QCOMPARE(rig.errors.size(), 7);
        QList<std::pair<qint64, qint64>> tried;
        for (const ErrorReport &e : rig.errors)
            tried.append({e.begin, e.end});
        const QList<std::pair<qint64, qint64>> expected{{0, 16}, {0, 16}, {0, 16}, {0, 8},
                                                        {4, 8},  {4, 6},  {5, 6}};
        QCOMPARE(tried, expected);
        for (qsizetype i = 0; i < rig.errors.size(); ++i) {
            QCOMPARE(rig.errors[i].final, i == rig.errors.size() - 1);
            QCOMPARE(rig.errors[i].taskId, 0);           // every piece is of planned task 0
            QCOMPARE(rig.errors[i].attempt, int(i) + 1); // counted on per item
        }
        QCOMPARE(givenUpRanges(rig.errors), (QList<std::pair<qint64, qint64>>{{5, 6}}));
    }

    // A worker that names the item it failed at (an exception's report): only that item is charged and
    // retried alone; the items around it run again uncharged, and nothing is split further.
    void theNamedItemAloneIsRetried()
    {
        Rig rig(1, 10, fixedChunks(10));
        rig.backend.setThrowsAt(
            [](const FakeTask &t) { return t.attempt == 1 && t.begin <= 3 && 3 < t.end ? 3 : -1; });
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(10));
        QCOMPARE(rig.errors.size(), 1);
        QCOMPARE(rig.errors[0].item, 3);
        QVERIFY(!rig.errors[0].final);
        QVERIFY2(rig.errors[0].message.contains(u"retried as items 0 to 2, item 3, items 4 to 9"_s),
                 qPrintable(rig.errors[0].message));
        QVERIFY(findSent(rig.backend.sent(), 3, 2)); // the item, its second attempt
        QVERIFY(findSent(rig.backend.sent(), 0, 1)); // its neighbours, still at their first
        QVERIFY(findSent(rig.backend.sent(), 4, 1));
        QCOMPARE(timesComputed(rig.backend.answered(), 10), QList<int>(10, 1));
    }

    // Out of attempts at a named item: it is given up at once, its neighbours are computed.
    void aNamedItemOutOfAttemptsIsGivenUpAlone()
    {
        SchedulerSettings settings = fixedChunks(10);
        settings.retries = 0;
        Rig rig(1, 10, settings);
        rig.backend.setThrowsAt([](const FakeTask &t) { return t.begin <= 7 && 7 < t.end ? 7 : -1; });
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Failed);
        QCOMPARE(rig.errors.size(), 1);
        QVERIFY(rig.errors[0].final);
        QCOMPARE(rig.sum(), sumBelow(10) - 7);
        QCOMPARE(givenUpRanges(rig.errors), (QList<std::pair<qint64, qint64>>{{7, 8}}));
        QCOMPARE(rig.scheduler->failedTasks(), 1);
    }

    // A task that kills its worker is split at once (no retry of the whole that would kill the next one);
    // with the crash note naming the item, straight down to it.
    void crashesSplitAtOnce()
    {
        for (const bool noteItem : {true, false}) {
            Rig rig(2, 64, fixedChunks(32));
            rig.backend.setCrashesAt([](const FakeTask &t) { return t.begin <= 40 && 40 < t.end ? 40 : -1; },
                                     noteItem);
            rig.settle();
            QCOMPARE(rig.status, RunStatus::Failed);
            QCOMPARE(rig.sum(), sumBelow(64) - 40);
            QList<int> once(64, 1);
            once[40] = 0;
            QCOMPARE(timesComputed(rig.backend.answered(), 64), once);
            QCOMPARE(givenUpRanges(rig.errors), (QList<std::pair<qint64, qint64>>{{40, 41}}));
            // Named: the item's 3 deaths. Not named: one death per halving (32 items to 1: 5), then the last.
            QCOMPARE(rig.errors.size(), noteItem ? 3 : 6);
            QCOMPARE(rig.backend.replacements(), rig.errors.size());
        }
    }

    // In-place runs: every task a lost worker held has its rows put back (the undo area knows which one it
    // had saved) before any of them is sent again; a timed-out task only once its worker is killed, at once.
    void rowsGoBackBeforeTheRetry()
    {
        SchedulerSettings settings = fixedChunks(4);
        settings.timeoutMs = 1000;
        Rig rig(1, 16, settings);
        QList<std::pair<int, qint64>> restored;
        qsizetype sentWhenRestored = -1;
        int replacedWhenRestored = -1;
        rig.scheduler->setRestoreRows([&](int slot, qint64 task) {
            restored.append({slot, task});
            sentWhenRestored = rig.backend.sent().size();
            replacedWhenRestored = rig.backend.replacements();
        });
        rig.backend.ready(0);
        const QList<FakeTask> held = rig.backend.sent();
        QVERIFY(held.size() >= 2); // the running task and prefetched ones
        rig.backend.crash(0);
        QCOMPARE(restored.size(), held.size());
        for (qsizetype i = 0; i < held.size(); ++i)
            QCOMPARE(restored[i], (std::pair<int, qint64>{0, held[i].id}));
        QCOMPARE(sentWhenRestored, held.size()); // nothing sent again before
        restored.clear();
        rig.backend.ready(0);
        const FakeTask front = rig.backend.sent().at(held.size());
        rig.clock.advance(1000);
        QCOMPARE(restored, (QList<std::pair<int, qint64>>{{0, front.id}}));
        QCOMPARE(replacedWhenRestored, 2); // after the kill
        QCOMPARE(rig.backend.replacePlans().last().actions.first().step, StopStep::Kill);
        rig.settle();
        QCOMPARE(rig.status, RunStatus::Ok);
        QCOMPARE(rig.sum(), sumBelow(16));
        QCOMPARE(timesComputed(rig.backend.answered(), 16), QList<int>(16, 1));
    }

    void workersThatNeverStartEndTheRun()
    {
        Rig rig(1, 10, fixedChunks());
        for (int i = 0; i < 3; ++i)
            rig.backend.crash(0);
        rig.deliver();
        QCOMPARE(rig.status, RunStatus::Failed);
        QVERIFY(rig.errors.last().final);
        QVERIFY2(rig.errors.last().message.contains(u"3 workers in a row"_s),
                 qPrintable(rig.errors.last().message));
    }
};

QTEST_GUILESS_MAIN(TestScheduler)
#include "tst_scheduler.moc"
