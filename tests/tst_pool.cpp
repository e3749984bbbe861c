// The pool end to end with real brigade-worker processes: exact results for every worker count and
// delivery order, in-place shared-memory jobs, statistics, tracebacks, crashes, cancel and cleanup.
#include "core/data/npy.h"
#include "core/data/segmentregistry.h"
#include "core/engine/jobrun.h"

#include <QCborArray>
#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <Eigen/Core>
#include <cerrno>
#include <csignal>
#include <random>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

RunOutcome runToEnd(const RunRequest &request, int timeoutMs = 60000,
                    QList<ProgressSnapshot> *snapshots = nullptr)
{
    JobRun run(request);
    QSignalSpy finished(&run, &JobRun::finished);
    if (snapshots)
        QObject::connect(&run, &JobRun::progressed, &run,
                         [snapshots](const ProgressSnapshot &s) { snapshots->append(s); });
    run.start();
    if (!finished.wait(timeoutMs))
        qFatal("run of %s did not finish within %d ms", qPrintable(request.job), timeoutMs);
    return run.outcome();
}

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

QStringList ownSegments()
{
    const QString prefix = QString::number(QCoreApplication::applicationPid()) + u'-';
    QStringList mine;
    for (const QString &f : QDir(SegmentRegistry::directory()).entryList({u"*.seg"_s}, QDir::Files))
        if (f.startsWith(prefix))
            mine << f;
    return mine;
}

} // namespace

class TestPool final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // No shared-memory segment outlives a test: every run removes its dataset and output at the end.
    void cleanup() { QVERIFY2(ownSegments().isEmpty(), qPrintable(ownSegments().join(u", "_s))); }

    void primes_data()
    {
        QTest::addColumn<qint64>("start");
        QTest::addColumn<qint64>("end");
        QTest::addColumn<int>("workers");
        QTest::addColumn<bool>("ordered");
        QTest::addColumn<qint64>("expected");
        for (int workers : {1, 2, 3}) {
            for (bool ordered : {true, false}) {
                const QByteArray tag =
                    "w" + QByteArray::number(workers) + (ordered ? " ordered" : " unordered");
                QTest::newRow(QByteArray("small " + tag).constData())
                    << qint64(10000) << qint64(100000) << workers << ordered << qint64(8363);
                QTest::newRow(QByteArray("large " + tag).constData())
                    << qint64(10000) << qint64(2000000) << workers << ordered << qint64(147704);
            }
        }
    }

    void primes()
    {
        QFETCH(qint64, start);
        QFETCH(qint64, end);
        QFETCH(int, workers);
        QFETCH(bool, ordered);
        QFETCH(qint64, expected);
        RunRequest request;
        request.job = u"primes"_s;
        request.params = {{u"start"_s, start}, {u"end"_s, end}};
        request.workers = workers;
        request.ordered = ordered;
        QList<ProgressSnapshot> snapshots;
        const RunOutcome outcome = runToEnd(request, 60000, &snapshots);
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"count"_s).toInteger(), expected);
        QCOMPARE(outcome.workers, workers);
        QVERIFY(outcome.errors.isEmpty());
        QVERIFY(!snapshots.isEmpty());
        QCOMPARE(snapshots.last().itemsDone, end - start);
        QCOMPARE(snapshots.last().workers.size(), workers);
    }

    void primesListedToFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"primes.txt"_s);
        RunRequest request;
        request.job = u"primes"_s;
        request.params = {{u"start"_s, u"10000"_s}, {u"end"_s, u"100000"_s}};
        request.output = path;
        request.workers = 3;
        request.ordered = false; // the file is ascending in any delivery order
        request.chunkSize = 777;
        const RunOutcome outcome = runToEnd(request);
        QCOMPARE(outcome.status, RunStatus::Ok);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 8363);
        QCOMPARE(lines.first(), QByteArray("10007"));
        QCOMPARE(lines.last(), QByteArray("99991"));
        for (qsizetype i = 1; i < lines.size(); ++i)
            QVERIFY(lines[i - 1].toLongLong() < lines[i].toLongLong());
    }

    // Tasks of one item each travel hundreds to a message both ways; none is lost or counted twice, in
    // either delivery order and for any number of workers.
    void tinyTasksExact_data()
    {
        QTest::addColumn<int>("workers");
        QTest::addColumn<bool>("ordered");
        for (int workers : {1, 3})
            for (bool ordered : {true, false})
                QTest::addRow("w%d %s", workers, ordered ? "ordered" : "unordered") << workers << ordered;
    }

    void tinyTasksExact()
    {
        QFETCH(int, workers);
        QFETCH(bool, ordered);
        constexpr qint64 n = 200000;
        RunRequest request;
        request.job = u"batch-sum"_s;
        request.params = {{u"start"_s, 0}, {u"end"_s, n}};
        request.workers = workers;
        request.ordered = ordered;
        request.chunkSize = 1;
        QList<ProgressSnapshot> snapshots;
        const RunOutcome outcome = runToEnd(request, 120000, &snapshots);
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"count"_s).toInteger(), n);
        QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), n * (n - 1) / 2);
        QCOMPARE(outcome.tasks, n);
        qint64 tasksDone = 0;
        for (const WorkerSnapshot &w : snapshots.last().workers)
            tasksDone += w.tasksDone;
        QCOMPARE(tasksDone, n);
    }

    // --chunk-size auto: the first tasks are small probes, then tasks grow to about the target duration
    // from the measured times, and shrink near the end so that the workers finish together.
    void adaptiveChunksFollowMeasuredTimes_data()
    {
        QTest::addColumn<QString>("job");
        QTest::addColumn<qint64>("start");
        QTest::addColumn<qint64>("end");
        QTest::addColumn<qint64>("expected");
        // About a nanosecond per item: tasks of tens of millions of items.
        QTest::newRow("tiny items") << u"batch-sum"_s << qint64(0) << qint64(400'000'000)
                                    << qint64(400'000'000) * (400'000'000 - 1) / 2;
        // About a tenth of a microsecond per item: tasks of some hundred thousand items.
        QTest::newRow("heavy items") << u"primes"_s << qint64(10000) << qint64(2000000) << qint64(147704);
    }

    void adaptiveChunksFollowMeasuredTimes()
    {
        QFETCH(QString, job);
        QFETCH(qint64, start);
        QFETCH(qint64, end);
        QFETCH(qint64, expected);
        RunRequest request;
        request.job = job;
        request.params = {{u"start"_s, start}, {u"end"_s, end}};
        request.workers = 2;
        request.chunkSize = 0;
        QList<ProgressSnapshot> snapshots;
        const RunOutcome outcome = runToEnd(request, 120000, &snapshots);
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(job == u"primes"_s ? u"count"_s : u"sum"_s).toInteger(), expected);
        const qint64 items = end - start;
        // Grown far past the probes (1024 items), never to one task for everything.
        QVERIFY2(outcome.chunkSize > 16 * 1024, qPrintable(QString::number(outcome.chunkSize)));
        QVERIFY2(outcome.chunkSize < items, qPrintable(QString::number(outcome.chunkSize)));
        // The run is split into tens of tasks, not thousands: each costs a round trip for nothing.
        QVERIFY2(outcome.tasks >= 6 && outcome.tasks <= 300, qPrintable(QString::number(outcome.tasks)));
        // Both workers had a share.
        for (const WorkerSnapshot &w : snapshots.last().workers)
            QVERIFY(w.tasksDone > 0);
    }

    void scaleGeneratedExact()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"scaled.npy"_s);
        RunRequest request;
        request.job = u"scale"_s;
        request.params = {{u"factor"_s, 3.0}};
        request.input.generatedRows = 100000;
        request.output = path;
        request.workers = 2;
        const RunOutcome outcome = runToEnd(request);
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"rows"_s).toInteger(), 100000);
        // Integer-valued doubles below 2^53: the sum is exact whatever the order of addition.
        QCOMPARE(outcome.result.value(u"sum"_s).toDouble(), 3.0 * 99999.0 * 100000.0 / 2.0);
        auto back = readNpy(path);
        QVERIFY(back.ok());
        QCOMPARE(back->rows(), 100000);
        const double *d = back->data<double>();
        for (qint64 i = 0; i < back->rows(); ++i)
            QCOMPARE(d[i], 3.0 * double(i));
    }

    void scaleNpyInPlace()
    {
        QTemporaryDir dir;
        const QString in = dir.filePath(u"in.npy"_s);
        const QString out = dir.filePath(u"out.npy"_s);
        {
            auto array = SharedArray::create(Dtype::Float64, 5000, 3);
            QVERIFY(array.ok());
            auto m = array->matrix<double>();
            for (qint64 c = 0; c < 3; ++c)
                for (qint64 r = 0; r < 5000; ++r)
                    m(r, c) = double(r * 3 + c);
            QVERIFY(!writeNpy(in, *array));
        }
        RunRequest request;
        request.job = u"scale"_s;
        request.params = {{u"factor"_s, u"-0.5"_s}};
        request.input.path = in;
        request.output = out;
        request.workers = 3;
        request.chunkSize = 333;
        const RunOutcome outcome = runToEnd(request);
        QCOMPARE(outcome.status, RunStatus::Ok);
        auto back = readNpy(out);
        QVERIFY(back.ok());
        QCOMPARE(back->cols(), 3);
        const auto m = back->matrix<double>();
        for (qint64 c = 0; c < 3; ++c)
            for (qint64 r = 0; r < 5000; ++r)
                QCOMPARE(m(r, c), -0.5 * double(r * 3 + c));
        QCOMPARE(outcome.result.value(u"sum"_s).toDouble(), m.sum());
    }

    void statsMatchDirectComputation()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"data.csv"_s);
        std::mt19937_64 rng(42);
        std::normal_distribution<double> normal(10.0, 3.0);
        const int rows = 20011;
        Eigen::MatrixXd data(rows, 3);
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("x,y,z\n");
            for (int r = 0; r < rows; ++r) {
                data(r, 0) = normal(rng);
                data(r, 1) = normal(rng) * 1e6 + 1e9; // a large offset: naive formulas lose precision here
                data(r, 2) = double(r % 17);
                file.write(QByteArray::number(data(r, 0), 'g', 17) + ',' +
                           QByteArray::number(data(r, 1), 'g', 17) + ',' +
                           QByteArray::number(data(r, 2), 'g', 17) + '\n');
            }
        }
        RunRequest request;
        request.job = u"stats"_s;
        request.input.path = path;
        request.workers = 3;
        request.chunkSize = 1000;
        request.ordered = false;
        const RunOutcome outcome = runToEnd(request);
        QCOMPARE(outcome.status, RunStatus::Ok);
        const QCborArray columns = outcome.result.value(u"columns"_s).toArray();
        QCOMPARE(columns.size(), 3);
        const QStringList names{u"x"_s, u"y"_s, u"z"_s};
        for (int c = 0; c < 3; ++c) {
            const QCborMap col = columns[c].toMap();
            const Eigen::VectorXd v = data.col(c);
            const double mean = v.mean();
            const double stdDev = std::sqrt((v.array() - mean).square().sum() / double(rows - 1));
            QCOMPARE(col.value(u"name"_s).toString(), names[c]);
            QCOMPARE(col.value(u"count"_s).toInteger(), rows);
            QVERIFY(std::abs(col.value(u"mean"_s).toDouble() - mean) <= 1e-12 * std::abs(mean));
            QVERIFY2(
                std::abs(col.value(u"std"_s).toDouble() - stdDev) <= 1e-9 * stdDev,
                qPrintable(
                    u"%1 vs %2"_s.arg(col.value(u"std"_s).toDouble(), 0, 'g', 17).arg(stdDev, 0, 'g', 17)));
            QCOMPARE(col.value(u"min"_s).toDouble(), v.minCoeff());
            QCOMPARE(col.value(u"max"_s).toDouble(), v.maxCoeff());
        }
    }

    void exceptionCarriesTraceOfThrow()
    {
        RunRequest request;
        request.job = u"risky"_s;
        request.params = {{u"items"_s, u"50"_s}, {u"fail-at"_s, u"17"_s}, {u"mode"_s, u"throw"_s}};
        request.workers = 2;
        request.chunkSize = 1;
        const RunOutcome outcome = runToEnd(request);
        QCOMPARE(outcome.status, RunStatus::Failed);
        QCOMPARE(outcome.failedTasks, 1);
        QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), 50 * 51 / 2 - 17);
        QCOMPARE(outcome.errors.size(), 3); // the first attempt and its two retries
        const ErrorReport &last = outcome.errors.last();
        QCOMPARE(last.kind, u"exception"_s);
        QCOMPARE(last.begin, 16); // item 17 is index 16
        QCOMPARE(last.attempt, 3);
        QVERIFY(last.final);
        QVERIFY(last.message.contains(u"item 17"_s));
        QVERIFY2(last.trace.contains(u"throwAtItem"_s), qPrintable(last.trace));
        QVERIFY(last.pid > 0);
    }

    void crashedWorkerIsReplacedAndTaskRetried()
    {
        RunRequest request;
        request.job = u"risky"_s;
        request.params = {{u"items"_s, u"40"_s}, {u"fail-at"_s, u"5"_s}, {u"mode"_s, u"segfault"_s}};
        request.workers = 2;
        request.chunkSize = 1;
        QList<ProgressSnapshot> snapshots;
        const RunOutcome outcome = runToEnd(request, 60000, &snapshots);
        QCOMPARE(outcome.status, RunStatus::Failed);
        QCOMPARE(outcome.failedTasks, 1);
        QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), 40 * 41 / 2 - 5); // nothing lost, nothing twice
        QCOMPARE(outcome.errors.size(), 3);
        QCOMPARE(outcome.errors[0].kind, u"signal"_s);
        QCOMPARE(outcome.errors[0].signalName, u"SIGSEGV"_s);
        QVERIFY(outcome.errors[0].pid != outcome.errors[1].pid); // each retry ran on a fresh worker
        QVERIFY(outcome.errors[1].pid != outcome.errors[2].pid);
        QVERIFY2(outcome.errors[0].trace.contains(u"crashAtItem"_s), qPrintable(outcome.errors[0].trace));
        int restarts = 0;
        for (const WorkerSnapshot &w : snapshots.last().workers)
            restarts += w.restarts;
        QVERIFY(restarts >= 1);
    }

    void missingInputFailsBeforeAnyWorker()
    {
        RunRequest request;
        request.job = u"stats"_s;
        request.input.path = u"/nonexistent/data.csv"_s;
        const RunOutcome outcome = runToEnd(request);
        QCOMPARE(outcome.status, RunStatus::Failed);
        QVERIFY(outcome.failure.has_value());
        QCOMPARE(outcome.failure->code, FailureCode::Input);
        QCOMPARE(outcome.failure->file, u"/nonexistent/data.csv"_s);
        QCOMPARE(outcome.workers, 0);
    }

    void unknownBackendIsAUsageFailure()
    {
        RunRequest request;
        request.job = u"primes"_s;
        request.backend = u"slurm"_s;
        QVERIFY(!JobRun::validate(request).ok());
        const RunOutcome outcome = runToEnd(request);
        QCOMPARE(outcome.status, RunStatus::Failed);
        QVERIFY(outcome.failure.has_value());
        QCOMPARE(outcome.failure->code, FailureCode::Usage);
        QVERIFY2(outcome.failure->message.contains(u"unknown backend \"slurm\" (known: local)"_s),
                 qPrintable(outcome.failure->message));
        QCOMPARE(outcome.workers, 0);
    }

    void cancelStopsEveryWorker()
    {
        RunRequest request;
        request.job = u"risky"_s;
        request.params = {{u"items"_s, u"400"_s}, {u"delay-ms"_s, u"50"_s}};
        request.workers = 2;
        request.chunkSize = 10;
        JobRun run(request);
        QSignalSpy finished(&run, &JobRun::finished);
        QList<qint64> pids;
        qint64 itemsDone = 0;
        connect(&run, &JobRun::progressed, this, [&](const ProgressSnapshot &s) {
            itemsDone = s.itemsDone;
            for (const WorkerSnapshot &w : s.workers)
                if (w.pid > 0 && !pids.contains(w.pid))
                    pids << w.pid;
        });
        run.start();
        QTRY_VERIFY_WITH_TIMEOUT(pids.size() == 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(itemsDone > 0, 10000); // the run is under way: tasks done, more running
        QElapsedTimer clock;
        clock.start();
        run.cancel();
        QVERIFY(finished.wait(5000));
        QVERIFY(clock.elapsed() < 5000);
        QCOMPARE(run.outcome().status, RunStatus::Cancelled);
        for (qint64 pid : pids)
            QVERIFY2(!processAlive(pid), qPrintable(u"worker %1 survived the cancel"_s.arg(pid)));
    }
};

QTEST_GUILESS_MAIN(TestPool)
#include "tst_pool.moc"
