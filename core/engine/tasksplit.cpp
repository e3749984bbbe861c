// TaskSplit: the pieces a failed task is retried as, and the item given up.
#include "core/engine/tasksplit.h"

#include <QStringList>

using namespace Qt::Literals::StringLiterals;

namespace brigade {

QString TaskSplit::describe() const
{
    QStringList parts;
    for (const TaskPiece &p : retried)
        parts << (p.end - p.begin == 1 ? u"item %1"_s.arg(p.begin)
                                       : u"items %1 to %2"_s.arg(p.begin).arg(p.end - 1));
    return (givenUp ? u" (item %1 given up; retried as "_s.arg(givenUp->begin) : u" (retried as "_s) +
           parts.join(u", "_s) + u")"_s;
}

TaskSplit splitFailedTask(qint64 begin, qint64 end, qint64 item, int before, int after, bool final,
                          bool workerLost)
{
    TaskSplit split;
    if (end - begin <= 1)
        return split;
    if (item >= begin && item < end) {
        // The worker named the item: it alone is charged (retried, or given up when out of attempts); the
        // items around it are not.
        if (item > begin)
            split.retried.push_back({begin, item, before});
        const TaskPiece named{item, item + 1, after};
        if (final)
            split.givenUp = named;
        else
            split.retried.push_back(named);
        if (item + 1 < end)
            split.retried.push_back({item + 1, end, before});
    } else if (final || workerLost) {
        // Out of attempts, or deadly: the halves are tried apart, each item keeping its count.
        const qint64 middle = begin + (end - begin) / 2;
        split.retried.push_back({begin, middle, after});
        split.retried.push_back({middle, end, after});
    }
    return split;
}

} // namespace brigade
