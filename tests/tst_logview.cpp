// The Log tab: every line a worker writes to stderr, tagged with its pid; filter, save, the line cap.
#include "helpers/windowdriver.h"
#include "ui/logview.h"
#include "ui/mainwindow.h"

#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

class TestLogView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(prepareWindowTests()); }

    // A worker that aborts says so on stderr before it dies: the line reaches the Log tab with that worker's
    // pid, the tab counts it, and the pid filters the log down to that worker.
    void workerStderrReachesTheLogTab()
    {
        MainWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.selectJob(u"risky"_s);
        QVERIFY(typeParam(window, u"items"_s, u"6"_s));
        QVERIFY(typeParam(window, u"fail-at"_s, u"3"_s));
        QVERIFY(typeParam(window, u"mode"_s, u"abort"_s));
        QVERIFY(setWorkers(window, 2));
        RunOutcome outcome;
        QVERIFY(clickRunAndWait(window, &outcome));
        QCOMPARE(runStatusName(outcome.status), u"failed"_s);

        auto *log = window.findChild<LogView *>();
        auto *tabs = window.findChild<QTabWidget *>(u"viewTabs"_s);
        QVERIFY(log && tabs);
        // Lines are shown in batches; wait (with a deadline) for the abort's.
        QTRY_VERIFY_WITH_TIMEOUT(log->visibleText().contains(u"risky: aborting at item 3"_s), 5000);
        const QString text = log->visibleText();
        QVERIFY2(text.contains(u"risky started on 2 worker(s)"_s), qPrintable(text)); // the run's marker
        const QRegularExpression tagged(uR"(\[\s*(\d+)\] risky: aborting at item 3)"_s);
        const QRegularExpressionMatch match = tagged.match(text);
        QVERIFY2(match.hasMatch(), qPrintable(text));
        const qint64 pid = match.captured(1).toLongLong();
        QVERIFY(pid > 0);
        QVERIFY(tabs->tabText(tabs->indexOf(log)).startsWith(u"Log ("_s));

        // The pid as the filter keeps that worker's lines (and the run markers), no other worker's.
        auto *filter = log->findChild<QLineEdit *>(u"logFilter"_s);
        QVERIFY(filter);
        filter->setText(QString::number(pid));
        QVERIFY(log->visibleText().contains(u"aborting at item 3"_s));
        filter->setText(u"no worker writes this"_s);
        QVERIFY(!log->visibleText().contains(u"aborting"_s));
        QVERIFY(log->visibleText().contains(u"risky started"_s));
        filter->clear();

        // Save writes what is shown, whole.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"workers.log"_s);
        QVERIFY(log->saveTo(path));
        QFile saved(path);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        QVERIFY(saved.readAll().contains("risky: aborting at item 3"));
        const auto refused = log->saveTo(dir.filePath(u"missing/dir/workers.log"_s));
        QVERIFY(!refused);
        QVERIFY(refused.failure().describe().contains(u"missing/dir/workers.log"_s));
    }

    // A worker that floods stderr cannot grow the window without bound: the oldest lines go, the newest stay.
    void keepsTheNewestLines()
    {
        LogView log;
        QSignalSpy counted(&log, &LogView::lineCountChanged);
        const qsizetype total = LogView::MaxLines + 500;
        for (qsizetype i = 0; i < total; ++i)
            log.addLine(4242, u"line %1"_s.arg(i));
        QCOMPARE(log.lineCount(), LogView::MaxLines);
        QVERIFY(counted.wait(5000)); // shown in one batch
        const QString text = log.visibleText();
        QVERIFY(text.contains(u"line %1"_s.arg(total - 1)));
        QVERIFY(!text.contains(u"line 499\n"_s));
        QCOMPARE(text.count(u'\n') + 1, LogView::MaxLines);
    }
};

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"
