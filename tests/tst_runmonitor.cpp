// The run monitor: live worker rows, their /proc samples and the timeline beside them.
#include "core/engine/procstat.h"
#include "helpers/procfs.h"
#include "helpers/windowdriver.h"
#include "ui/mainwindow.h"
#include "ui/runmonitor.h"
#include "ui/tasktimeline.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

namespace {

// The number a worker row's label starts with ("97 %", "12.5 MiB"), or -1.
double leadingNumber(const QLabel *label)
{
    bool ok = false;
    const double value = label ? label->text().section(u' ', 0, 0).toDouble(&ok) : -1;
    return ok ? value : -1;
}

} // namespace

class TestRunMonitor final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void monitorShowsLiveWorkersAndTimeline();
    void procStatSamplesThisProcess();
};

void TestRunMonitor::initTestCase()
{
    QVERIFY(prepareWindowTests());
}

void TestRunMonitor::monitorShowsLiveWorkersAndTimeline()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    // Large numbers: seconds of trial division over two workers, so the workers are seen at work. Unoptimised
    // and sanitized, trial division is five times slower: a quarter of the numbers takes as long.
    QVERIFY(typeParam(window, u"start"_s, u"4000000000"_s));
#ifdef BRIGADE_SANITIZED
    QVERIFY(typeParam(window, u"end"_s, u"4001500000"_s));
#else
    QVERIFY(typeParam(window, u"end"_s, u"4006000000"_s));
#endif
    QVERIFY(setWorkers(window, 2));

    QSignalSpy finished(&window, &MainWindow::runFinished);
    QTest::mouseClick(button(window, u"runButton"_s), Qt::LeftButton);
    QVERIFY(window.currentRun());
    const QString workerExe = QFileInfo(qEnvironmentVariable("BRIGADE_WORKER")).canonicalFilePath();
    for (int k = 1; k <= 2; ++k) {
        // The rows appear with the first snapshot that lists the workers.
        QTRY_VERIFY_WITH_TIMEOUT(window.findChild<QLabel *>(u"workerMemory%1"_s.arg(k)), 10000);
        const auto *pid = window.findChild<QLabel *>(u"workerPid%1"_s.arg(k));
        const auto *cpu = window.findChild<QLabel *>(u"workerCpu%1"_s.arg(k));
        const auto *memory = window.findChild<QLabel *>(u"workerMemory%1"_s.arg(k));
        QVERIFY(pid && cpu && memory);
        QTRY_VERIFY2_WITH_TIMEOUT(
            leadingNumber(pid) > 0 && leadingNumber(cpu) > 0 && leadingNumber(memory) > 0,
            qPrintable(u"pid %1, CPU %2, memory %3"_s.arg(pid->text(), cpu->text(), memory->text())), 15000);
        // The pid shown is a live brigade-worker child of this process, read straight from /proc.
        const qint64 shown = pid->text().toLongLong();
        QFile comm(u"/proc/%1/comm"_s.arg(shown));
        QVERIFY2(comm.open(QIODevice::ReadOnly), qPrintable(u"pid %1 is not alive"_s.arg(shown)));
        QCOMPARE(comm.readAll().trimmed(), QByteArray("brigade-worker"));
        QCOMPARE(QFileInfo(u"/proc/%1/exe"_s.arg(shown)).canonicalFilePath(), workerExe);
        QVERIFY(workerChildrenOf(QCoreApplication::applicationPid(), true).contains(shown));
        QVERIFY2(finished.isEmpty(), "the run ended before its workers were seen at work");
        qInfo("worker %d: pid %lld, CPU %s, memory %s", k, shown, qPrintable(cpu->text()),
              qPrintable(memory->text()));
    }

    QVERIFY(finished.wait(RunTimeoutMs));
    const auto outcome = finished.first().first().value<RunOutcome>();
    QCOMPARE(runStatusName(outcome.status), u"ok"_s);

    // Every task is one span on the timeline, over both lanes, none failed or left running.
    TaskTimeline *timeline = window.monitor()->timeline();
    QVERIFY(timeline);
    QCOMPARE(timeline->endedCount(), outcome.tasks);
    QCOMPARE(timeline->failedCount(), 0);
    QCOMPARE(timeline->runningCount(), 0);
    QCOMPARE(timeline->laneCount(), 2);
    QVERIFY(timeline->laneSpanCount(0) > 0 && timeline->laneSpanCount(1) > 0);
    QCOMPARE(timeline->laneSpanCount(0) + timeline->laneSpanCount(1), outcome.tasks);
    QVERIFY(timeline->spanMs() <= qint64(outcome.elapsedSeconds * 1000) + 1);

    // A tooltip names the task under the pointer.
    const QImage image = timeline->grab().toImage();
    QVERIFY(!image.isNull());
    std::optional<TaskSpan> hovered;
    for (int x = 0; x < timeline->width() && !hovered; x += 4)
        hovered = timeline->spanAt(QPoint(x, timeline->height() / 4));
    QVERIFY(hovered);
    QVERIFY(!hovered->failed);
    const QString tip = TaskTimeline::describe(*hovered, false);
    QVERIFY2(tip.contains(u"Task %1"_s.arg(hovered->taskId)) && tip.contains(u"items"_s), qPrintable(tip));
}

void TestRunMonitor::procStatSamplesThisProcess()
{
    const qint64 self = QCoreApplication::applicationPid();
    const std::optional<ProcStat> stat = readProcStat(self);
    QVERIFY(stat);
    QVERIFY(stat->rssBytes > 0);
    QVERIFY(stat->cpuTicks >= 0 && stat->startTicks > 0);
    QVERIFY(!readProcStat(0));

    // The first sample of a pid is its average since it started; the next one, a delta over the interval.
    ProcStatSampler sampler(50);
    QList<WorkerSnapshot> workers{WorkerSnapshot{}};
    workers[0].pid = self;
    sampler.fill(workers);
    QVERIFY(workers[0].rssBytes > 0);
    QVERIFY(workers[0].cpuPercent >= 0);
    QElapsedTimer busy;
    busy.start();
    volatile double sink = 0;
    while (busy.elapsed() < 300)
        sink = sink + 1.0;
    sampler.fill(workers);
    QVERIFY2(workers[0].cpuPercent > 0, qPrintable(QString::number(workers[0].cpuPercent)));
    qInfo("this process: %.0f %% CPU while spinning, %.1f MiB resident", workers[0].cpuPercent,
          double(workers[0].rssBytes) / (1024.0 * 1024.0));

    // A pid that is gone shows nothing rather than stale figures.
    workers[0] = WorkerSnapshot{};
    workers[0].pid = 0x7ffffff0;
    sampler.fill(workers);
    QCOMPARE(workers[0].cpuPercent, -1.0);
    QCOMPARE(workers[0].rssBytes, -1);
}

QTEST_MAIN(TestRunMonitor)
#include "tst_runmonitor.moc"
