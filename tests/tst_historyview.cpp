// The history view: runs recorded, charted and run again from a new window.
#include "core/jobs/job.h"
#include "core/store/history.h"
#include "helpers/windowdriver.h"
#include "ui/historyview.h"
#include "ui/mainwindow.h"

#include <QBarSeries>
#include <QBarSet>
#include <QChartView>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

class TestHistoryView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void historyRecordsAndReruns();
};

void TestHistoryView::initTestCase()
{
    QVERIFY(prepareWindowTests());
}

// A finished run is in the History tab, survives a new window (the database is on disk), re-runs with the
// same parameters to the same result, and its job's runs chart by worker count.
void TestHistoryView::historyRecordsAndReruns()
{
    const QString database = RunHistory::defaultPath();
    QVERIFY2(database.contains(u"tst_historyview"_s), qPrintable(database)); // the test's own, set by CTest
    qint64 before = 0;
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.historyView()->history());
        before = window.historyView()->entries().size();
        window.selectJob(u"primes"_s);
        QVERIFY(typeParam(window, u"start"_s, u"100"_s));
        QVERIFY(typeParam(window, u"end"_s, u"30000"_s));
        QVERIFY(setWorkers(window, 1));
        RunOutcome outcome;
        QVERIFY(clickRunAndWait(window, &outcome));
        QVERIFY(setWorkers(window, 2));
        QVERIFY(clickRunAndWait(window, &outcome));
        QCOMPARE(window.historyView()->entries().size(), before + 2);
    }
    MainWindow window; // a new window reads the same database
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QList<HistoryEntry> entries = window.historyView()->entries();
    QCOMPARE(entries.size(), before + 2);
    const HistoryEntry latest = entries.first();
    QCOMPARE(latest.job, u"primes"_s);
    QCOMPARE(latest.workers, 2);
    QCOMPARE(latest.status, u"ok"_s);
    QCOMPARE(latest.origin, u"gui"_s);
    QCOMPARE(latest.result.value(u"count"_s).toInteger(), 3220); // primes in [100, 30000)
    QCOMPARE(entries[1].workers, 1);

    window.selectJob(u"stats"_s); // re-run must restore the job and its parameters
    auto *table = window.findChild<QTableWidget *>(u"historyTable"_s);
    QVERIFY(table);
    table->selectRow(0);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QTest::mouseClick(button(window, u"historyRerun"_s), Qt::LeftButton);
    QVERIFY(finished.wait(RunTimeoutMs));
    const RunOutcome again = finished.first().first().value<RunOutcome>();
    QCOMPARE(window.currentJob()->name(), u"primes"_s);
    QCOMPARE(window.currentRequest().params.value(u"start"_s).toLongLong(), 100);
    QCOMPARE(again.workers, 2);
    QCOMPARE(again.result.value(u"count"_s), latest.result.value(u"count"_s));
    QCOMPARE(window.historyView()->entries().size(), before + 3);

    window.historyView()->selectEntry(window.historyView()->entries().first().id);
    QTest::mouseClick(button(window, u"historyCompare"_s), Qt::LeftButton);
    auto *chart = window.findChild<QChartView *>(u"historyChart"_s);
    QVERIFY(chart);
    QCOMPARE(chart->chart()->series().size(), 1);
    auto *bars = qobject_cast<QBarSeries *>(chart->chart()->series().first());
    QVERIFY(bars);
    QVERIFY(bars->barSets().first()->count() >= 2); // 1 worker and 2 workers
}

QTEST_MAIN(TestHistoryView)
#include "tst_historyview.moc"
