// TaskSource: splits a run's items into tasks. Plans the ranges to run (all items, or the asked ones),
// hands out new tasks in id order, and sizes them: a fixed chunk size, or adapted from the measured task
// times so that a task takes about TargetTaskNs, shrinking at the tail so that the workers end together.
#pragma once

#include <QtGlobal>

#include <limits>
#include <utility>
#include <vector>

namespace brigade {

class TaskSource
{
public:
    struct Span {
        qint64 id = 0;
        qint64 begin = 0;
        qint64 end = 0;
    };

    // `chunkSize` 0: adaptive. `only`: the item ranges [begin, end) to split (clipped, merged); empty: all.
    // `maxChunk`: no task holds more items (0: no bound), whatever the chunk size asked or learnt.
    TaskSource(qint64 items, std::vector<std::pair<qint64, qint64>> only, qint64 chunkSize, int workers,
               qint64 maxChunk = 0);

    // The duration adaptive chunking aims at: long enough that a task's messages cost nothing, short
    // enough that the workers end together and progress moves smoothly.
    static constexpr qint64 TargetTaskNs = 25'000'000;

    qint64 items() const { return m_items; } // planned: the total length of the ranges
    bool adaptive() const { return m_adaptive; }
    bool exhausted() const { return m_nextRange >= m_ranges.size(); }
    qint64 nextId() const { return m_nextId; } // the id the next new task gets
    // The next new task; only when !exhausted().
    Span take();
    // A task of `items` items ran `ns` nanoseconds: the adaptive sizing learns from it.
    void learn(qint64 items, qint64 ns);
    // Items per task: the fixed size, or the largest the adaptive sizing reached.
    qint64 chunkSize() const { return m_adaptive ? m_largestChunk : m_chunk; }
    // Tasks of the run: exact once every task is handed out, estimated before when chunks adapt.
    qint64 tasksTotal() const;

private:
    qint64 nextChunk() const;

    std::vector<std::pair<qint64, qint64>> m_ranges; // sorted, disjoint, non-empty
    size_t m_nextRange = 0;
    qint64 m_items = 0;
    qint64 m_workers = 1;
    qint64 m_tasksTotal = 0;
    qint64 m_nextBegin = 0;
    qint64 m_nextId = 0;
    qint64 m_chunk = 1; // fixed, or the adaptive sizing's current steady size
    qint64 m_maxChunk = std::numeric_limits<qint64>::max();
    bool m_adaptive = false;
    qint64 m_largestChunk = 0; // adaptive: the largest task handed out
    qint64 m_itemsIssued = 0;  // items in the tasks handed out so far
    double m_costNs = 0;       // adaptive: decayed sums of measured task time and items
    double m_costItems = 0;
};

} // namespace brigade
