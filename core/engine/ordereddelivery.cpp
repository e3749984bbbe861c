// Delivery in task order: a slot per task id from the next undelivered one on.
#include "core/engine/ordereddelivery.h"

#include <algorithm>

namespace brigade {

bool OrderedDelivery::take(qint64 id, qint64 wholeBegin, qint64 wholeEnd, qint64 begin, qint64 end,
                           std::optional<QCborValue> value, Reducer &reducer)
{
    const size_t at = size_t(id - m_next); // ids are dense: a slot each, up to the window
    if (at >= m_waiting.size())
        m_waiting.resize(at + 1);
    Waiting &w = m_waiting[at];
    if (w.missing < 0)
        w.missing = wholeEnd - wholeBegin;
    w.missing -= end - begin;
    w.pieces.push_back(Piece{begin, end, std::move(value)});
    const qint64 before = m_next;
    for (; !m_waiting.empty() && m_waiting.front().missing == 0; m_waiting.pop_front()) {
        std::vector<Piece> &pieces = m_waiting.front().pieces;
        std::sort(pieces.begin(), pieces.end(),
                  [](const Piece &a, const Piece &b) { return a.begin < b.begin; });
        for (const Piece &p : pieces)
            if (p.value)
                reducer.add(p.begin, p.end, *p.value);
        ++m_next;
    }
    return m_next != before;
}

} // namespace brigade
