// A run's counts, timeline spans and measurements, kept by the scheduler and read by snapshots.
#include "core/engine/runprogress.h"

#include <algorithm>
#include <utility>

namespace brigade {

void RunProgress::taskTimed(qint64 nowNs, qint64 ns)
{
    m_firstStartNs = std::min(m_firstStartNs, nowNs - ns);
    m_lastEndNs = std::max(m_lastEndNs, nowNs);
}

void RunProgress::workerReady(int workers, qint64 nowMs)
{
    if (++m_readyCount == workers && m_allReadyMs < 0)
        m_allReadyMs = nowMs;
}

void RunProgress::addSpan(const TaskSpan &span)
{
    if (m_spanSink)
        m_spanSink(span);
    if (m_spans.size() >= MaxSpans) {
        m_spansDropped += 1;
        return;
    }
    m_spans.append(span);
}

void RunProgress::fill(ProgressSnapshot &snapshot, qint64 inFlight) const
{
    snapshot.itemsDone = m_itemsDone;
    snapshot.tasksDone = m_tasksDone;
    snapshot.tasksFailed = m_tasksFailed;
    const double done = double(std::min(snapshot.itemsTotal, m_itemsDone + inFlight));
    if (snapshot.elapsedSeconds > 0 && done > 0) {
        snapshot.itemsPerSecond = done / snapshot.elapsedSeconds;
        snapshot.etaSeconds = double(snapshot.itemsTotal - qint64(done)) / snapshot.itemsPerSecond;
    }
}

void RunProgress::takeSpans(ProgressSnapshot &snapshot)
{
    snapshot.endedSpans.swap(m_spans);
    m_spans.clear();
    snapshot.spansDropped = std::exchange(m_spansDropped, 0);
}

} // namespace brigade
