// The journal around a reducer: append before reducing; replay an earlier start's parts in item order.
#include "core/engine/journalreducer.h"

#include <algorithm>

namespace brigade {

JournalReducer::JournalReducer(std::unique_ptr<Reducer> inner, RunJournal *journal,
                               std::vector<RunJournal::Part> journalled, RowsOf rows, RowsOf outputRows)
    : m_inner(std::move(inner))
    , m_journal(journal)
    , m_journalled(std::move(journalled))
    , m_rows(std::move(rows))
    , m_outputRows(std::move(outputRows))
{
    std::sort(m_journalled.begin(), m_journalled.end(),
              [](const RunJournal::Part &a, const RunJournal::Part &b) { return a.begin < b.begin; });
}

void JournalReducer::replayBefore(qint64 begin)
{
    for (; m_next < m_journalled.size() && m_journalled[m_next].begin < begin && !m_inner->failed();
         ++m_next) {
        const RunJournal::Part &part = m_journalled[m_next];
        m_inner->add(part.begin, part.end, part.value);
    }
}

void JournalReducer::add(qint64 begin, qint64 end, const QCborValue &part)
{
    replayBefore(begin);
    if (m_inner->failed())
        return;
    if (m_journal) {
        auto appended = m_rows || m_outputRows
                            ? m_journal->append(begin, end, part, m_rows ? m_rows(begin, end) : QByteArray(),
                                                m_outputRows ? m_outputRows(begin, end) : QByteArray())
                            : m_journal->append(begin, end, part);
        if (!appended) {
            m_journalFailure = appended.failure();
            m_journal = nullptr; // the run goes on without it
        }
    }
    m_inner->add(begin, end, part);
}

Result<JobResult> JournalReducer::finish(const RunContext &context)
{
    replayBefore(std::numeric_limits<qint64>::max());
    return m_inner->finish(context);
}

} // namespace brigade
