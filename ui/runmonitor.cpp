// RunMonitor: turns ProgressSnapshots into bars and one-line texts; it never asks the run for anything.
#include "ui/runmonitor.h"

#include "ui/tasktimeline.h"

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

QString RunMonitor::formatBytes(qint64 bytes)
{
    if (bytes < 0)
        return u"–"_s;
    constexpr double MiB = 1024.0 * 1024.0;
    if (bytes >= 10 * 1024 * qint64(MiB))
        return u"%1 GiB"_s.arg(double(bytes) / (1024 * MiB), 0, 'f', 1);
    return u"%1 MiB"_s.arg(double(bytes) / MiB, 0, 'f', 1);
}

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
    m_workerLayout->setHorizontalSpacing(12);
    m_workerLayout->setVerticalSpacing(2);
    const QStringList headers{tr("Worker"),   tr("PID"), tr("State"),  tr("Task"),
                              tr("Progress"), tr("CPU"), tr("Memory"), tr("Restarts")};
    for (int c = 0; c < headers.size(); ++c) {
        auto *header = new QLabel(headers[c], m_workerBox);
        QFont bold = header->font();
        bold.setBold(true);
        header->setFont(bold);
        m_workerLayout->addWidget(header, 0, c, c >= 5 ? Qt::AlignRight : Qt::AlignLeft);
    }
    m_workerLayout->setColumnStretch(4, 1);
    m_workerBox->hide(); // until a run lists its workers
    layout->addWidget(m_workerBox);

    m_timeline = new TaskTimeline(this);
    layout->addWidget(m_timeline);
}

void RunMonitor::reset()
{
    for (const WorkerRow &row : std::as_const(m_rows))
        for (QWidget *w : std::initializer_list<QWidget *>{row.name, row.pid, row.state, row.task, row.bar,
                                                           row.cpu, row.memory, row.restarts})
            delete w;
    m_rows.clear();
    m_workerBox->hide();
    m_pids.clear();
    m_last = {};
    m_overall->setValue(0);
    m_overallLabel->setText(tr("Starting…"));
    m_timeline->reset();
}

void RunMonitor::ensureRows(qsizetype count)
{
    while (m_rows.size() < count) {
        const int k = int(m_rows.size()) + 1;
        const auto label = [this, k](const QString &name, Qt::Alignment align) {
            auto *l = new QLabel(m_workerBox);
            l->setObjectName(name + QString::number(k));
            l->setAlignment(align | Qt::AlignVCenter);
            return l;
        };
        WorkerRow row;
        row.name = label(u"workerName"_s, Qt::AlignLeft);
        row.name->setText(tr("Worker %1").arg(k));
        row.pid = label(u"workerPid"_s, Qt::AlignLeft);
        row.pid->setTextInteractionFlags(Qt::TextSelectableByMouse);
        row.state = label(u"workerState"_s, Qt::AlignLeft);
        row.task = label(u"workerTask"_s, Qt::AlignLeft);
        row.bar = new QProgressBar(m_workerBox);
        row.bar->setObjectName(u"workerBar%1"_s.arg(k));
        row.bar->setAccessibleName(tr("Worker %1 task progress").arg(k));
        row.bar->setRange(0, BarRange);
        row.bar->setValue(0);
        row.cpu = label(u"workerCpu"_s, Qt::AlignRight);
        row.cpu->setAccessibleName(tr("Worker %1 CPU").arg(k));
        row.memory = label(u"workerMemory"_s, Qt::AlignRight);
        row.memory->setAccessibleName(tr("Worker %1 resident memory").arg(k));
        row.restarts = label(u"workerRestarts"_s, Qt::AlignRight);
        int column = 0;
        for (QWidget *w : std::initializer_list<QWidget *>{row.name, row.pid, row.state, row.task, row.bar,
                                                           row.cpu, row.memory, row.restarts})
            m_workerLayout->addWidget(w, k, column++);
        m_rows.append(row);
    }
}

void RunMonitor::setText(QLabel *label, const QString &text)
{
    if (label->text() != text) // an unchanged text costs no relayout
        label->setText(text);
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
    setText(m_overallLabel, text);
    m_timeline->addSnapshot(snapshot);

    if (snapshot.workers.isEmpty())
        return;
    ensureRows(snapshot.workers.size());
    m_workerBox->show();
    for (const WorkerSnapshot &worker : snapshot.workers) {
        if (worker.slot < 0 || worker.slot >= m_rows.size())
            continue;
        if (worker.pid > 0 && !m_pids.contains(worker.pid))
            m_pids.append(worker.pid);
        const WorkerRow &row = m_rows[worker.slot];
        setText(row.pid, worker.pid > 0 ? QString::number(worker.pid) : u"–"_s);
        setText(row.state, workerStateName(worker.state));
        setText(row.task, worker.taskId >= 0 ? QString::number(worker.taskId) : u"–"_s);
        row.bar->setValue(permille(worker.taskDone, worker.taskItems));
        setText(row.cpu, worker.cpuPercent >= 0 ? u"%1 %"_s.arg(worker.cpuPercent, 0, 'f', 0) : u"–"_s);
        setText(row.memory, formatBytes(worker.rssBytes));
        setText(row.restarts, QString::number(worker.restarts));
    }
}

void RunMonitor::showFinished(const RunOutcome &outcome)
{
    m_timeline->finish();
    m_overallLabel->setText(tr("%1 · %2/%3 items in %4")
                                .arg(runStatusName(outcome.status))
                                .arg(m_last.itemsDone)
                                .arg(m_last.itemsTotal)
                                .arg(duration(outcome.elapsedSeconds)));
}

} // namespace brigade
