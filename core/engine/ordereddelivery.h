// OrderedDelivery: hands task outcomes to the reducer in task-id order (imap), holding those that end
// before an earlier one until it ends. A task split into pieces (item-level fault isolation) ends when all
// of its items are in; its pieces are reduced in item order. A given-up piece (no value) is passed over.
#pragma once

#include "core/jobs/job.h"

#include <QCborValue>

#include <deque>
#include <optional>
#include <vector>

namespace brigade {

class OrderedDelivery
{
public:
    // Takes the outcome of items [begin, end) of task `id` (whose items are [wholeBegin, wholeEnd)) and
    // reduces every task now complete in turn. Ids are dense from 0; each item comes once. Returns whether
    // the next undelivered id moved on.
    bool take(qint64 id, qint64 wholeBegin, qint64 wholeEnd, qint64 begin, qint64 end,
              std::optional<QCborValue> value, Reducer &reducer);
    // The next task id to reduce: dispatch stays within a window past it.
    qint64 next() const { return m_next; }

private:
    struct Piece {
        qint64 begin = 0;
        qint64 end = 0;
        std::optional<QCborValue> value; // none: given up
    };
    struct Waiting {
        qint64 missing = -1; // items not in yet; -1: nothing of the task in yet
        std::vector<Piece> pieces;
    };
    qint64 m_next = 0;
    std::deque<Waiting> m_waiting; // the tasks from m_next on, by id, and their outcomes
};

} // namespace brigade
