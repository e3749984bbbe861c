// JournalReducer: the job's reducer with the run journal around it. Every part is appended to the journal
// before the job's reducer sees it (with the rows it left in shared memory, for runs that write there); on a
// resume, the parts an earlier start journalled are handed to the job's reducer among the new ones, in item
// order, so that the result (and an ordered output file) is exactly that of an uninterrupted run.
#pragma once

#include "core/jobs/job.h"
#include "core/store/runjournal.h"

#include <QStringList>

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

namespace brigade {

class JournalReducer : public Reducer
{
public:
    // The bytes of items [begin, end) a part leaves in a segment (SharedArray::copyRows), or none.
    using RowsOf = std::function<QByteArray(qint64 begin, qint64 end)>;

    // `journal`: where new parts go (none: only the replay); `journalled`: the parts of an earlier start,
    // disjoint from every part to come.
    JournalReducer(std::unique_ptr<Reducer> inner, RunJournal *journal,
                   std::vector<RunJournal::Part> journalled, RowsOf rows, RowsOf outputRows);

    void add(qint64 begin, qint64 end, const QCborValue &part) override;
    bool failed() const override { return m_inner->failed(); }
    Result<JobResult> finish(const RunContext &context) override;

    // The journal could not be written: the run goes on, but cannot be resumed past this point.
    const std::optional<Failure> &journalFailure() const { return m_journalFailure; }
    // The journal is closed: parts from now on are reduced only.
    void detach() { m_journal = nullptr; }

private:
    void replayBefore(qint64 begin);

    std::unique_ptr<Reducer> m_inner;
    RunJournal *m_journal;
    std::vector<RunJournal::Part> m_journalled; // sorted by begin
    size_t m_next = 0;                          // the first not yet replayed
    RowsOf m_rows;
    RowsOf m_outputRows;
    std::optional<Failure> m_journalFailure;
};

} // namespace brigade
