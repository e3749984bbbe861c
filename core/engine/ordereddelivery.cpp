// Delivery in task order: a slot per task id from the next undelivered one on.
#include "core/engine/ordereddelivery.h"

namespace brigade {

bool OrderedDelivery::take(qint64 id, qint64 begin, qint64 end, std::optional<QCborValue> value,
                           Reducer &reducer)
{
    const size_t at = size_t(id - m_next); // ids are dense: a slot each, up to the window
    if (at >= m_waiting.size())
        m_waiting.resize(at + 1);
    m_waiting[at] = Waiting{begin, end, std::move(value), true};
    const qint64 before = m_next;
    for (; !m_waiting.empty() && m_waiting.front().ended; m_waiting.pop_front()) {
        const Waiting &w = m_waiting.front();
        if (w.value)
            reducer.add(w.begin, w.end, *w.value);
        ++m_next;
    }
    return m_next != before;
}

} // namespace brigade
