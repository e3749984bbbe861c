// The error console: traces, grouping, filter, copy, save, retrying failed tasks, 10,000 reports.
#include "core/jobs/job.h"
#include "helpers/windowdriver.h"
#include "ui/errorconsole.h"
#include "ui/mainwindow.h"

#include <QCheckBox>
#include <QClipboard>
#include <QDialog>
#include <QElapsedTimer>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <csignal>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

namespace {

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

class TestErrorConsole final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void riskyErrorShowsTrace();
    void errorConsoleGroupsFilterCopySave();
    void retryFailedTasksRunsOnlyThem();
    void errorConsoleTakesTenThousandReports();
};

void TestErrorConsole::initTestCase()
{
    QVERIFY(prepareWindowTests());
}

void TestErrorConsole::riskyErrorShowsTrace()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    QVERIFY(typeParam(window, u"items"_s, u"20"_s));
    QVERIFY(typeParam(window, u"fail-at"_s, u"7"_s));
    QVERIFY(typeParam(window, u"mode"_s, u"throw"_s));
    auto *chunkAuto = window.findChild<QCheckBox *>(u"chunkAuto"_s);
    auto *chunkSize = window.findChild<QSpinBox *>(u"chunkSize"_s);
    QVERIFY(chunkAuto && chunkSize);
    QVERIFY(!chunkSize->isEnabled());
    chunkAuto->setChecked(false);
    QVERIFY(chunkSize->isEnabled());
    chunkSize->setValue(1);
    QVERIFY(setWorkers(window, 2));

    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
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

// A risky run failing in two ways at four items: its reports are grouped by kind and failing function with
// a count each; an error expands to its trace, input and stderr; Copy and Save carry them; the filter
// narrows.
void TestErrorConsole::errorConsoleGroupsFilterCopySave()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    QVERIFY(typeParam(window, u"items"_s, u"200"_s));
    QVERIFY(typeParam(window, u"fail-at"_s, u"7,50,120,180"_s));
    QVERIFY(typeParam(window, u"mode"_s, u"throw,segfault"_s)); // 7 and 120 throw, 50 and 180 crash
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(10);
    window.findChild<QSpinBox *>(u"retries"_s)->setValue(1);
    QVERIFY(setWorkers(window, 2));
    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(runStatusName(outcome.status), u"failed"_s);
    QCOMPARE(outcome.failedTasks, 4);
    // The status bar counts the items given up, the unit faults are isolated to.
    QCOMPARE(window.statusBar()->currentMessage(), u"Failed: 4 of 200 items given up"_s);

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

// After a run whose items failed for good, "Retry failed tasks" runs only those items. risky's --times 1
// fails only an item's first attempt, and a retry is the next attempt: it succeeds. With no retries, the
// item the worker names is given up at once; the other items of its task are computed.
void TestErrorConsole::retryFailedTasksRunsOnlyThem()
{
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.selectJob(u"risky"_s);
    QVERIFY(typeParam(window, u"items"_s, u"40"_s));
    QVERIFY(typeParam(window, u"fail-at"_s, u"7,30"_s));
    QVERIFY(typeParam(window, u"mode"_s, u"throw"_s));
    QVERIFY(typeParam(window, u"times"_s, u"1"_s));
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(5);
    window.findChild<QSpinBox *>(u"retries"_s)->setValue(0);
    QVERIFY(setWorkers(window, 2));
    ErrorConsole *console = window.errorConsole();
    auto *retry = console->findChild<QPushButton *>(u"retryFailedButton"_s);
    QVERIFY(retry && !retry->accessibleName().isEmpty());
    QVERIFY(!retry->isEnabled());

    RunOutcome outcome;
    QVERIFY(clickRunAndWait(window, &outcome));
    QCOMPARE(runStatusName(outcome.status), u"failed"_s);
    QCOMPARE(outcome.tasks, 8);
    QCOMPARE(outcome.failedTasks, 2);
    QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), 820 - 7 - 30); // without items 7 and 30 alone
    QCOMPARE(outcome.result.value(u"items"_s).toInteger(), 38);
    const QList<std::pair<qint64, qint64>> failed{{6, 7}, {29, 30}};
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
    QCOMPARE(again.tasks, 2); // only the failed items
    QCOMPARE(again.failedTasks, 0);
    QCOMPARE(again.result.value(u"items"_s).toInteger(), 2);
    QCOMPARE(again.result.value(u"sum"_s).toInteger(), 7 + 30);
    QCOMPARE(console->reportCount(), 0);
    QVERIFY(!retry->isEnabled());
}

// 10,000 reports reach the console (as a flood from a run would) without freezing the UI thread.
void TestErrorConsole::errorConsoleTakesTenThousandReports()
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

QTEST_MAIN(TestErrorConsole)
#include "tst_errorconsole.moc"
