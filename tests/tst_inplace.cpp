// In-place runs whose workers are SIGKILLed at random moments: a task retried after its worker died
// part-way (or after its result was lost on the way) starts from the values its first attempt saw, so
// every value of the output is exactly what one pass computes. Real workers, real files; the moments are
// drawn from a seed printed with each run, so that a failure can be replayed.
#include "core/data/npy.h"
#include "core/data/sharedarray.h"
#include "core/engine/jobrun.h"
#include "helpers/procfs.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

namespace {

#ifdef BRIGADE_SANITIZED
constexpr qint64 Scale = 8; // the sanitizers run about ten times slower: smaller tables, the same moments
#else
constexpr qint64 Scale = 1;
#endif

// Values whose doubles are exact, distinct and not round: x·2 is exact too.
double valueAt(qint64 i)
{
    return double(i) * 0.25 + 1.0 / 3.0;
}

QString writeInput(const QString &dir, qint64 rows)
{
    auto array = SharedArray::create(Dtype::Float64, rows, 1, {u"x"_s});
    if (!array)
        return {};
    double *x = array->data<double>();
    for (qint64 i = 0; i < rows; ++i)
        x[i] = valueAt(i);
    const QString path = dir + u"/in.npy"_s;
    return writeNpy(path, *array) ? QString() : path;
}

struct Killed {
    RunOutcome outcome;
    int kills = 0;        // SIGKILLs sent to a live worker
    qint64 workersMs = 0; // from the first worker's start to the last one's end
};

// Runs scale ×2 over `input` into `output`, SIGKILLing one of its workers at each of `killAtMs`, counted
// from the moment the first worker exists (the table is loaded by then).
Killed runKilling(const QString &input, const QString &output, qint64 chunkSize, const QList<int> &killAtMs)
{
    RunRequest request;
    request.job = u"scale"_s;
    request.params = {{u"factor"_s, 2.0}};
    request.input.path = input;
    request.output = output;
    request.workers = 2;
    request.chunkSize = chunkSize;
    request.retries = 8; // a SIGKILL charges the task it struck: the run must not give any up
    JobRun run(request);
    QSignalSpy finished(&run, &JobRun::finished);
    Killed killed;
    QElapsedTimer sinceWorkers;
    QTimer watch; // the workers are this process's children: seen within a millisecond of their start
    watch.setInterval(1);
    QObject::connect(&watch, &QTimer::timeout, &run, [&] {
        const bool any = !workerChildrenOf(::getpid(), false).isEmpty();
        if (any && !sinceWorkers.isValid()) {
            sinceWorkers.start();
            for (const int at : killAtMs)
                QTimer::singleShot(at, &run, [&] {
                    const QList<qint64> workers = workerChildrenOf(::getpid(), false);
                    if (finished.isEmpty() && !workers.isEmpty() &&
                        ::kill(pid_t(workers.at(killed.kills % workers.size())), SIGKILL) == 0)
                        ++killed.kills;
                });
        } else if (!any && sinceWorkers.isValid() && killed.workersMs == 0) {
            killed.workersMs = sinceWorkers.elapsed(); // the tasks are done (the output is written next)
        }
    });
    watch.start();
    run.start();
    if (!finished.wait(120000))
        qFatal("an in-place run did not end within 120 s");
    killed.outcome = run.outcome();
    return killed;
}

// The first index where `output` differs from twice the input, and how many differ; {-1, 0}: none.
std::pair<qint64, qint64> mismatches(const QString &output, qint64 rows)
{
    auto array = readNpy(output);
    if (!array || array->rows() != rows || array->cols() != 1)
        return {0, rows};
    const double *y = array->data<double>();
    qint64 first = -1, count = 0;
    for (qint64 i = 0; i < rows; ++i)
        if (y[i] != 2 * valueAt(i)) {
            if (first < 0)
                first = i;
            ++count;
        }
    return {first, count};
}

} // namespace

class TestInPlace final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup()
    {
        QVERIFY2(segmentsOf(::getpid()).isEmpty(), qPrintable(segmentsOf(::getpid()).join(u' ')));
        QTRY_VERIFY_WITH_TIMEOUT(workerChildrenOf(::getpid(), false).isEmpty(), 5000);
    }

    void killedWorkersNeverScaleAValueTwice_data()
    {
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<qint64>("chunkSize");
        // Chunk size 1: hundreds of tasks in hand per worker, results batched when the kill strikes.
        QTest::newRow("chunk size 1") << qint64(300'000) / Scale << qint64(1);
        // Automatic: tasks grow to the undo area's bound (a million float64 rows).
        QTest::newRow("auto") << qint64(12'000'000) / Scale << qint64(0);
    }

    void killedWorkersNeverScaleAValueTwice()
    {
        QFETCH(qint64, rows);
        QFETCH(qint64, chunkSize);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString input = writeInput(dir.path(), rows);
        QVERIFY(!input.isEmpty());

        // The run's length without faults bounds the moments drawn.
        const Killed clean = runKilling(input, dir.filePath(u"clean.npy"_s), chunkSize, {});
        QCOMPARE(clean.outcome.status, RunStatus::Ok);
        QCOMPARE(mismatches(dir.filePath(u"clean.npy"_s), rows), (std::pair<qint64, qint64>{-1, 0}));

        const quint32 seed = QRandomGenerator::global()->generate();
        QRandomGenerator random(seed);
        constexpr int Runs = 10; // per row: 20 in all
        int struck = 0;
        for (int r = 0; r < Runs; ++r) {
            // One or two kills in the first two thirds of the workers' time (the successor of a killed worker
            // may be killed too). A kill that lands after the last task (the machine was faster this time)
            // proves nothing: the run is tried again with new moments, up to MaxTries times.
            constexpr int MaxTries = 5;
            const qint64 span = std::max<qint64>(2, clean.workersMs * 2 / 3);
            bool lost = false;
            for (int tries = 0; tries < MaxTries && !lost; ++tries) {
                QList<int> at{int(random.bounded(qint64(0), span))};
                if (random.bounded(2) == 1)
                    at.append(at.first() + int(random.bounded(qint64(1), span)));
                const QString output = dir.filePath(u"out%1.npy"_s.arg(r));
                const Killed k = runKilling(input, output, chunkSize, at);
                const QString where =
                    u"seed %1, run %2 (try %3), kills at %4 ms (%5 sent; clean run: workers for %6 ms)"_s
                        .arg(seed)
                        .arg(r)
                        .arg(tries + 1)
                        .arg(QString::number(at.first()) +
                             (at.size() > 1 ? u", "_s + QString::number(at.last()) : QString()))
                        .arg(k.kills)
                        .arg(clean.workersMs);
                QVERIFY2(k.outcome.status == RunStatus::Ok,
                         qPrintable(where + u": status "_s + QString::number(int(k.outcome.status))));
                const auto [first, count] = mismatches(output, rows);
                QVERIFY2(
                    count == 0,
                    qPrintable(where + u": %1 values differ, the first at row %2"_s.arg(count).arg(first)));
                lost = !k.outcome.errors.isEmpty(); // a worker was lost while it held tasks
            }
            struck += lost ? 1 : 0;
        }
        // The test proves something only if kills landed during the tasks.
        QVERIFY2(struck >= Runs - 1, qPrintable(u"only %1 of %2 runs lost a worker"_s.arg(struck).arg(Runs)));
        qInfo("%d of %d runs lost a worker to SIGKILL (seed %u)", struck, Runs, seed);
    }
};

QTEST_GUILESS_MAIN(TestInPlace)
#include "tst_inplace.moc"
