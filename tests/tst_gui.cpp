// tst_gui: drives MainWindow offscreen against real brigade-worker processes (found through BRIGADE_WORKER).
#include "core/data/images.h"
#include "core/data/npy.h"
#include "core/data/sharedarray.h"
#include "core/engine/procstat.h"
#include "core/jobs/job.h"
#include "core/store/history.h"
#include "ui/errorconsole.h"
#include "ui/heatmapview.h"
#include "ui/historyview.h"
#include "ui/mainwindow.h"
#include "ui/paramform.h"
#include "ui/resultview.h"
#include "ui/runmonitor.h"
#include "ui/runqueue.h"
#include "ui/segmentpanel.h"
#include "ui/tasktimeline.h"

#include <QBarSeries>
#include <QBarSet>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QCborArray>
#include <QChartView>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMimeData>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTreeView>

#include <cerrno>
#include <csignal>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

constexpr int RunTimeoutMs = 30000;

QPushButton *button(const MainWindow &window, const QString &name)
{
    return window.findChild<QPushButton *>(name);
}

void setWorkers(const MainWindow &window, int workers)
{
    auto *spin = window.findChild<QSpinBox *>(u"workers"_s);
    QVERIFY(spin);
    spin->setValue(workers);
    QCOMPARE(spin->value(), workers);
}

// Types into a parameter's line edit as a user would.
void typeParam(const MainWindow &window, const QString &name, const QString &text)
{
    auto *edit = window.findChild<QLineEdit *>(u"param-"_s + name);
    QVERIFY2(edit, qPrintable(u"no line edit for "_s + name));
    edit->clear();
    QTest::keyClicks(edit, text);
    QCOMPARE(edit->text(), text);
}

// Clicks Run and waits (with a deadline) for runFinished; the outcome is left in *outcome.
void clickRunAndWait(MainWindow &window, RunOutcome *outcome, int timeoutMs = RunTimeoutMs)
{
    QPushButton *run = button(window, u"runButton"_s);
    QVERIFY(run);
    QVERIFY2(run->isEnabled(), qPrintable(run->toolTip()));
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QTest::mouseClick(run, Qt::LeftButton);
    QVERIFY2(window.currentRun(), "Run did not create a JobRun");
    QVERIFY(finished.wait(timeoutMs));
    QCOMPARE(finished.size(), 1);
    *outcome = finished.first().first().value<RunOutcome>();
}

QList<QProgressBar *> workerBars(const MainWindow &window)
{
    QList<QProgressBar *> bars;
    for (QProgressBar *bar : window.findChildren<QProgressBar *>())
        if (bar->objectName().startsWith(u"workerBar"_s))
            bars.append(bar);
    return bars;
}

// brigade-worker children of this process, zombies included, read from /proc/<pid>/stat.
QList<qint64> workerChildren()
{
    QList<qint64> pids;
    const QByteArray self = QByteArray::number(QCoreApplication::applicationPid());
    const QStringList entries = QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric)
            continue;
        QFile stat(u"/proc/"_s + entry + u"/stat"_s);
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray line = stat.readAll();
        // "pid (comm) state ppid ...": comm may hold spaces, so split after the last ')'.
        const qsizetype open = line.indexOf('(');
        const qsizetype close = line.lastIndexOf(')');
        if (open < 0 || close < open)
            continue;
        const QByteArray comm = line.mid(open + 1, close - open - 1);
        const QList<QByteArray> rest = line.mid(close + 2).split(' ');
        if (comm == "brigade-worker" && rest.size() > 1 && rest[1] == self)
            pids.append(pid);
    }
    return pids;
}

bool processGone(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == -1 && errno == ESRCH;
}

// Whether a row under `parent` (at any depth) shows `needle` in any column.
bool anyChildContains(const QAbstractItemModel *model, const QModelIndex &parent, const QString &needle)
{
    for (int row = 0; row < model->rowCount(parent); ++row) {
        for (int c = 0; c < model->columnCount(parent); ++c)
            if (model->index(row, c, parent).data().toString().contains(needle))
                return true;
        if (anyChildContains(model, model->index(row, 0, parent), needle))
            return true;
    }
    return false;
}

// The error console's group rows: kind, top frame and count of each.
struct GroupRow {
    QString kind;
    QString frame;
    int count = 0;
    QModelIndex index;
};

QList<GroupRow> groupRows(const ErrorConsole *console)
{
    const ErrorModel *model = console->model();
    QList<GroupRow> groups;
    for (int row = 0; row < model->rowCount(); ++row)
        groups.append({model->index(row, ErrorModel::KindColumn).data().toString(),
                       model->index(row, ErrorModel::FrameColumn).data().toString(),
                       model->rowCount(model->index(row, 0)), model->index(row, 0)});
    return groups;
}

const GroupRow *findGroup(const QList<GroupRow> &groups, const QString &kind)
{
    for (const GroupRow &group : groups)
        if (group.kind == kind)
            return &group;
    return nullptr;
}

} // namespace

class TestGui final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void dropFileAndRun();
    void primesRunShowsCount();
    void invalidParamDisablesRun();
    void cancelLeavesNoWorker();
    void riskyErrorShowsTrace();
    void generatedDatasetThroughDialog();
    void batchSumOverDatasetColumn();
    void historyRecordsAndReruns();
    void errorConsoleGroupsFilterCopySave();
    void retryFailedTasksRunsOnlyThem();
    void errorConsoleTakesTenThousandReports();
    void dropSeveralFilesQueuesRuns();
    void previewShowsColumns();
    void segmentPanelShowsAndCleansUp();
    void estimateRecommendsAndForecasts();
    void statsRunChartsEachColumn();
    void histogramRunBarsSumToRows();
    void correlationRunShowsHeatmap();
    void saveResultAsCsvJsonNpy();
    void monitorShowsLiveWorkersAndTimeline();
    void timelineShowsFailedTasksInRed();
    void timelinePaintsHundredThousandSpans();
    void procStatSamplesThisProcess();
    void timelineRepaintsAtMostThirtyTimesASecond();
    void timelineRunningSpanGrowsWithoutSnapshots();
    void imagePipelineShowsThumbnails();
    void saveAsDialogOffersResultFormats();
};

void TestGui::initTestCase()
{
    // Keeps the window's QSettings (last job, workers) out of the user's configuration.
    QStandardPaths::setTestModeEnabled(true);
    QSettings(u"Brigade"_s, u"Brigade"_s).clear();
    const QString worker = qEnvironmentVariable("BRIGADE_WORKER");
    QVERIFY2(QFileInfo(worker).isExecutable(), "BRIGADE_WORKER must name the brigade-worker executable");
}

void TestGui::dropFileAndRun()
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

    setWorkers(window, 2);
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(1);
    RunOutcome outcome;
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
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

void TestGui::primesRunShowsCount()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    typeParam(window, u"start"_s, u"10000"_s);
    typeParam(window, u"end"_s, u"100000"_s);
    setWorkers(window, 2);

    RunOutcome outcome;
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(runStatusName(outcome.status), u"ok"_s);
    auto *summary = window.findChild<QLabel *>(u"resultSummary"_s);
    QVERIFY(summary);
    QVERIFY2(summary->text().contains(u"8363"_s), qPrintable(summary->text()));
    QVERIFY2(summary->text().contains(u"ok"_s), qPrintable(summary->text()));
}

void TestGui::invalidParamDisablesRun()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    QPushButton *run = button(window, u"runButton"_s);
    QVERIFY(run->isEnabled());
    QSignalSpy validity(window.paramForm(), &ParamForm::validityChanged);

    typeParam(window, u"end"_s, u"abc"_s);
    QVERIFY(!run->isEnabled());
    QVERIFY(!validity.isEmpty());
    QCOMPARE(validity.last().first().toBool(), false);
    bool reasonShown = false;
    for (const QLabel *label : window.findChildren<QLabel *>())
        if (label->isVisible() && label->text().contains(u"end"_s) && label->text().contains(u"integer"_s))
            reasonShown = true;
    QVERIFY2(reasonShown, "no visible label says why --end is invalid");

    typeParam(window, u"end"_s, u"100000"_s);
    QVERIFY(run->isEnabled());
    QCOMPARE(validity.last().first().toBool(), true);
    QCOMPARE(window.paramForm()->values().value(u"end"_s).toLongLong(), 100000);
}

void TestGui::cancelLeavesNoWorker()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    typeParam(window, u"items"_s, u"200"_s);
    typeParam(window, u"delay-ms"_s, u"50"_s); // 10 s of work: long enough to cancel in the middle
    setWorkers(window, 2);

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
    QTest::qWait(300);
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
        QTRY_VERIFY2_WITH_TIMEOUT(processGone(pid), qPrintable(u"worker %1 still exists"_s.arg(pid)), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(workerChildren().isEmpty(), 5000);
}

void TestGui::riskyErrorShowsTrace()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    typeParam(window, u"items"_s, u"20"_s);
    typeParam(window, u"fail-at"_s, u"7"_s);
    typeParam(window, u"mode"_s, u"throw"_s);
    auto *chunkAuto = window.findChild<QCheckBox *>(u"chunkAuto"_s);
    auto *chunkSize = window.findChild<QSpinBox *>(u"chunkSize"_s);
    QVERIFY(chunkAuto && chunkSize);
    QVERIFY(!chunkSize->isEnabled());
    chunkAuto->setChecked(false);
    QVERIFY(chunkSize->isEnabled());
    chunkSize->setValue(1);
    setWorkers(window, 2);

    RunOutcome outcome;
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(runStatusName(outcome.status), u"failed"_s);
    QCOMPARE(outcome.chunkSize, 1);

    ErrorConsole *console = window.findChild<ErrorConsole *>(u"errorConsole"_s);
    QVERIFY(console);
    QVERIFY(console->reportCount() >= 1);
    console->flush(); // reports reach the view in batches
    const ErrorModel *model = console->model();
    QCOMPARE(model->rowCount(), 1); // one kind, one failing function
    const QModelIndex group = model->index(0, 0);
    QVERIFY(model->index(0, ErrorModel::MessageColumn).data().toString().contains(u"item 7"_s));
    console->view()->expand(group);
    QVERIFY(console->view()->isExpanded(group));
    QCOMPARE(model->rowCount(group), console->reportCount());
    const QModelIndex error = model->index(0, 0, group);
    console->view()->expand(error);
    QVERIFY(model->rowCount(error) > 0);
    QVERIFY2(anyChildContains(model, error, u"throwAtItem"_s),
             qPrintable(ErrorConsole::reportText(console->reports().first())));
}

QTEST_MAIN(TestGui)

// Generate… opens a dialog; its values become the run's generated table.
void TestGui::generatedDatasetThroughDialog()
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
    setWorkers(window, 2);
    RunOutcome outcome;
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
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
void TestGui::batchSumOverDatasetColumn()
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
    typeParam(window, u"column"_s, u"amount"_s);
    setWorkers(window, 2);
    RunOutcome outcome;
    clickRunAndWait(window, &outcome); // unchecked: the default range
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), qint64(100000) * 99999 / 2);
    QTest::mouseClick(useDataset, Qt::LeftButton);
    QVERIFY(useDataset->isChecked());
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(runStatusName(outcome.status), u"ok"_s);
    QCOMPARE(outcome.result.value(u"sum"_s).toDouble(), sum);
    QCOMPARE(outcome.result.value(u"count"_s).toInteger(), 300);
    window.selectJob(u"primes"_s);
    QVERIFY(!useDataset->isVisible());
}

// A finished run is in the History tab, survives a new window (the database is on disk), re-runs with the
// same parameters to the same result, and its job's runs chart by worker count.
void TestGui::historyRecordsAndReruns()
{
    const QString database = RunHistory::defaultPath();
    QVERIFY2(database.contains(u"tst_gui"_s), qPrintable(database)); // the test's own, set by CTest
    qint64 before = 0;
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.historyView()->history());
        before = window.historyView()->entries().size();
        window.selectJob(u"primes"_s);
        typeParam(window, u"start"_s, u"100"_s);
        typeParam(window, u"end"_s, u"30000"_s);
        setWorkers(window, 1);
        RunOutcome outcome;
        clickRunAndWait(window, &outcome);
        if (QTest::currentTestFailed())
            return;
        setWorkers(window, 2);
        clickRunAndWait(window, &outcome);
        if (QTest::currentTestFailed())
            return;
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

// Several dropped files (here: a folder of CSVs) queue one run each, which finish in order.
void TestGui::dropSeveralFilesQueuesRuns()
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
    setWorkers(window, 2);
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
void TestGui::previewShowsColumns()
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

// A risky run failing in two ways at four items: its reports are grouped by kind and failing function with
// a count each; an error expands to its trace, input and stderr; Copy and Save carry them; the filter
// narrows.
void TestGui::errorConsoleGroupsFilterCopySave()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    typeParam(window, u"items"_s, u"200"_s);
    typeParam(window, u"fail-at"_s, u"7,50,120,180"_s);
    typeParam(window, u"mode"_s, u"throw,segfault"_s); // 7 and 120 throw, 50 and 180 crash
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(10);
    window.findChild<QSpinBox *>(u"retries"_s)->setValue(1);
    setWorkers(window, 2);
    RunOutcome outcome;
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(runStatusName(outcome.status), u"failed"_s);
    QCOMPARE(outcome.failedTasks, 4);

    ErrorConsole *console = window.errorConsole();
    console->flush(); // reports reach the view in batches
    const ErrorModel *model = console->model();
    QCOMPARE(console->reportCount(), 8); // four items, two attempts each
    QList<GroupRow> groups = groupRows(console);
    QCOMPARE(groups.size(), 2);
    const GroupRow *thrown = findGroup(groups, u"exception"_s);
    const GroupRow *crashed = findGroup(groups, u"signal SIGSEGV"_s);
    QVERIFY(thrown && crashed);
    QVERIFY2(thrown->frame.contains(u"throwAtItem"_s), qPrintable(thrown->frame));
    QVERIFY2(crashed->frame.contains(u"crashAtItem"_s), qPrintable(crashed->frame));
    QCOMPARE(thrown->count, 4);
    QCOMPARE(crashed->count, 4);
    QCOMPARE(model->index(thrown->index.row(), ErrorModel::CountColumn).data().toString(), u"4"_s);

    // An error of item 120 expands to the trace naming the throwing function and to its input.
    QModelIndex error;
    for (int row = 0; row < model->rowCount(thrown->index); ++row)
        if (model->index(row, ErrorModel::TaskColumn, thrown->index)
                .data()
                .toString()
                .contains(u"[110, 120)"_s))
            error = model->index(row, 0, thrown->index);
    QVERIFY(error.isValid());
    console->view()->expand(thrown->index);
    console->view()->expand(error);
    QVERIFY(console->view()->isExpanded(error));
    QVERIFY(anyChildContains(model, error, u"throwAtItem"_s));
    QVERIFY(anyChildContains(model, error, u"Input: items 111–120, task 11, items [110, 120)"_s));
    // A crash carries the worker's stderr, where its handler wrote the frames.
    const QModelIndex crash = model->index(0, 0, crashed->index);
    QVERIFY(anyChildContains(model, crash, u"stderr (last"_s));
    QVERIFY(anyChildContains(model, crash, u"crashAtItem"_s));

    // Copy: the selected error, with its trace and input.
    console->view()->selectionModel()->select(error, QItemSelectionModel::ClearAndSelect |
                                                         QItemSelectionModel::Rows);
    QTest::mouseClick(console->findChild<QPushButton *>(u"errorCopyButton"_s), Qt::LeftButton);
    const QString copied = QGuiApplication::clipboard()->text();
    QVERIFY2(copied.contains(u"throwAtItem"_s) && copied.contains(u"[110, 120)"_s), qPrintable(copied));
    QVERIFY(copied.contains(u"Input: items 111–120"_s));
    QVERIFY(!copied.contains(u"crashAtItem"_s));

    // Save: every report, through the (non-blocking) file dialog, as JSON; and as text.
    QTemporaryDir dir;
    const QString json = dir.filePath(u"errors.json"_s);
    QTest::mouseClick(console->findChild<QPushButton *>(u"errorSaveButton"_s), Qt::LeftButton);
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = console->findChild<QFileDialog *>(u"saveErrorsDialog"_s)) && dialog->isVisible());
    dialog->selectFile(json);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept is protected; QDialog::accept is not
    QTRY_VERIFY(QFileInfo::exists(json));
    QFile saved(json);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QJsonArray list = QJsonDocument::fromJson(saved.readAll()).object().value(u"errors"_s).toArray();
    QCOMPARE(list.size(), 8);
    QVERIFY(list.first().toObject().value(u"trace"_s).toString().contains(u"AtItem"_s));
    QVERIFY(list.first().toObject().contains(u"input"_s));
    const QString text = dir.filePath(u"errors.txt"_s);
    QVERIFY(!console->saveTo(text));
    QFile textFile(text);
    QVERIFY(textFile.open(QIODevice::ReadOnly));
    const QString written = QString::fromUtf8(textFile.readAll());
    QCOMPARE(written.count(u"Trace:"_s), 8);
    QVERIFY(written.contains(u"throwAtItem"_s) && written.contains(u"crashAtItem"_s));

    // The filter narrows the rows to the reports holding its text.
    auto *filter = console->findChild<QLineEdit *>(u"errorFilter"_s);
    QVERIFY(filter && !filter->accessibleName().isEmpty());
    QTest::keyClicks(filter, u"crashAtItem"_s);
    groups = groupRows(console);
    QCOMPARE(groups.size(), 1);
    QCOMPARE(groups.first().kind, u"signal SIGSEGV"_s);
    QCOMPARE(groups.first().count, 4);
    filter->clear();
    QTest::keyClicks(filter, u"item 120 failed"_s);
    groups = groupRows(console);
    QCOMPARE(groups.size(), 1);
    QCOMPARE(groups.first().kind, u"exception"_s);
    QCOMPARE(groups.first().count, 2); // both attempts at item 120
    QCOMPARE(model->index(0, ErrorModel::CountColumn).data().toString(), u"2 of 4"_s);
    filter->clear();
    QCOMPARE(groupRows(console).size(), 2);
}

// After a run whose tasks failed for good, "Retry failed tasks" runs only their item ranges. risky's
// --times 1 fails only an item's first attempt, and a retry is the next attempt: it succeeds.
void TestGui::retryFailedTasksRunsOnlyThem()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    typeParam(window, u"items"_s, u"40"_s);
    typeParam(window, u"fail-at"_s, u"7,30"_s);
    typeParam(window, u"mode"_s, u"throw"_s);
    typeParam(window, u"times"_s, u"1"_s);
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(5);
    window.findChild<QSpinBox *>(u"retries"_s)->setValue(0);
    setWorkers(window, 2);
    ErrorConsole *console = window.errorConsole();
    auto *retry = console->findChild<QPushButton *>(u"retryFailedButton"_s);
    QVERIFY(retry && !retry->accessibleName().isEmpty());
    QVERIFY(!retry->isEnabled());

    RunOutcome outcome;
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(runStatusName(outcome.status), u"failed"_s);
    QCOMPARE(outcome.tasks, 8);
    QCOMPARE(outcome.failedTasks, 2);
    QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), 820 - 40 - 140); // without items 6..10 and 26..30
    const QList<std::pair<qint64, qint64>> failed{{5, 10}, {25, 30}};
    QCOMPARE(console->failedRanges(), failed);
    QVERIFY(retry->isEnabled());

    QSignalSpy requested(console, &ErrorConsole::retryRequested);
    QSignalSpy finished(&window, &MainWindow::runFinished);
    QTest::mouseClick(retry, Qt::LeftButton);
    QCOMPARE(requested.size(), 1);
    QVERIFY(window.currentRun());
    QCOMPARE(window.currentRun()->request().onlyRanges, failed);
    QVERIFY(finished.wait(RunTimeoutMs));
    const auto again = finished.first().first().value<RunOutcome>();
    QCOMPARE(runStatusName(again.status), u"ok"_s);
    QCOMPARE(again.tasks, 2); // only the failed ranges
    QCOMPARE(again.failedTasks, 0);
    QCOMPARE(again.result.value(u"items"_s).toInteger(), 10);
    QCOMPARE(again.result.value(u"sum"_s).toInteger(), 40 + 140);
    QCOMPARE(console->reportCount(), 0);
    QVERIFY(!retry->isEnabled());
}

// 10,000 reports reach the console (as a flood from a run would) without freezing the UI thread.
void TestGui::errorConsoleTakesTenThousandReports()
{
    ErrorConsole console;
    console.resize(1000, 600);
    console.show();
    QVERIFY(QTest::qWaitForWindowExposed(&console));
    QList<ErrorReport> reports;
    for (int i = 0; i < 10000; ++i) {
        ErrorReport report;
        const bool crash = i % 3 == 0;
        report.kind = crash ? u"signal"_s : u"exception"_s;
        report.signalName = crash ? u"SIGSEGV"_s : QString();
        report.taskId = i;
        report.begin = i;
        report.end = i + 1;
        report.input = u"items %1–%1"_s.arg(i + 1);
        report.pid = 1000 + i % 4;
        report.attempt = 1;
        report.final = true;
        report.message = u"risky: item %1 failed as asked"_s.arg(i + 1);
        QString trace = crash ? u"#0 brigade::jobs::crashAtItem(long long) at core/jobs/risky.cpp:35\n"_s
                              : u"#0 brigade::jobs::throwAtItem(long long) at core/jobs/risky.cpp:27\n"_s;
        for (int frame = 1; frame < 16; ++frame)
            trace += u"#%1 brigade::runTask(brigade::TaskInfo const&) at core/worker/workerloop.cpp:%2\n"_s
                         .arg(frame)
                         .arg(100 + frame);
        report.trace = trace;
        report.stderrTail = {u"risky: a line of stderr"_s, u"another line"_s};
        reports.append(report);
    }

    QElapsedTimer timer;
    timer.start();
    for (const ErrorReport &report : std::as_const(reports))
        console.addReport(report);
    console.flush();
    console.view()->expand(console.model()->index(0, 0)); // a group of thousands, open
    console.view()->viewport()->repaint();
    const qint64 addMs = timer.elapsed();
    qInfo("adding 10,000 reports and painting them: %lld ms", addMs);
    QCOMPARE(console.reportCount(), 10000);
    const QList<GroupRow> groups = groupRows(&console);
    QCOMPARE(groups.size(), 2);
    QCOMPARE(groups[0].count + groups[1].count, 10000);

    timer.restart();
    QTest::keyClicks(console.findChild<QLineEdit *>(u"errorFilter"_s), u"item 9999 "_s);
    console.view()->viewport()->repaint();
    const qint64 filterMs = timer.elapsed();
    qInfo("filtering 10,000 reports as a word is typed: %lld ms", filterMs);
    QCOMPARE(console.model()->shownCount(), 1);
}

// The shared-memory panel lists a live segment with its attach count, and a crashed process's leftover,
// which its button removes (and only that one).
void TestGui::segmentPanelShowsAndCleansUp()
{
    auto live = SharedArray::create(Dtype::Float64, 1000, 1);
    QVERIFY(live.ok());
    QProcess helper;
    helper.start(QStringLiteral(BRIGADE_HELPER_LEAVE_SEGMENT), {});
    QVERIFY(helper.waitForFinished(10000));
    const QString leftover = QString::fromLocal8Bit(helper.readAllStandardOutput()).trimmed();
    QVERIFY(QFile::exists(leftover));

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *panel = window.findChild<SegmentPanel *>(u"segmentPanel"_s);
    QVERIFY(panel);
    window.findChild<QTabWidget *>(u"viewTabs"_s)->setCurrentWidget(panel);
    auto *table = panel->findChild<QTableWidget *>(u"segmentTable"_s);
    const auto rowOf = [table](const QString &key) {
        for (int row = 0; row < table->rowCount(); ++row)
            if (table->item(row, 0)->toolTip() == key)
                return row;
        return -1;
    };
    const int liveRow = rowOf(live->key());
    QVERIFY(liveRow >= 0);
    QCOMPARE(table->item(liveRow, 3)->text(), u"1"_s); // this process is attached
    QCOMPARE(table->item(liveRow, 4)->text(), u"live"_s);
    const int leftoverRow = rowOf(leftover);
    QVERIFY(leftoverRow >= 0);
    QVERIFY(table->item(leftoverRow, 4)->text().startsWith(u"leftover"_s));

    auto *cleanUp = panel->findChild<QPushButton *>(u"segmentCleanUp"_s);
    QVERIFY(cleanUp->isEnabled());
    QTest::mouseClick(cleanUp, Qt::LeftButton);
    QVERIFY(!QFile::exists(leftover));
    QCOMPARE(rowOf(leftover), -1);
    QVERIFY(rowOf(live->key()) >= 0); // never a live one's
}

namespace {

// A CSV of `rows` rows: x = i, y = 2i + 1 (perfectly correlated with x), z = (i * 7) % 11, and a text column.
QString writeResultsCsv(const QTemporaryDir &dir, int rows)
{
    const QString path = dir.filePath(u"xyz.csv"_s);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("x,y,z,label\n");
    for (int i = 0; i < rows; ++i)
        file.write(QByteArray::number(i) + ',' + QByteArray::number(2 * i + 1) + ',' +
                   QByteArray::number((i * 7) % 11) + ",r" + QByteArray::number(i) + '\n');
    return path;
}

// Runs `job` on `path` with two workers and the given parameters, through the window's Run button.
void runJobOn(MainWindow &window, const QString &job, const QString &path, RunOutcome *outcome,
              const QMap<QString, QString> &params = {})
{
    window.setDataset(path);
    window.selectJob(job);
    for (auto it = params.cbegin(); it != params.cend(); ++it) {
        typeParam(window, it.key(), it.value());
        if (QTest::currentTestFailed())
            return;
    }
    setWorkers(window, 2);
    clickRunAndWait(window, outcome);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(!outcome->failure, qPrintable(outcome->failure ? outcome->failure->describe() : QString()));
    QCOMPARE(runStatusName(outcome->status), u"ok"_s);
}

} // namespace

void TestGui::statsRunChartsEachColumn()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 300);
    QVERIFY(!path.isEmpty());
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    runJobOn(window, u"stats"_s, path, &outcome);
    if (QTest::currentTestFailed())
        return;

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Stats);
    auto *chartView = window.findChild<QChartView *>(u"resultChart"_s);
    QVERIFY(chartView && chartView->isVisibleTo(&window));
    QCOMPARE(chartView->chart()->series().size(), 1);
    auto *boxes = qobject_cast<QBoxPlotSeries *>(chartView->chart()->series().first());
    QVERIFY(boxes);
    // One box per numeric column (the text column is left out), its line at the column's mean.
    QCOMPARE(boxes->count(), 3);
    QStringList labels;
    for (QBoxSet *box : boxes->boxSets())
        labels << box->label();
    QCOMPARE(labels, (QStringList{u"x"_s, u"y"_s, u"z"_s}));
    QCOMPARE(boxes->boxSets()[0]->at(QBoxSet::Median), 149.5);
    QCOMPARE(boxes->boxSets()[1]->at(QBoxSet::LowerExtreme), 1.0);
    QCOMPARE(boxes->boxSets()[1]->at(QBoxSet::UpperExtreme), 599.0);
    QVERIFY(view->summary().contains(u"ok"_s));
    QVERIFY(!view->saveFormats().contains(OutputFormat::Npy)); // no matrix in column statistics
}

void TestGui::histogramRunBarsSumToRows()
{
    QTemporaryDir dir;
    const int rows = 777;
    const QString path = writeResultsCsv(dir, rows);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    runJobOn(window, u"histogram"_s, path, &outcome, {{u"bins"_s, u"12"_s}});
    if (QTest::currentTestFailed())
        return;

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Histogram);
    auto *picker = window.findChild<QComboBox *>(u"resultPicker"_s);
    QVERIFY(picker && picker->isVisibleTo(&window));
    QCOMPARE(picker->count(), 3);
    auto *chartView = window.findChild<QChartView *>(u"resultChart"_s);
    QVERIFY(chartView);
    for (int column = 0; column < picker->count(); ++column) {
        picker->setCurrentIndex(column);
        QCOMPARE(chartView->chart()->series().size(), 1);
        auto *bars = qobject_cast<QBarSeries *>(chartView->chart()->series().first());
        QVERIFY(bars);
        QCOMPARE(bars->count(), 1);
        QBarSet *set = bars->barSets().first();
        QCOMPARE(set->label(), picker->itemText(column));
        QCOMPARE(set->count(), 12);
        double sum = 0;
        for (int k = 0; k < set->count(); ++k)
            sum += set->at(k);
        QCOMPARE(sum, double(rows));
        QCOMPARE(view->table()->rowCount(), 12); // the picked column's bins
    }
}

void TestGui::correlationRunShowsHeatmap()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 500);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    runJobOn(window, u"correlation"_s, path, &outcome);
    if (QTest::currentTestFailed())
        return;

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Correlation);
    auto *heatmap = window.findChild<HeatmapView *>(u"resultHeatmap"_s);
    QVERIFY(heatmap && heatmap->isVisibleTo(&window));
    QCOMPARE(heatmap->names(), (QStringList{u"x"_s, u"y"_s, u"z"_s}));
    for (int i = 0; i < heatmap->size(); ++i) {
        QCOMPARE(heatmap->value(i, i), 1.0);
        for (int j = 0; j < heatmap->size(); ++j)
            QCOMPARE(heatmap->value(i, j), heatmap->value(j, i));
    }
    QVERIFY(qAbs(heatmap->value(0, 1) - 1.0) < 1e-12); // y = 2x + 1
    // Diverging colours: +1 and -1 on opposite sides of the neutral middle.
    QVERIFY(heatmap->colorOf(1.0).red() > heatmap->colorOf(1.0).blue());
    QVERIFY(heatmap->colorOf(-1.0).blue() > heatmap->colorOf(-1.0).red());
    QVERIFY(view->saveFormats().contains(OutputFormat::Npy));
    // Painted: each diagonal cell in the colour of +1 (sampled off its centre, where the value is written).
    heatmap->resize(480, 360);
    const QImage image = heatmap->grab().toImage();
    QVERIFY(!image.isNull());
    for (int i = 0; i < heatmap->size(); ++i) {
        const QRect cell = heatmap->cellRect(i, i);
        QVERIFY(cell.width() > 8);
        const QPoint corner = cell.topLeft() + QPoint(3, 3);
        QCOMPARE(image.pixelColor(corner * image.devicePixelRatio()).rgb(), heatmap->colorOf(1.0).rgb());
    }

    auto *picker = window.findChild<QComboBox *>(u"resultPicker"_s);
    QVERIFY(picker);
    picker->setCurrentIndex(picker->findData(u"covariance"_s));
    QVERIFY(qAbs(heatmap->value(0, 0) - 500.0 * 501.0 / 12.0) < 1e-6); // var of 0..499, ddof 1
}

void TestGui::saveResultAsCsvJsonNpy()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 200);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    runJobOn(window, u"stats"_s, path, &outcome);
    if (QTest::currentTestFailed())
        return;
    ResultView *view = window.resultView();

    // JSON: the result itself.
    const QString json = dir.filePath(u"stats.json"_s);
    const auto jsonSaved = view->saveAs(json);
    QVERIFY2(jsonSaved, qPrintable(jsonSaved ? QString() : jsonSaved.failure().describe()));
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(jsonFile.readAll()).object(), outcome.result.toJsonObject());

    // CSV: the table shown, header and cells.
    const QString csv = dir.filePath(u"stats.csv"_s);
    QVERIFY(view->saveAs(csv).ok());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(csvFile.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QTableWidget *table = view->table();
    QCOMPARE(lines.size(), table->rowCount() + 1);
    QStringList header;
    for (int c = 0; c < table->columnCount(); ++c)
        header << table->horizontalHeaderItem(c)->text();
    QCOMPARE(lines.first(), header.join(u','));
    for (int row = 0; row < table->rowCount(); ++row) {
        const QStringList cells = lines[row + 1].split(u',');
        QCOMPARE(cells.size(), table->columnCount());
        for (int c = 0; c < table->columnCount(); ++c) {
            const QVariant exact = table->item(row, c)->data(Qt::UserRole);
            if (exact.isValid())
                QCOMPARE(cells[c].toDouble(), exact.toDouble());
            else if (table->item(row, c)->text() != u"–"_s) // a missing value is an empty cell
                QCOMPARE(cells[c], table->item(row, c)->text());
            else
                QVERIFY(cells[c].isEmpty());
        }
    }

    // NPY is not offered for column statistics, and refused when asked for; nothing is left behind.
    const QString npy = dir.filePath(u"stats.npy"_s);
    QVERIFY(!view->saveAs(npy).ok());
    QVERIFY(!QFile::exists(npy));

    // A correlation matrix saves as .npy (numpy's header, then 3 x 3 float64).
    runJobOn(window, u"correlation"_s, path, &outcome);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(view->saveAs(npy).ok());
    const auto back = readNpy(npy);
    QVERIFY2(back, qPrintable(back ? QString() : back.failure().describe()));
    QCOMPARE(back->rows(), 3);
    QCOMPARE(back->cols(), 3);
    const QCborArray matrix = outcome.result.value(u"correlation"_s).toArray();
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            QCOMPARE(back->matrix<double>()(i, j), matrix[i].toArray()[j].toDouble());
}

// Run monitor: per-worker rows with live pids, CPU and memory from /proc, and the task timeline.
namespace {

// The number a worker row's label starts with ("97 %", "12.5 MiB"), or -1.
double leadingNumber(const QLabel *label)
{
    bool ok = false;
    const double value = label ? label->text().section(u' ', 0, 0).toDouble(&ok) : -1;
    return ok ? value : -1;
}

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

void TestGui::monitorShowsLiveWorkersAndTimeline()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    // Large numbers: seconds of trial division over two workers, so the workers are seen at work. Unoptimised
    // and sanitized, trial division is five times slower: a quarter of the numbers takes as long.
    typeParam(window, u"start"_s, u"4000000000"_s);
#ifdef BRIGADE_SANITIZED
    typeParam(window, u"end"_s, u"4001500000"_s);
#else
    typeParam(window, u"end"_s, u"4006000000"_s);
#endif
    setWorkers(window, 2);

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
        QVERIFY(workerChildren().contains(shown));
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

void TestGui::timelineShowsFailedTasksInRed()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    typeParam(window, u"items"_s, u"40"_s);
    typeParam(window, u"fail-at"_s, u"7,23"_s);
    typeParam(window, u"mode"_s, u"throw,segfault"_s);
    typeParam(window, u"delay-ms"_s, u"10"_s);
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(2);
    setWorkers(window, 3);

    RunOutcome outcome;
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(runStatusName(outcome.status), u"failed"_s);
    QCOMPARE(outcome.failedTasks, 2);

    // Each failed attempt is a red span; the tasks that succeeded are the rest.
    TaskTimeline *timeline = window.monitor()->timeline();
    const qsizetype attempts = outcome.errors.size();
    QVERIFY(attempts >= 2);
    QCOMPARE(timeline->failedCount(), attempts);
    QCOMPARE(timeline->endedCount() - timeline->failedCount(), outcome.tasks - outcome.failedTasks);
    QCOMPARE(timeline->laneCount(), 3);

    const QImage image = timeline->grab().toImage();
    const QPoint red = firstRedPixel(image);
    QVERIFY2(red.x() >= 0, "no failed span painted red");
    const std::optional<TaskSpan> span = timeline->spanAt(red);
    QVERIFY(span && span->failed);
    QVERIFY2(TaskTimeline::describe(*span, false).contains(u"failed"_s),
             qPrintable(TaskTimeline::describe(*span, false)));
}

void TestGui::timelinePaintsHundredThousandSpans()
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

// Estimate samples 2% of the items, recommends settings that "Use the recommended settings" applies, and
// forecasts a time of the right order for the real run.
void TestGui::estimateRecommendsAndForecasts()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"primes"_s);
    typeParam(window, u"start"_s, u"10000"_s);
    typeParam(window, u"end"_s, u"20000000"_s); // a run long enough that sharing it pays
    setWorkers(window, 1);
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
    clickRunAndWait(window, &outcome);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(outcome.result.value(u"count"_s).toInteger(), 1270607 - 1229); // pi(2e7) - pi(1e4)
    // Busy machines are noisy: the forecast is checked for its order of magnitude only.
    QVERIFY2(forecast > outcome.elapsedSeconds / 5 && forecast < outcome.elapsedSeconds * 5,
             qPrintable(u"forecast %1 s, run %2 s"_s.arg(forecast).arg(outcome.elapsedSeconds)));
}

void TestGui::procStatSamplesThisProcess()
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

void TestGui::timelineRepaintsAtMostThirtyTimesASecond()
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

void TestGui::timelineRunningSpanGrowsWithoutSnapshots()
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

void TestGui::imagePipelineShowsThumbnails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString input = dir.filePath(u"images"_s);
    QVERIFY(QDir().mkpath(input));
    const QList<QColor> colors{Qt::red, Qt::green, Qt::blue, Qt::yellow, Qt::magenta};
    for (int i = 0; i < colors.size(); ++i) {
        QImage image(400 + 10 * i, 300, QImage::Format_RGB32);
        image.fill(colors[i]);
        QVERIFY(image.save(QDir(input).filePath(u"img%1.png"_s.arg(i))));
    }
    const QString output = dir.filePath(u"out"_s);
    registerImageCodecs(); // as the brigade executable does: image folders need QtGui

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    runJobOn(window, u"image-pipeline"_s, input, &outcome, {{u"output-dir"_s, output}});
    if (QTest::currentTestFailed())
        return;

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Images);
    QCOMPARE(view->table()->rowCount(), int(colors.size()));
    auto *thumbnails = window.findChild<QListWidget *>(u"resultThumbnails"_s);
    QVERIFY(thumbnails && thumbnails->isVisibleTo(&window));
    QCOMPARE(thumbnails->count(), int(colors.size()));
    // Read in a thread of their own, then shown, each scaled down to the thumbnail's size.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int i = 0; i < thumbnails->count(); ++i)
                if (thumbnails->item(i)->icon().isNull())
                    return false;
            return true;
        }(),
        10000);
    for (int i = 0; i < thumbnails->count(); ++i) {
        QListWidgetItem *item = thumbnails->item(i);
        QCOMPARE(QFileInfo(item->data(Qt::UserRole).toString()).absolutePath(),
                 QFileInfo(output).absoluteFilePath());
        const QSize size = item->icon().availableSizes().value(0);
        QVERIFY2(size.width() <= 128 * window.devicePixelRatio() && size.width() > 0,
                 qPrintable(item->text()));
        const QImage pixels = item->icon().pixmap(size).toImage();
        QCOMPARE(pixels.pixelColor(pixels.width() / 2, pixels.height() / 2).rgb(), QColor(colors[i]).rgb());
    }
}

void TestGui::saveAsDialogOffersResultFormats()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 100);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    runJobOn(window, u"stats"_s, path, &outcome);
    if (QTest::currentTestFailed())
        return;

    auto *save = window.findChild<QPushButton *>(u"resultSaveAs"_s);
    QVERIFY(save && save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    // The dialog is open without blocking: the test goes on while it shows.
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (dialog = window.findChild<QFileDialog *>(u"resultSaveDialog"_s)) && dialog->isVisible(), 5000);
    const QStringList filters = dialog->nameFilters();
    QCOMPARE(filters.size(), 2); // CSV and JSON; no .npy for column statistics
    QVERIFY(filters[0].contains(u"*.csv"_s));
    QVERIFY(filters[1].contains(u"*.json"_s));
    const QString json = dir.filePath(u"picked.json"_s);
    QSignalSpy saved(window.resultView(), &ResultView::saved);
    dialog->selectFile(json);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept(), as the Save button does
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 5000);
    QCOMPARE(saved.first().first().toString(), json);
    QFile file(json);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(file.readAll()).object(), outcome.result.toJsonObject());
}

#include "tst_gui.moc"
