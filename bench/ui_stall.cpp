// The UI thread's longest stalls while a run streams messages at full rate into the real window.
// A 1 ms precise timer beats on the UI thread; every gap beyond its period is time the thread was busy.
// Usage: bench_ui_stall [TASKS] (BRIGADE_WORKER must name brigade-worker; QT_QPA_PLATFORM=offscreen works)
#include "ui/errorconsole.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCheckBox>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

struct Stalls {
    double p50 = 0, p99 = 0, max = 0;
    qsizetype beats = 0;
};

void setParam(MainWindow &window, const QString &name, const QString &value)
{
    if (auto *edit = window.findChild<QLineEdit *>(u"param-"_s + name))
        edit->setText(value);
}

// Runs the window's current request to its end and returns the heartbeat gaps' statistics (ms).
Stalls measure(MainWindow &window, RunOutcome *outcome)
{
    std::vector<double> gaps;
    gaps.reserve(1 << 20);
    QElapsedTimer clock;
    qint64 last = 0;
    QTimer beat;
    beat.setTimerType(Qt::PreciseTimer);
    beat.setInterval(1);
    QObject::connect(&beat, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last > 0)
            gaps.push_back(std::max(0.0, double(now - last) / 1e6 - 1.0));
        last = now;
    });
    QEventLoop loop;
    QObject::connect(&window, &MainWindow::runFinished, &loop, [&](const RunOutcome &o) {
        *outcome = o;
        loop.quit();
    });
    clock.start();
    beat.start();
    window.findChild<QPushButton *>(u"runButton"_s)->click();
    loop.exec();
    beat.stop();
    Stalls s;
    s.beats = qsizetype(gaps.size());
    if (gaps.empty())
        return s;
    std::sort(gaps.begin(), gaps.end());
    const auto at = [&](double q) {
        return gaps[std::min(gaps.size() - 1, size_t(q * double(gaps.size())))];
    };
    s.p50 = at(0.50);
    s.p99 = at(0.99);
    s.max = gaps.back();
    return s;
}

void report(const char *name, const Stalls &s, const RunOutcome &o)
{
    std::printf(
        "%-44s p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  (%lld beats, %lld tasks, %lld errors, %.2f s)\n",
        name, s.p50, s.p99, s.max, qint64(s.beats), o.tasks, qint64(o.errors.size()), o.elapsedSeconds);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const qint64 tasks = argc > 1 ? QByteArray(argv[1]).toLongLong() : 100000;
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    window.findChild<QSpinBox *>(u"workers"_s)->setValue(2);
    window.findChild<QCheckBox *>(u"chunkAuto"_s)->setChecked(false);
    window.findChild<QSpinBox *>(u"chunkSize"_s)->setValue(1);

    // Progress at full rate: one-item tasks, their results batched hundreds to a message.
    window.selectJob(u"batch-sum"_s);
    setParam(window, u"start"_s, u"0"_s);
    setParam(window, u"end"_s, QString::number(tasks));
    RunOutcome outcome;
    report("batch-sum, chunk size 1 (progress flood)", measure(window, &outcome), outcome);

    // Errors at full rate: every item of a risky run throws (no retries), each with a trace.
    window.selectJob(u"risky"_s);
    const qint64 failing = std::min<qint64>(tasks / 10, 5000);
    setParam(window, u"items"_s, QString::number(failing));
    QStringList all;
    for (qint64 i = 1; i <= failing; ++i)
        all << QString::number(i);
    setParam(window, u"fail-at"_s, all.join(u','));
    window.findChild<QSpinBox *>(u"retries"_s)->setValue(0);
    report("risky, every item throws (error flood)", measure(window, &outcome), outcome);
    return 0;
}
