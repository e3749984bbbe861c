// The task timeline: failed spans in red, 100,000 spans, the repaint rate, running spans.
#include "helpers/windowdriver.h"
#include "ui/mainwindow.h"
#include "ui/runmonitor.h"
#include "ui/tasktimeline.h"

#include <QCheckBox>
#include <QElapsedTimer>
#include <QSpinBox>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

namespace {

// The first pixel of the timeline painted in its failed colour, or (-1, -1).
QPoint firstRedPixel(const QImage &image)
{
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x) {
            const QColor c = image.pixelColor(x, y);
            if (c.red() > 180 && c.green() < 80 && c.blue() < 80)
                return {x, y};
        }
    return {-1, -1};
}

} // namespace

class TestTaskTimeline final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void timelineShowsFailedTasksInRed();
    void timelinePaintsHundredThousandSpans();
    void timelineRepaintsAtMostThirtyTimesASecond();
    void timelineRunningSpanGrowsWithoutSnapshots();
};

void TestTaskTimeline::initTestCase()
{
    QVERIFY(prepareWindowTests());
}

void TestTaskTimeline::timelineShowsFailedTasksInRed()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    QVERIFY(typeParam(window, u"items"_s, u"40"_s));
    QVERIFY(typeParam(window, u"fail-at"_s, u"7,23"_s));
    QVERIFY(typeParam(window, u"mode"_s, u"throw,segfault"_s));
    QVERIFY(typeParam(window, u"delay-ms"_s, u"10"_s));
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(2);
    QVERIFY(setWorkers(window, 3));

    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(runStatusName(outcome.status), u"failed"_s);
    QCOMPARE(outcome.failedTasks, 2);

    // Each failed attempt is a red span; the tasks that succeeded are the rest, and the item beside each
    // failing one, split off its task and computed alone.
    TaskTimeline *timeline = window.monitor()->timeline();
    const qsizetype attempts = outcome.errors.size();
    QVERIFY(attempts >= 2);
    QCOMPARE(timeline->failedCount(), attempts);
    QCOMPARE(timeline->endedCount() - timeline->failedCount(), outcome.tasks - outcome.failedTasks + 2);
    QCOMPARE(outcome.result.value(u"items"_s).toInteger(), 38);
    QCOMPARE(timeline->laneCount(), 3);

    const QImage image = timeline->grab().toImage();
    const QPoint red = firstRedPixel(image);
    QVERIFY2(red.x() >= 0, "no failed span painted red");
    const std::optional<TaskSpan> span = timeline->spanAt(red);
    QVERIFY(span && span->failed);
    QVERIFY2(TaskTimeline::describe(*span, false).contains(u"failed"_s),
             qPrintable(TaskTimeline::describe(*span, false)));
}

void TestTaskTimeline::timelinePaintsHundredThousandSpans()
{
    // Not a timed test: it reports the cost of a paint and checks what is painted.
    for (const int count : {100'000, 1'000'000}) {
        TaskTimeline timeline;
        timeline.resize(1200, 320);
        constexpr int Lanes = 8;
        QList<TaskSpan> spans;
        spans.reserve(count);
        std::vector<qint64> laneTime(Lanes, 0);
        for (int i = 0; i < count; ++i) {
            const int lane = i % Lanes;
            const qint64 length = 5 + qint64(i) * 7919 % 20; // 5 to 24 ms
            spans.append({lane, 1000 + lane, i, qint64(i) * 10, qint64(i) * 10 + 10, laneTime[size_t(lane)],
                          laneTime[size_t(lane)] + length, i % 997 == 0});
            laneTime[size_t(lane)] += length + 1;
        }
        QElapsedTimer clock;
        clock.start();
        timeline.addSpans(spans, *std::max_element(laneTime.begin(), laneTime.end()));
        const double addMs = double(clock.nsecsElapsed()) / 1e6;
        QCOMPARE(timeline.endedCount(), count);
        QCOMPARE(timeline.laneCount(), Lanes);
        QVERIFY(timeline.failedCount() > 0);

        QImage image = timeline.grab().toImage(); // warm-up: fonts, backing store
        constexpr int Rounds = 30;
        clock.restart();
        for (int i = 0; i < Rounds; ++i)
            image = timeline.grab().toImage();
        const double paintMs = double(clock.nsecsElapsed()) / 1e6 / Rounds;
        qInfo("timeline of %d spans on %d lanes, 1200x320: added in %.1f ms, grab (paint) %.2f ms each",
              count, Lanes, addMs, paintMs);
        if (qEnvironmentVariableIsSet("BRIGADE_TIMELINE_PNG")) // to look at what the test painted
            image.save(qEnvironmentVariable("BRIGADE_TIMELINE_PNG"));
        QVERIFY(firstRedPixel(image).x() >= 0);

        // Coalesced, the tasks of a busy lane still cover it without a hole, from its first to its last.
        const int y = 20;
        const std::optional<TaskSpan> hit = timeline.spanAt(QPoint(timeline.width() / 2, y));
        QVERIFY(hit && hit->slot == 0);
        const QRgb done = timeline.palette().color(QPalette::Highlight).rgb();
        int first = -1, last = -1, holes = 0;
        for (int x = 0; x < image.width(); ++x) {
            const QRgb pixel = image.pixel(x, y);
            const bool painted = pixel == done || firstRedPixel(image.copy(x, y, 1, 1)).x() == 0;
            if (!painted)
                continue;
            if (first < 0)
                first = x;
            holes += last >= 0 ? x - last - 1 : 0;
            last = x;
        }
        QVERIFY(first >= 0 && last - first > image.width() / 2);
        QCOMPARE(holes, 0);
    }
}

void TestTaskTimeline::timelineRepaintsAtMostThirtyTimesASecond()
{
    TaskTimeline timeline;
    timeline.resize(600, 120);
    timeline.show();
    QVERIFY(QTest::qWaitForWindowExposed(&timeline));
    struct PaintCounter : QObject {
        int paints = 0;
        bool eventFilter(QObject *, QEvent *event) override
        {
            paints += event->type() == QEvent::Paint;
            return false;
        }
    } counter;
    timeline.installEventFilter(&counter);

    // Snapshots far faster than the engine's 20 Hz: each is taken in, the paints stay throttled.
    ProgressSnapshot snapshot;
    snapshot.workers = {WorkerSnapshot{}, WorkerSnapshot{}};
    snapshot.workers[1].slot = 1;
    QElapsedTimer clock;
    clock.start();
    qint64 id = 0;
    while (clock.elapsed() < 1000) {
        const qint64 now = clock.elapsed();
        snapshot.elapsedSeconds = double(now) / 1000.0;
        snapshot.endedSpans = {TaskSpan{int(id % 2), 0, id, id, id + 1, now, now + 1, false}};
        timeline.addSnapshot(snapshot);
        ++id;
        QCoreApplication::processEvents();
        QTest::qWait(1);
    }
    const qint64 seconds = (clock.elapsed() + 999) / 1000;
    qInfo("%lld snapshots in %lld ms, %d paints", id, clock.elapsed(), counter.paints);
    QCOMPARE(timeline.endedCount(), id);
    QVERIFY(id > 100);
    QVERIFY2(counter.paints >= 5 &&
                 counter.paints <= seconds * (1000 / TaskTimeline::MinRepaintIntervalMs + 2),
             qPrintable(QString::number(counter.paints)));
}

void TestTaskTimeline::timelineRunningSpanGrowsWithoutSnapshots()
{
    // A task that reports nothing (a hung worker, say) brings no snapshots: its bar grows all the same.
    TaskTimeline timeline;
    timeline.resize(600, 80);
    timeline.show();
    QVERIFY(QTest::qWaitForWindowExposed(&timeline));
    ProgressSnapshot snapshot;
    snapshot.workers = {WorkerSnapshot{}};
    snapshot.elapsedSeconds = 1.0;
    snapshot.runningSpans = {TaskSpan{0, 4242, 7, 70, 80, 500, 1000, false}};
    timeline.addSnapshot(snapshot);
    QVERIFY(timeline.nowMs() >= 1000);
    QTRY_VERIFY_WITH_TIMEOUT(timeline.nowMs() >= 1300 && timeline.spanMs() >= 1300, 5000);
    const std::optional<TaskSpan> running = timeline.spanAt(QPoint(timeline.width() - 12, 20));
    QVERIFY(running && !running->failed && running->taskId == 7);
    QVERIFY(running->endMs >= 1300);
    QVERIFY2(TaskTimeline::describe(*running, true).contains(u"running"_s),
             qPrintable(TaskTimeline::describe(*running, true)));

    // Once the run is over, time stands at its last snapshot.
    timeline.finish();
    QCOMPARE(timeline.nowMs(), 1000);
}

QTEST_MAIN(TestTaskTimeline)
#include "tst_tasktimeline.moc"
