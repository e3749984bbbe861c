// OrderedDelivery: hands task outcomes to the reducer in task-id order (imap), holding those that end
// before an earlier one until it ends. A quarantined task (no value) is passed over in its turn.
#pragma once

#include "core/jobs/job.h"

#include <QCborValue>

#include <deque>
#include <optional>

namespace brigade {

class OrderedDelivery
{
public:
    // Takes the outcome of task `id` (items [begin, end)) and reduces every outcome now in turn. Ids are
    // dense from 0 and each comes once. Returns whether the next undelivered id moved on.
    bool take(qint64 id, qint64 begin, qint64 end, std::optional<QCborValue> value, Reducer &reducer);
    // The next task id to reduce: dispatch stays within a window past it.
    qint64 next() const { return m_next; }

private:
    struct Waiting {
        qint64 begin = 0;
        qint64 end = 0;
        std::optional<QCborValue> value; // none: quarantined
        bool ended = false;
    };
    qint64 m_next = 0;
    std::deque<Waiting> m_waiting; // the tasks from m_next on, by id, and their outcomes
};

} // namespace brigade
