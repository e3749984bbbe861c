// RunProgress: what a run has done so far, for the monitor and the outcome: tasks and items done and
// failed, the task spans of the timeline (capped between two snapshots), when every worker was first
// ready, the compute phase's bounds by the workers' own timing, and how long replaced workers' work waited.
#pragma once

#include "core/run/progress.h"

#include <QList>

#include <functional>

#include <limits>

namespace brigade {

class RunProgress
{
public:
    void taskDone(qint64 items)
    {
        m_itemsDone += items;
        m_tasksDone += 1;
    }
    void taskFailed() { m_tasksFailed += 1; }
    // A task the worker timed at `ns` nanoseconds ended (its result arrived) at `nowNs` since the start.
    void taskTimed(qint64 nowNs, qint64 ns);
    // A worker said Ready for the first time; `workers` of them make the run ready.
    void workerReady(int workers, qint64 nowMs);
    // A replaced worker's work ran again `ms` after the loss.
    void recovered(double ms) { m_recoveryMs.append(ms); }
    // A task's stay on a slot ended; beyond MaxSpans between two snapshots spans are only counted.
    void addSpan(const TaskSpan &span);
    // Called with every span as it ends, uncapped (the joblog).
    void setSpanSink(std::function<void(const TaskSpan &)> sink) { m_spanSink = std::move(sink); }

    qint64 itemsDone() const { return m_itemsDone; }
    qint64 tasksFailed() const { return m_tasksFailed; }
    qint64 allReadyMs() const { return m_allReadyMs; }
    double computeSeconds() const
    {
        return m_lastEndNs < 0 ? -1 : double(m_lastEndNs - m_firstStartNs) / 1e9;
    }
    const QList<double> &recoveryMs() const { return m_recoveryMs; }

    // The counts, the rate and the time left into a snapshot that holds the total and the elapsed time;
    // `inFlight`: items the busy workers report done in their running tasks.
    void fill(ProgressSnapshot &snapshot, qint64 inFlight) const;
    // The spans ended since the previous call (and the number dropped) into a snapshot.
    void takeSpans(ProgressSnapshot &snapshot);

    static constexpr qsizetype MaxSpans = 20000;

private:
    qint64 m_itemsDone = 0;
    qint64 m_tasksDone = 0;
    qint64 m_tasksFailed = 0;
    qint64 m_allReadyMs = -1;
    int m_readyCount = 0;
    qint64 m_firstStartNs = std::numeric_limits<qint64>::max();
    qint64 m_lastEndNs = -1;
    QList<double> m_recoveryMs;
    QList<TaskSpan> m_spans; // ended since the last takeSpans(), at most MaxSpans
    qint64 m_spansDropped = 0;
    std::function<void(const TaskSpan &)> m_spanSink;
};

} // namespace brigade
