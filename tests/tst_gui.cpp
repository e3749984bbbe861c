// tst_gui: drives MainWindow offscreen against real brigade-worker processes (found through BRIGADE_WORKER).
#include "core/jobs/job.h"
#include "core/store/history.h"
#include "ui/errorconsole.h"
#include "ui/historyview.h"
#include "ui/mainwindow.h"
#include "ui/paramform.h"
#include "ui/runmonitor.h"

#include <QBarSeries>
#include <QBarSet>
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
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
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
    void errorConsoleTakesTenThousandReports();
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
    const QList<QProgressBar *> bars = workerBars(window);
    QCOMPARE(bars.size(), 2);
    for (QProgressBar *bar : bars)
        QCOMPARE(bar->value(), bar->maximum());
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
    QVERIFY(!button(window, u"runButton"_s)->isEnabled());

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
    QVERIFY2(addMs < 1000, qPrintable(u"%1 ms"_s.arg(addMs)));

    timer.restart();
    QTest::keyClicks(console.findChild<QLineEdit *>(u"errorFilter"_s), u"item 9999 "_s);
    console.view()->viewport()->repaint();
    const qint64 filterMs = timer.elapsed();
    qInfo("filtering 10,000 reports as a word is typed: %lld ms", filterMs);
    QCOMPARE(console.model()->shownCount(), 1);
    QVERIFY2(filterMs < 1000, qPrintable(u"%1 ms"_s.arg(filterMs)));
}

#include "tst_gui.moc"
