#include "core/run/errorreport.h"

#include <QCborArray>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

QString ErrorReport::summary() const
{
    QString where = taskId >= 0 ? u"task %1 [%2, %3)"_s.arg(taskId).arg(begin).arg(end) : u"worker"_s;
    if (item >= 0)
        where += u" at item %1"_s.arg(item);
    QString text = kind + u" in "_s + where;
    if (pid > 0)
        text += u", pid %1"_s.arg(pid);
    if (attempt > 0)
        text += u", attempt %1"_s.arg(attempt);
    text += u": "_s + message;
    return text;
}

QString ErrorReport::text() const
{
    QString text = summary() + u'\n';
    if (!input.isEmpty())
        text += u"Input: "_s + input + u'\n';
    if (!trace.isEmpty())
        text += u"Trace:\n"_s + trace.trimmed() + u'\n';
    if (!stderrTail.isEmpty())
        text += u"stderr:\n"_s + stderrTail.join(u'\n') + u'\n';
    return text;
}

QCborMap ErrorReport::toCbor() const
{
    QCborMap map;
    map.insert(u"kind"_s, kind);
    if (!stage.isEmpty())
        map.insert(u"stage"_s, stage);
    map.insert(u"task"_s, taskId);
    map.insert(u"begin"_s, begin);
    map.insert(u"end"_s, end);
    if (item >= 0)
        map.insert(u"item"_s, item);
    if (!input.isEmpty())
        map.insert(u"input"_s, input);
    map.insert(u"pid"_s, pid);
    map.insert(u"attempt"_s, attempt);
    map.insert(u"final"_s, final);
    if (exitCode >= 0)
        map.insert(u"exit_code"_s, exitCode);
    if (!signalName.isEmpty())
        map.insert(u"signal"_s, signalName);
    map.insert(u"message"_s, message);
    map.insert(u"trace"_s, trace);
    map.insert(u"stderr"_s, QCborArray::fromStringList(stderrTail));
    return map;
}

QList<std::pair<qint64, qint64>> givenUpRanges(const QList<ErrorReport> &reports)
{
    QList<std::pair<qint64, qint64>> ranges;
    for (const ErrorReport &report : reports)
        if (report.final && report.taskId >= 0 && report.item >= 0)
            ranges.append({report.item, report.item + 1}); // the item given up out of its attempt's range
        else if (report.final && report.taskId >= 0 && report.begin >= 0 && report.end > report.begin)
            ranges.append({report.begin, report.end});
    std::sort(ranges.begin(), ranges.end());
    ranges.erase(std::unique(ranges.begin(), ranges.end()), ranges.end());
    return ranges;
}

} // namespace brigade
