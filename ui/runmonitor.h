// RunMonitor: the live view of a run — an overall bar with rate and ETA, and one row per worker.
#pragma once

#include "core/pool/jobrun.h"

#include <QWidget>

class QGridLayout;
class QLabel;
class QProgressBar;

namespace brigade {

class RunMonitor : public QWidget
{
    Q_OBJECT

public:
    explicit RunMonitor(QWidget *parent = nullptr);

    static constexpr int BarRange = 1000;

    // The pids of every worker the current run has listed (restarted workers included).
    QList<qint64> workerPids() const { return m_pids; }
    const ProgressSnapshot &lastSnapshot() const { return m_last; }

public Q_SLOTS:
    // Forgets the previous run: the bars go to zero and the worker rows away.
    void reset();
    // Snapshots arrive throttled (about 20 Hz) from the engine, so each one just sets values.
    void showSnapshot(const brigade::ProgressSnapshot &snapshot);
    void showFinished(const brigade::RunOutcome &outcome);

private:
    struct WorkerRow {
        QLabel *label = nullptr;
        QProgressBar *bar = nullptr;
    };

    void ensureRows(qsizetype count);

    QProgressBar *m_overall = nullptr;
    QLabel *m_overallLabel = nullptr;
    QWidget *m_workerBox = nullptr;
    QGridLayout *m_workerLayout = nullptr;
    QList<WorkerRow> m_rows;
    QList<qint64> m_pids;
    ProgressSnapshot m_last;
};

} // namespace brigade
