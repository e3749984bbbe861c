// RunMonitor: the live view of a run — an overall bar with rate and ETA, one row per worker (pid, state,
// task, bar, CPU, memory, restarts) and the task timeline.
#pragma once

#include "core/engine/jobrun.h"

#include <QWidget>

class QGridLayout;
class QLabel;
class QProgressBar;

namespace brigade {

class TaskTimeline;

class RunMonitor : public QWidget
{
    Q_OBJECT

public:
    explicit RunMonitor(QWidget *parent = nullptr);

    static constexpr int BarRange = 1000;

    // The pids of every worker the current run has listed (restarted workers included).
    QList<qint64> workerPids() const { return m_pids; }
    const ProgressSnapshot &lastSnapshot() const { return m_last; }
    TaskTimeline *timeline() const { return m_timeline; }

    static QString formatBytes(qint64 bytes);

public Q_SLOTS:
    // Forgets the previous run: the bars go to zero, the worker rows and the timeline away.
    void reset();
    // Snapshots arrive throttled (about 20 Hz) from the engine, so each one just sets values.
    void showSnapshot(const brigade::ProgressSnapshot &snapshot);
    void showFinished(const brigade::RunOutcome &outcome);

private:
    // One row of the worker grid; the widgets are named after the column and the worker (workerCpu1).
    struct WorkerRow {
        QLabel *name = nullptr;
        QLabel *pid = nullptr;
        QLabel *state = nullptr;
        QLabel *task = nullptr;
        QProgressBar *bar = nullptr;
        QLabel *cpu = nullptr;
        QLabel *memory = nullptr;
        QLabel *restarts = nullptr;
    };

    void ensureRows(qsizetype count);
    static void setText(QLabel *label, const QString &text);

    QProgressBar *m_overall = nullptr;
    QLabel *m_overallLabel = nullptr;
    QWidget *m_workerBox = nullptr;
    QGridLayout *m_workerLayout = nullptr;
    QList<WorkerRow> m_rows;
    TaskTimeline *m_timeline = nullptr;
    QList<qint64> m_pids;
    ProgressSnapshot m_last;
};

} // namespace brigade
