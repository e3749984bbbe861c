// RunMonitor: turns ProgressSnapshots into bars and one-line texts; it never asks the run for anything.
#include "ui/runmonitor.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

int permille(qint64 done, qint64 total)
{
    if (total <= 0)
        return 0;
    return int(std::clamp<qint64>(done * RunMonitor::BarRange / total, 0, RunMonitor::BarRange));
}

QString duration(double seconds)
{
    if (seconds < 0)
        return u"–"_s;
    if (seconds < 10)
        return u"%1 s"_s.arg(seconds, 0, 'f', 1);
    const qint64 s = qint64(seconds + 0.5);
    if (s < 60)
        return u"%1 s"_s.arg(s);
    if (s < 3600)
        return u"%1:%2"_s.arg(s / 60).arg(s % 60, 2, 10, QChar(u'0'));
    return u"%1:%2:%3"_s.arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar(u'0')).arg(s % 60, 2, 10, QChar(u'0'));
}

QString rate(double perSecond)
{
    if (perSecond >= 1e6)
        return u"%1 M"_s.arg(perSecond / 1e6, 0, 'f', 1);
    if (perSecond >= 1e4)
        return u"%1 k"_s.arg(perSecond / 1e3, 0, 'f', 1);
    return QString::number(qint64(perSecond + 0.5)) + u" "_s;
}

} // namespace

RunMonitor::RunMonitor(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"runMonitor"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    m_overall = new QProgressBar(this);
    m_overall->setObjectName(u"overallProgress"_s);
    m_overall->setAccessibleName(tr("Overall progress"));
    m_overall->setRange(0, BarRange);
    m_overall->setValue(0);
    layout->addWidget(m_overall);

    m_overallLabel = new QLabel(tr("No run yet"), this);
    m_overallLabel->setObjectName(u"overallLabel"_s);
    m_overallLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_overallLabel);

    m_workerBox = new QWidget(this);
    m_workerLayout = new QGridLayout(m_workerBox);
    m_workerLayout->setContentsMargins(0, 0, 0, 0);
    m_workerLayout->setColumnStretch(1, 1);
    layout->addWidget(m_workerBox);
}

void RunMonitor::reset()
{
    for (const WorkerRow &row : std::as_const(m_rows)) {
        delete row.label;
        delete row.bar;
    }
    m_rows.clear();
    m_pids.clear();
    m_last = {};
    m_overall->setValue(0);
    m_overallLabel->setText(tr("Starting…"));
}

void RunMonitor::ensureRows(qsizetype count)
{
    while (m_rows.size() < count) {
        const int k = int(m_rows.size()) + 1;
        WorkerRow row;
        row.label = new QLabel(m_workerBox);
        row.label->setObjectName(u"workerLabel%1"_s.arg(k));
        row.bar = new QProgressBar(m_workerBox);
        row.bar->setObjectName(u"workerBar%1"_s.arg(k));
        row.bar->setAccessibleName(tr("Worker %1 task progress").arg(k));
        row.bar->setRange(0, BarRange);
        row.bar->setValue(0);
        m_workerLayout->addWidget(row.label, k - 1, 0);
        m_workerLayout->addWidget(row.bar, k - 1, 1);
        m_rows.append(row);
    }
}

void RunMonitor::showSnapshot(const ProgressSnapshot &snapshot)
{
    m_last = snapshot;
    m_overall->setValue(permille(snapshot.itemsDone, snapshot.itemsTotal));
    QString text = tr("%1/%2 items · %3items/s · %4 elapsed · ETA %5")
                       .arg(snapshot.itemsDone)
                       .arg(snapshot.itemsTotal)
                       .arg(rate(snapshot.itemsPerSecond), duration(snapshot.elapsedSeconds),
                            duration(snapshot.etaSeconds));
    if (snapshot.tasksFailed > 0)
        text += tr(" · %n failed task(s)", nullptr, int(snapshot.tasksFailed));
    m_overallLabel->setText(text);

    if (snapshot.workers.isEmpty())
        return;
    ensureRows(snapshot.workers.size());
    for (const WorkerSnapshot &worker : snapshot.workers) {
        if (worker.slot < 0 || worker.slot >= m_rows.size())
            continue;
        if (worker.pid > 0 && !m_pids.contains(worker.pid))
            m_pids.append(worker.pid);
        const WorkerRow &row = m_rows[worker.slot];
        QString label =
            tr("Worker %1 · pid %2 · %3")
                .arg(worker.slot + 1)
                .arg(worker.pid > 0 ? QString::number(worker.pid) : u"–"_s, workerStateName(worker.state));
        if (worker.taskId >= 0)
            label += tr(" · task %1").arg(worker.taskId);
        if (worker.restarts > 0)
            label += tr(" · %n restart(s)", nullptr, worker.restarts);
        row.label->setText(label);
        row.bar->setValue(permille(worker.taskDone, worker.taskItems));
    }
}

void RunMonitor::showFinished(const RunOutcome &outcome)
{
    m_overallLabel->setText(tr("%1 · %2/%3 items in %4")
                                .arg(runStatusName(outcome.status))
                                .arg(m_last.itemsDone)
                                .arg(m_last.itemsTotal)
                                .arg(duration(outcome.elapsedSeconds)));
}

} // namespace brigade
