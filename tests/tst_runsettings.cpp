// The run-settings table (history record, validation, command-line values) and the RunController
// (queue, history recorded once per run) over the real worker.
#include "core/engine/runcontroller.h"
#include "core/run/runsettings.h"
#include "core/store/history.h"

#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

RunRequest requestOf(const QString &job)
{
    RunRequest r;
    r.job = job;
    return r;
}

} // namespace

class TestRunSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void historyRecordRoundTrips()
    {
        RunRequest r;
        r.job = u"primes"_s;
        r.params = {{u"end"_s, qint64(500)}};
        r.input.generatedRows = 40;
        r.input.generatedCols = 3;
        r.input.distribution = Distribution::Normal;
        r.input.seed = 9;
        r.input.onBadRow = BadRowPolicy::Skip;
        r.output = u"/tmp/x.json"_s;
        r.workers = 3;
        r.chunkSize = 17;
        r.ordered = false;
        r.retries = 0;
        r.halt = HaltPolicy::Soon;
        r.timeoutSeconds = 2.5;
        r.maxTasksPerWorker = 4;
        r.memoryLimit = qint64(3) << 20;
        const QCborMap map = requestToCbor(r);
        // The keys a history written before the table holds.
        QCOMPARE(map.value(u"skip_bad_rows"_s).toBool(), true);
        QCOMPARE(map.value(u"halt"_s).toString(), u"soon"_s);
        QCOMPARE(map.value(u"timeout_s"_s).toDouble(), 2.5);
        QCOMPARE(map.value(u"chunk_size"_s).toInteger(), 17);
        const RunRequest back = requestFromCbor(map);
        QCOMPARE(requestToCbor(back), map);
        QCOMPARE(back.input.onBadRow, BadRowPolicy::Skip);
        QCOMPARE(back.halt, HaltPolicy::Soon);
        QCOMPARE(back.ordered, false);
        // An empty record reads as the defaults.
        const RunRequest defaults = requestFromCbor(QCborMap{{u"job"_s, u"primes"_s}});
        QCOMPARE(requestToCbor(defaults), requestToCbor(requestOf(u"primes"_s)));
        QCOMPARE(defaults.retries, RunRequest().retries);
        QCOMPARE(defaults.input.generatedCols, qint64(1));
    }

    void validationNamesTheFlag()
    {
        RunRequest r = requestOf(u"primes"_s);
        QVERIFY(validateRunSettings(r).ok());
        r.workers = -1;
        QCOMPARE(validateRunSettings(r).failure().message, u"--workers: must be 1 to 256"_s);
        r.workers = 100000; // would fork until the machine refuses
        QCOMPARE(validateRunSettings(r).failure().message, u"--workers: must be 1 to 256"_s);
        r.workers = MaxWorkers;
        QVERIFY(validateRunSettings(r).ok());
        r.workers = 0; // one per core
        r.timeoutSeconds = 8 * 24 * 3600;
        QCOMPARE(validateRunSettings(r).failure().message,
                 u"--timeout: must be 0 (none) or at least 0.001 seconds"_s);
        r.timeoutSeconds = 0.0001; // not silently none: below what a timer can time
        QCOMPARE(validateRunSettings(r).failure().message,
                 u"--timeout: must be 0 (none) or at least 0.001 seconds"_s);
        r.timeoutSeconds = 0.001;
        QVERIFY(validateRunSettings(r).ok());
        r.timeoutSeconds = 0;
        r.chunkSize = -2;
        QVERIFY(validateRunRequest(r).failure().message.startsWith(u"--chunk-size"_s));
    }

    void commandLineValues()
    {
        const RunSettingSpec *chunk = findRunSetting(u"chunk-size"_s);
        QVERIFY(chunk);
        QCOMPARE(parseRunSetting(*chunk, u"auto"_s).value().toLongLong(), 0);
        QCOMPARE(parseRunSetting(*chunk, u"64"_s).value().toLongLong(), 64);
        QVERIFY(!parseRunSetting(*chunk, u"0"_s));
        QVERIFY(!parseRunSetting(*findRunSetting(u"workers"_s), u"0"_s));
        QCOMPARE(parseRunSetting(*findRunSetting(u"memory-limit"_s), u"2G"_s).value().toLongLong(),
                 qint64(2) << 30);
        QCOMPARE(parseRunSetting(*findRunSetting(u"halt"_s), u"now"_s).value().toString(), u"now"_s);
        const auto bad = parseRunSetting(*findRunSetting(u"halt"_s), u"maybe"_s);
        QVERIFY(!bad);
        QCOMPARE(bad.failure().message, u"--halt: \"maybe\" is not a valid value"_s);
    }

    // Two runs, the second submitted while the first goes: it waits in the queue, then runs; each is
    // in the history once.
    void controllerQueuesAndRecordsOnce()
    {
        auto history = RunHistory::open();
        QVERIFY(history);
        const qsizetype before = history->entries().size();
        RunController controller(u"test"_s);
        QSignalSpy finished(&controller, &RunController::runFinished);
        QSignalSpy recorded(&controller, &RunController::historyRecorded);
        RunRequest r = requestOf(u"primes"_s);
        r.params = {{u"start"_s, u"0"_s}, {u"end"_s, u"300000"_s}};
        r.workers = 2;
        QVERIFY(controller.submit(r).ok());
        QVERIFY(controller.isRunning());
        r.params.insert(u"end"_s, u"1000"_s);
        QVERIFY(controller.submit(r).ok());
        QCOMPARE(controller.waiting(), 1);
        RunRequest wrong = requestOf(u"primes"_s);
        wrong.retries = -1;
        QVERIFY(!controller.submit(wrong).ok()); // refused, neither started nor queued
        QCOMPARE(controller.waiting(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 60000);
        QCOMPARE(recorded.size(), 2);
        QCOMPARE(controller.queue().size(), 1);
        QCOMPARE(controller.queue().first().state, RunController::QueueState::Done);
        QCOMPARE(controller.currentRun()->outcome().result.value(u"count"_s).toInteger(), 168);
        const QList<HistoryEntry> entries = history->entries();
        QCOMPARE(entries.size(), before + 2);
        QCOMPARE(entries.first().origin, u"test"_s);
    }
};

QTEST_GUILESS_MAIN(TestRunSettings)
#include "tst_runsettings.moc"
