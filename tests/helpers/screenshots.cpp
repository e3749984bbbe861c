// Takes the README's screenshots of the real window driving real runs: mid-run, the error console
// expanded, a result chart and the history. Run under xvfb-run (packaging/screenshot.sh does).
// Usage: take_screenshots OUTPUT_DIR   (BRIGADE_WORKER names brigade-worker; a scratch HOME is best)
#include "ui/logview.h"
#include "ui/mainwindow.h"
#include "ui/runmonitor.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QTreeView>

#include <cstdio>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

void setParam(MainWindow &window, const QString &name, const QString &value)
{
    if (auto *edit = window.findChild<QLineEdit *>(u"param-"_s + name))
        edit->setText(value);
}

// Processes events until the predicate holds or the time is up.
bool waitFor(const std::function<bool()> &done, int timeoutMs = 120000)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    return done();
}

bool save(MainWindow &window, const QString &path)
{
    QCoreApplication::processEvents();
    const bool ok = window.grab().save(path);
    std::printf("%s %s\n", ok ? "wrote" : "could not write", qPrintable(path));
    return ok;
}

void runToEnd(MainWindow &window)
{
    bool finished = false;
    auto c = QObject::connect(&window, &MainWindow::runFinished, [&] { finished = true; });
    window.findChild<QPushButton *>(u"runButton"_s)->click();
    waitFor([&] { return finished; });
    QObject::disconnect(c);
}

void showTab(MainWindow &window, const QString &title)
{
    auto *tabs = window.findChild<QTabWidget *>(u"viewTabs"_s);
    for (int i = 0; i < tabs->count(); ++i)
        if (tabs->tabText(i).startsWith(title))
            tabs->setCurrentIndex(i);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const QDir out(argc > 1 ? QString::fromLocal8Bit(argv[1]) : u"."_s);
    MainWindow window;
    window.resize(qEnvironmentVariableIntValue("SHOT_W") ? qEnvironmentVariableIntValue("SHOT_W") : 1280,
                  qEnvironmentVariableIntValue("SHOT_H") ? qEnvironmentVariableIntValue("SHOT_H") : 800);
    window.show();
    waitFor([&] { return window.isVisible(); });
    window.findChild<QSpinBox *>(u"workers"_s)->setValue(2);

    // 1. Mid-run: primes over a large range, the monitor's bars and timeline filling.
    window.selectJob(u"primes"_s);
    setParam(window, u"start"_s, u"10000000"_s);
    setParam(window, u"end"_s, u"40000000"_s);
    window.findChild<QPushButton *>(u"runButton"_s)->click();
    waitFor([&] {
        return window.monitor()->lastSnapshot().itemsDone * 2 > window.monitor()->lastSnapshot().itemsTotal &&
               window.monitor()->lastSnapshot().itemsTotal > 0;
    });
    bool ok = save(window, out.filePath(u"main-window.png"_s));
    waitFor([&] { return !window.currentRun()->isRunning(); });

    // 2. The error console: a risky run failing two ways, one group expanded down to its trace.
    window.selectJob(u"risky"_s);
    setParam(window, u"items"_s, u"400"_s);
    setParam(window, u"fail-at"_s, u"7,50,51,52,300"_s);
    setParam(window, u"mode"_s, u"throw,segfault,abort"_s);
    window.findChild<QSpinBox *>(u"retries"_s)->setValue(1);
    runToEnd(window);
    showTab(window, u"Errors"_s);
    if (auto *tree = window.findChild<QTreeView *>(u"errorTree"_s)) {
        const QModelIndex group = tree->model()->index(0, 0);
        tree->expand(group);
        const QModelIndex first = tree->model()->index(0, 0, group);
        tree->expand(first);
        tree->setCurrentIndex(first);
    }
    ok = save(window, out.filePath(u"error-console.png"_s)) && ok;
    // 2b. The same run's Log tab: what the workers wrote to stderr, each line under its pid.
    showTab(window, u"Log"_s);
    waitFor([&] { return window.findChild<LogView *>()->lineCount() > 1; });
    ok = save(window, out.filePath(u"log.png"_s)) && ok;

    // 3. A result chart: the histogram of the bundled sample.
    window.selectSample();
    window.selectJob(u"histogram"_s);
    runToEnd(window);
    showTab(window, u"Result"_s);
    if (auto *picker = window.findChild<QComboBox *>(u"resultPicker"_s))
        picker->setCurrentIndex(std::min(1, picker->count() - 1)); // temperature: a bell, not a staircase
    ok = save(window, out.filePath(u"results-chart.png"_s)) && ok;

    // 4. History: the same job at 1 and 2 workers, compared.
    window.selectJob(u"primes"_s);
    setParam(window, u"start"_s, u"10000"_s);
    setParam(window, u"end"_s, u"3000000"_s);
    for (int workers : {1, 2, 1, 2}) {
        window.findChild<QSpinBox *>(u"workers"_s)->setValue(workers);
        runToEnd(window);
    }
    showTab(window, u"History"_s);
    if (auto *table = window.findChild<QTableWidget *>(u"historyTable"_s))
        table->selectRow(0);
    if (auto *compare = window.findChild<QPushButton *>(u"historyCompare"_s))
        compare->click();
    ok = save(window, out.filePath(u"history.png"_s)) && ok;
    return ok ? 0 : 1;
}
