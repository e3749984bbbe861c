// The window: datasets dropped or generated, parameters, Run, Cancel, the queue, preview and estimate.
#include "core/jobs/job.h"
#include "core/store/history.h"
#include "helpers/procfs.h"
#include "helpers/windowdriver.h"
#include "ui/mainwindow.h"
#include "ui/paramform.h"
#include "ui/runmonitor.h"
#include "ui/runqueue.h"

#include <QCborArray>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

class TestMainWindow final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dropFileAndRun();
    void primesRunShowsCount();
    void invalidParamDisablesRun();
    void cancelLeavesNoWorker();
    void generatedDatasetThroughDialog();
    void batchSumOverDatasetColumn();
    void dropSeveralFilesQueuesRuns();
    void previewShowsColumns();
    void estimateRecommendsAndForecasts();
};

void TestMainWindow::initTestCase()
{
    QVERIFY(prepareWindowTests());
}

void TestMainWindow::dropFileAndRun()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"ab.csv"_s);
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        // 2000 rows, one task each: long enough that both workers take part.
        file.write("a,b\n");
        for (int i = 0; i < 2000; ++i)
            file.write(QByteArray::number(1 + i % 4) + ',' + QByteArray::number(10 * (1 + i % 4)) + '\n');
    }

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"stats"_s);
    QVERIFY2(!button(window, u"runButton"_s)->isEnabled(), "stats needs a dataset before it can run");

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(path)});
    QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    QVERIFY(drop.isAccepted());
    QCOMPARE(window.dataset(), path);

    QVERIFY(setWorkers(window, 2));
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(1);
    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(runStatusName(outcome.status), u"ok"_s);
    QCOMPARE(outcome.tasks, 2000);

    auto *table = window.findChild<QTableWidget *>(u"resultTable"_s);
    QVERIFY(table);
    QCOMPARE(table->rowCount(), 2);
    int nameColumn = -1;
    int meanColumn = -1;
    for (int c = 0; c < table->columnCount(); ++c) {
        if (table->horizontalHeaderItem(c)->text() == u"name"_s)
            nameColumn = c;
        if (table->horizontalHeaderItem(c)->text() == u"mean"_s)
            meanColumn = c;
    }
    QVERIFY(nameColumn >= 0 && meanColumn >= 0);
    QMap<QString, double> means;
    for (int row = 0; row < table->rowCount(); ++row)
        means.insert(table->item(row, nameColumn)->text(), table->item(row, meanColumn)->text().toDouble());
    QCOMPARE(means.value(u"a"_s), 2.5);
    QCOMPARE(means.value(u"b"_s), 25.0);

    auto *overall = window.findChild<QProgressBar *>(u"overallProgress"_s);
    QVERIFY(overall);
    QCOMPARE(overall->value(), overall->maximum());
    // Each worker's bar ends full, or empty for a worker that got no task (a worker ready first may take
    // all of a run this short): none is left part-way.
    const QList<QProgressBar *> bars = workerBars(window);
    QCOMPARE(bars.size(), 2);
    QVERIFY(std::any_of(bars.begin(), bars.end(),
                        [](QProgressBar *bar) { return bar->value() == bar->maximum(); }));
    for (QProgressBar *bar : bars)
        QVERIFY2(bar->value() == bar->maximum() || bar->value() == 0,
                 qPrintable(QString::number(bar->value())));
}

void TestMainWindow::primesRunShowsCount()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    QVERIFY(typeParam(window, u"start"_s, u"10000"_s));
    QVERIFY(typeParam(window, u"end"_s, u"100000"_s));
    QVERIFY(setWorkers(window, 2));

    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(runStatusName(outcome.status), u"ok"_s);
    auto *summary = window.findChild<QLabel *>(u"resultSummary"_s);
    QVERIFY(summary);
    QVERIFY2(summary->text().contains(u"8363"_s), qPrintable(summary->text()));
    QVERIFY2(summary->text().contains(u"ok"_s), qPrintable(summary->text()));
}

void TestMainWindow::invalidParamDisablesRun()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    QPushButton *run = button(window, u"runButton"_s);
    QVERIFY(run->isEnabled());
    QSignalSpy validity(window.paramForm(), &ParamForm::validityChanged);

    QVERIFY(typeParam(window, u"end"_s, u"abc"_s));
    QVERIFY(!run->isEnabled());
    QVERIFY(!validity.isEmpty());
    QCOMPARE(validity.last().first().toBool(), false);
    bool reasonShown = false;
    for (const QLabel *label : window.findChildren<QLabel *>())
        if (label->isVisible() && label->text().contains(u"end"_s) && label->text().contains(u"integer"_s))
            reasonShown = true;
    QVERIFY2(reasonShown, "no visible label says why --end is invalid");

    QVERIFY(typeParam(window, u"end"_s, u"100000"_s));
    QVERIFY(run->isEnabled());
    QCOMPARE(validity.last().first().toBool(), true);
    QCOMPARE(window.paramForm()->values().value(u"end"_s).toLongLong(), 100000);
}

void TestMainWindow::cancelLeavesNoWorker()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    QVERIFY(typeParam(window, u"items"_s, u"200"_s));
    QVERIFY(typeParam(window, u"delay-ms"_s, u"50"_s)); // 10 s of work: long enough to cancel in the middle
    QVERIFY(setWorkers(window, 2));

    QSignalSpy finished(&window, &MainWindow::runFinished);
    QTest::mouseClick(button(window, u"runButton"_s), Qt::LeftButton);
    QVERIFY(window.currentRun());
    QPushButton *cancel = button(window, u"cancelButton"_s);
    QVERIFY(cancel->isEnabled());
    QCOMPARE(button(window, u"runButton"_s)->text(), u"Queue"_s); // a second run would wait its turn

    // Cancel once both workers are known and work is under way.
    const RunMonitor *monitor = window.monitor();
    QTRY_VERIFY_WITH_TIMEOUT(monitor->workerPids().size() >= 2 && monitor->lastSnapshot().itemsDone > 0,
                             10000);
    // Work goes on (more items done since) and the run has not finished: the cancel lands in the middle.
    const auto doneWhenSeen = monitor->lastSnapshot().itemsDone;
    QTRY_VERIFY_WITH_TIMEOUT(monitor->lastSnapshot().itemsDone >= doneWhenSeen + 4, 10000);
    QVERIFY(finished.isEmpty());
    const QList<qint64> pids = monitor->workerPids();

    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(finished.wait(10000));
    const auto outcome = finished.first().first().value<RunOutcome>();
    QCOMPARE(runStatusName(outcome.status), u"cancelled"_s);
    QVERIFY(monitor->lastSnapshot().itemsDone < 200);
    QVERIFY(!cancel->isEnabled());
    QVERIFY(button(window, u"runButton"_s)->isEnabled());

    for (qint64 pid : pids)
        QTRY_VERIFY2_WITH_TIMEOUT(processReaped(pid), qPrintable(u"worker %1 still exists"_s.arg(pid)), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(workerChildrenOf(QCoreApplication::applicationPid(), true).isEmpty(), 5000);
}

// Generate… opens a dialog; its values become the run's generated table.
void TestMainWindow::generatedDatasetThroughDialog()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"stats"_s);
    window.setDataset({});
    QVERIFY(!button(window, u"runButton"_s)->isEnabled());
    QTest::mouseClick(button(window, u"generateButton"_s), Qt::LeftButton);
    QDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<QDialog *>(u"generateDialog"_s)) && dialog->isVisible());
    dialog->findChild<QSpinBox *>(u"rows"_s)->setValue(1000);
    dialog->findChild<QSpinBox *>(u"cols"_s)->setValue(3);
    auto *values = dialog->findChild<QComboBox *>(u"distribution"_s);
    values->setCurrentIndex(values->findText(u"range"_s));
    QVERIFY(values->currentIndex() >= 0);
    dialog->accept();
    QVERIFY(window.hasGeneratedDataset());
    auto *label = window.findChild<QLabel *>(u"datasetLabel"_s);
    QVERIFY2(label->text().contains(u"1000 rows x 3 columns"_s), qPrintable(label->text()));
    QVERIFY(setWorkers(window, 2));
    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(runStatusName(outcome.status), u"ok"_s);
    const QCborArray columns = outcome.result.value(u"columns"_s).toArray();
    QCOMPARE(columns.size(), 3);
    QCOMPARE(columns[0].toMap().value(u"count"_s).toInteger(), 1000);
    // A job that needs a file refuses a generated table, and says so.
    window.selectJob(u"csv-transform"_s);
    if (window.currentJob() && window.currentJob()->input() != InputUse::None &&
        !window.currentJob()->acceptsGeneratedRows())
        QVERIFY(!button(window, u"runButton"_s)->isEnabled());
}

// batch-sum sums its range, or with "Compute over the dataset" one column of the dataset.
void TestMainWindow::batchSumOverDatasetColumn()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"amounts.csv"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("label,amount\n");
    double sum = 0;
    for (int i = 1; i <= 300; ++i) {
        f.write("row" + QByteArray::number(i) + ',' + QByteArray::number(i * 1.5) + '\n');
        sum += i * 1.5;
    }
    f.close();
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setDataset(path);
    window.selectJob(u"batch-sum"_s);
    auto *useDataset = window.findChild<QCheckBox *>(u"useDataset"_s);
    QVERIFY(useDataset && useDataset->isVisible());
    QVERIFY(typeParam(window, u"column"_s, u"amount"_s));
    QVERIFY(setWorkers(window, 2));
    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome)); // unchecked: the default range
    QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), qint64(100000) * 99999 / 2);
    QTest::mouseClick(useDataset, Qt::LeftButton);
    QVERIFY(useDataset->isChecked());
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(runStatusName(outcome.status), u"ok"_s);
    QCOMPARE(outcome.result.value(u"sum"_s).toDouble(), sum);
    QCOMPARE(outcome.result.value(u"count"_s).toInteger(), 300);
    window.selectJob(u"primes"_s);
    QVERIFY(!useDataset->isVisible());
}

// Several dropped files (here: a folder of CSVs) queue one run each, which finish in order.
void TestMainWindow::dropSeveralFilesQueuesRuns()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    for (int k = 1; k <= 3; ++k) {
        QFile file(dir.filePath(u"part%1.csv"_s.arg(k)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("x\n");
        for (int i = 0; i < 1000 * k; ++i)
            file.write(QByteArray::number(k) + '\n');
    }
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"stats"_s);
    QVERIFY(setWorkers(window, 2));
    QList<RunOutcome> outcomes;
    connect(&window, &MainWindow::runFinished, this,
            [&outcomes](const RunOutcome &outcome) { outcomes << outcome; });

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(dir.path())});
    QDragEnterEvent enter(QPoint(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(20, 20), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(&window, &drop);
    QVERIFY(drop.isAccepted());
    RunQueue *queue = window.runQueue();
    QCOMPARE(queue->items().size(), 3);
    QTRY_COMPARE_WITH_TIMEOUT(outcomes.size(), 3, RunTimeoutMs);
    for (int k = 1; k <= 3; ++k) {
        const RunQueue::Item item = queue->items()[k - 1];
        QCOMPARE(item.state, RunQueue::State::Done);
        QVERIFY(item.request.input.path.endsWith(u"part%1.csv"_s.arg(k)));
        // In the order of the queue: run k counted k thousand rows of the value k.
        const QCborMap column = outcomes[k - 1].result.value(u"columns"_s).toArray().first().toMap();
        QCOMPARE(column.value(u"count"_s).toInteger(), 1000 * k);
        QCOMPARE(column.value(u"mean"_s).toDouble(), double(k));
    }
    QVERIFY(!window.currentRun()->isRunning());
}

// Choosing a dataset shows its columns, their detected types and the first rows, without blocking.
void TestMainWindow::previewShowsColumns()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"people.csv"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("name,age,height\nAda,36,1.65\nAlan,41,1.78\n");
    file.close();
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.setDataset(path);
    auto *preview = window.findChild<QTableWidget *>(u"datasetPreview"_s);
    QVERIFY(preview);
    QTRY_VERIFY(preview->isVisible());
    QCOMPARE(preview->columnCount(), 3);
    QCOMPARE(preview->horizontalHeaderItem(0)->text(), u"name (text)"_s);
    QCOMPARE(preview->horizontalHeaderItem(1)->text(), u"age (number)"_s);
    QCOMPARE(preview->rowCount(), 2);
    QCOMPARE(preview->item(1, 0)->text(), u"Alan"_s);
    auto *info = window.findChild<QLabel *>(u"previewInfo"_s);
    QVERIFY2(info->text().contains(u"2 rows x 2 numeric columns"_s), qPrintable(info->text()));
    QVERIFY(window.recentFiles().contains(path));
}

// Estimate samples 2% of the items, recommends settings that "Use the recommended settings" applies, and
// forecasts a time of the right order for the real run.
void TestMainWindow::estimateRecommendsAndForecasts()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    QVERIFY(typeParam(window, u"start"_s, u"10000"_s));
    QVERIFY(typeParam(window, u"end"_s, u"20000000"_s)); // a run long enough that sharing it pays
    QVERIFY(setWorkers(window, 1));
    auto *label = window.findChild<QLabel *>(u"estimateLabel"_s);
    QTest::mouseClick(button(window, u"estimateButton"_s), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(
        label->text().contains(u"Forecast"_s) || label->text().startsWith(u"No estimate"_s), RunTimeoutMs);
    QVERIFY2(label->text().contains(u"19990000 items"_s), qPrintable(label->text()));
    QVERIFY2(label->text().contains(u"the trial ran 399800 of them"_s), qPrintable(label->text()));
    QPushButton *apply = button(window, u"applyEstimate"_s);
    QVERIFY(apply->isVisible());
    QTest::mouseClick(apply, Qt::LeftButton);
    const RunRequest request = window.currentRequest();
    QCOMPARE(request.workers, std::min(QThread::idealThreadCount(), 64));
    QVERIFY(request.chunkSize >= 1);
    QVERIFY(!QDir(RunHistory::defaultPath()).exists(u"x"_s)); // (a trial is not a run: nothing recorded)

    const QString text = label->text();
    const double forecast = text.section(u"Forecast: about "_s, 1).section(u' ', 0, 0).toDouble();
    QVERIFY2(forecast > 0, qPrintable(text));
    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(outcome.result.value(u"count"_s).toInteger(), 1270607 - 1229); // pi(2e7) - pi(1e4)
    // Busy machines are noisy: the forecast is checked for its order of magnitude only.
    QVERIFY2(forecast > outcome.elapsedSeconds / 5 && forecast < outcome.elapsedSeconds * 5,
             qPrintable(u"forecast %1 s, run %2 s"_s.arg(forecast).arg(outcome.elapsedSeconds)));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
