// Task planning and adaptive chunk sizes: probes first, growth from measured times, a shrinking tail.
#include "core/engine/tasksource.h"

#include <algorithm>

namespace brigade {

namespace {

// Adaptive chunking: the first tasks are small probes; each measurement may grow the size this much.
constexpr qint64 ProbeChunk = 1024;
constexpr qint64 MaxGrowth = 16;
constexpr double CostDecay = 0.75; // weight of the past in the measured cost per item

// The item ranges a run splits into tasks: all of [0, items), or the asked ones clipped to it, merged.
std::vector<std::pair<qint64, qint64>> planRanges(qint64 items, std::vector<std::pair<qint64, qint64>> only)
{
    if (only.empty())
        return items > 0 ? std::vector<std::pair<qint64, qint64>>{{0, items}}
                         : std::vector<std::pair<qint64, qint64>>{};
    std::sort(only.begin(), only.end());
    std::vector<std::pair<qint64, qint64>> ranges;
    for (auto [begin, end] : only) {
        begin = std::max<qint64>(begin, 0);
        end = std::min(end, items);
        if (begin >= end)
            continue;
        if (!ranges.empty() && begin <= ranges.back().second)
            ranges.back().second = std::max(ranges.back().second, end);
        else
            ranges.emplace_back(begin, end);
    }
    return ranges;
}

} // namespace

TaskSource::TaskSource(qint64 items, std::vector<std::pair<qint64, qint64>> only, qint64 chunkSize,
                       int workers, qint64 maxChunk)
    : m_ranges(planRanges(items, std::move(only)))
    , m_workers(std::max(workers, 1))
    , m_maxChunk(maxChunk > 0 ? maxChunk : std::numeric_limits<qint64>::max())
{
    for (const auto &[begin, end] : m_ranges)
        m_items += end - begin;
    m_nextBegin = m_ranges.empty() ? 0 : m_ranges.front().first;
    m_adaptive = chunkSize <= 0;
    if (m_adaptive) // probes: small, but no more than a sixty-fourth of a worker's share
        m_chunk = std::clamp<qint64>(m_items / (64 * m_workers), 1, ProbeChunk);
    else
        m_chunk = chunkSize;
    m_chunk = std::min(m_chunk, m_maxChunk);
    for (const auto &[begin, end] : m_ranges)
        m_tasksTotal += (end - begin + m_chunk - 1) / m_chunk;
}

qint64 TaskSource::tasksTotal() const
{
    if (!m_adaptive)
        return m_tasksTotal;
    const qint64 left = m_items - m_itemsIssued;
    return m_nextId + (left + m_chunk - 1) / m_chunk;
}

TaskSource::Span TaskSource::take()
{
    const qint64 rangeEnd = m_ranges[m_nextRange].second;
    const Span t{m_nextId++, m_nextBegin, std::min(rangeEnd, m_nextBegin + nextChunk())};
    m_nextBegin = t.end;
    m_itemsIssued += t.end - t.begin;
    m_largestChunk = std::max(m_largestChunk, t.end - t.begin);
    if (m_nextBegin >= rangeEnd && ++m_nextRange < m_ranges.size())
        m_nextBegin = m_ranges[m_nextRange].first;
    return t;
}

qint64 TaskSource::nextChunk() const
{
    if (!m_adaptive)
        return m_chunk;
    // Near the end, at most an even share of half of what is left, so that the workers end together;
    // but no task shorter than half a millisecond (a fiftieth of the target; a round trip to the parent
    // costs tens of microseconds) where the cost per item is known.
    const qint64 left = m_items - m_itemsIssued;
    const qint64 share = left / (2 * m_workers);
    const qint64 floor =
        m_costItems > 0 ? qint64(std::min(double(TargetTaskNs) / 50 / (m_costNs / m_costItems), 1e15)) : 1;
    return std::max<qint64>(1, std::min(m_chunk, std::max(share, floor)));
}

void TaskSource::learn(qint64 items, qint64 ns)
{
    if (!m_adaptive)
        return;
    m_costNs = m_costNs * CostDecay + double(std::max<qint64>(ns, 1));
    m_costItems = m_costItems * CostDecay + double(items);
    const double target = double(TargetTaskNs) / (m_costNs / m_costItems);
    m_chunk = std::min(m_maxChunk, std::clamp<qint64>(qint64(std::min(target, 1e15)), 1,
                                                      std::max<qint64>(m_chunk, items) * MaxGrowth));
}

} // namespace brigade
