// ErrorModel: the error reports' tree (groups, errors, detail lines), built incrementally as batches arrive
// and filtered without rebuilding the groups.
#include "ui/errormodel.h"

#include <QColor>
#include <QFontDatabase>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

// An index's internal id: the level in the top bits; below them the group (error rows) or report (details).
constexpr int LevelShift = 60;
constexpr quintptr PayloadMask = (quintptr(1) << LevelShift) - 1;

quintptr makeId(ErrorModel::Level level, qint64 payload)
{
    return (quintptr(level) << LevelShift) | (quintptr(payload) & PayloadMask);
}

int payloadOf(const QModelIndex &index)
{
    return int(index.internalId() & PayloadMask);
}

// Frames of the C and C++ runtime that stand between a failure and the job's own function.
bool isRuntimeFrame(QStringView name)
{
    static const QStringList exact{u"raise"_s, u"abort"_s, u"gsignal"_s, u"pthread_kill"_s,
                                   u"std::terminate()"_s};
    return name.startsWith(u"__") || name.startsWith(u"std::__throw") || exact.contains(name);
}

// The kind as grouped and shown: a fatal signal names itself, since SIGSEGV and SIGABRT are different
// failures.
QString kindLabel(const ErrorReport &report)
{
    if (report.kind == u"signal"_s && !report.signalName.isEmpty())
        return report.kind + u' ' + report.signalName;
    return report.kind;
}

} // namespace

ErrorModel::ErrorModel(QObject *parent)
    : QAbstractItemModel(parent)
{}

ErrorModel::Level ErrorModel::level(const QModelIndex &index)
{
    return ErrorModel::Level(index.internalId() >> LevelShift);
}

QString ErrorModel::topFrame(const QString &trace)
{
    for (QStringView line : QStringView(trace).split(u'\n', Qt::SkipEmptyParts)) {
        line = line.trimmed();
        if (line.startsWith(u'#')) { // "#3 name at file:line"
            const qsizetype space = line.indexOf(u' ');
            if (space < 0)
                continue;
            line = line.mid(space + 1);
        }
        const qsizetype at = line.lastIndexOf(u" at "_s);
        const QStringView name = (at >= 0 ? line.left(at) : line).trimmed();
        // Addresses alone ("0x7f...") and "library+0x1234" name no function.
        if (name.isEmpty() || name.startsWith(u"0x") || name.contains(u"+0x") || name.startsWith(u'/'))
            continue;
        if (isRuntimeFrame(name))
            continue;
        return name.toString();
    }
    return {};
}

QStringList ErrorModel::detailLines(const ErrorReport &report)
{
    QStringList lines;
    if (report.taskId < 0)
        lines << tr("Input: none, the worker failed outside of a task");
    else if (report.begin < 0)
        lines << tr("Input: task %1, whose result had already arrived").arg(report.taskId);
    else
        lines << tr("Input: %1task %2, items [%3, %4)")
                     .arg(report.input.isEmpty() ? QString() : report.input + u", "_s)
                     .arg(report.taskId)
                     .arg(report.begin)
                     .arg(report.end);

    QString worker = report.pid > 0 ? tr("Worker: pid %1").arg(report.pid) : tr("Worker: none");
    if (report.attempt > 0)
        worker += tr(", attempt %1").arg(report.attempt);
    if (report.final)
        worker += tr(" (final: the task was given up)");
    if (!report.stage.isEmpty())
        worker += tr(", stage %1").arg(report.stage);
    if (report.exitCode >= 0)
        worker += tr(", exit code %1").arg(report.exitCode);
    if (!report.signalName.isEmpty())
        worker += tr(", signal %1").arg(report.signalName);
    lines << worker << tr("Message: %1").arg(report.message);

    const QStringList frames = report.trace.split(u'\n', Qt::SkipEmptyParts);
    if (frames.isEmpty()) {
        lines << tr("Trace: none");
    } else {
        lines << tr("Trace:");
        for (const QString &frame : frames)
            lines << u"    "_s + frame.trimmed();
    }
    if (report.stderrTail.isEmpty()) {
        lines << tr("stderr: nothing");
    } else {
        lines << tr("stderr (last %n line(s)):", nullptr, int(report.stderrTail.size()));
        for (const QString &line : report.stderrTail)
            lines << u"    "_s + line;
    }
    return lines;
}

bool ErrorModel::matches(const ErrorReport &report) const
{
    if (m_filter.isEmpty())
        return true;
    for (const QString *field :
         {&report.kind, &report.signalName, &report.message, &report.trace, &report.input})
        if (field->contains(m_filter, Qt::CaseInsensitive))
            return true;
    return false;
}

void ErrorModel::append(const QList<ErrorReport> &reports)
{
    if (reports.isEmpty())
        return;
    const int first = int(m_reports.size());
    m_reports.append(reports);
    m_entries.resize(size_t(m_reports.size()));

    // Which shown rows each group gains, in the order the groups were first touched.
    QList<int> touched;
    QHash<int, QList<int>> added;
    for (int i = first; i < m_reports.size(); ++i) {
        const ErrorReport &report = m_reports[i];
        const QString kind = kindLabel(report);
        const QString frame = topFrame(report.trace);
        const QString key = kind + u'\x1f' + frame;
        auto found = m_groupOf.constFind(key);
        int group = 0;
        if (found == m_groupOf.cend()) {
            group = int(m_groups.size());
            m_groups.push_back(Group{kind, frame, {}, {}, -1});
            m_groupOf.insert(key, group);
        } else {
            group = *found;
        }
        m_entries[size_t(i)].group = group;
        m_groups[size_t(group)].all.append(i);
        if (!matches(report))
            continue;
        auto &rows = added[group];
        if (rows.isEmpty())
            touched.append(group);
        rows.append(i);
    }

    QList<int> newlyShown;
    for (int group : std::as_const(touched)) {
        Group &g = m_groups[size_t(group)];
        if (g.row < 0) {
            newlyShown.append(group);
            continue;
        }
        const QList<int> &rows = added[group];
        beginInsertRows(groupIndex(group), int(g.shown.size()), int(g.shown.size() + rows.size() - 1));
        for (int report : rows) {
            m_entries[size_t(report)].row = int(g.shown.size());
            g.shown.append(report);
        }
        endInsertRows();
        Q_EMIT dataChanged(groupIndex(group, CountColumn), groupIndex(group, CountColumn));
        m_shownCount += int(rows.size());
    }
    if (!newlyShown.isEmpty()) {
        const int at = int(m_shownGroups.size());
        beginInsertRows({}, at, at + int(newlyShown.size()) - 1);
        for (int group : std::as_const(newlyShown)) {
            Group &g = m_groups[size_t(group)];
            g.row = int(m_shownGroups.size());
            m_shownGroups.append(group);
            for (int report : added[group]) {
                m_entries[size_t(report)].row = int(g.shown.size());
                g.shown.append(report);
            }
            m_shownCount += int(g.shown.size());
        }
        endInsertRows();
    }
}

void ErrorModel::clear()
{
    beginResetModel();
    m_reports.clear();
    m_entries.clear();
    m_groups.clear();
    m_groupOf.clear();
    m_shownGroups.clear();
    m_shownCount = 0;
    endResetModel();
}

void ErrorModel::setFilter(const QString &text)
{
    const QString filter = text.trimmed();
    if (filter == m_filter)
        return;
    beginResetModel();
    m_filter = filter;
    m_shownGroups.clear();
    m_shownCount = 0;
    for (size_t group = 0; group < m_groups.size(); ++group) {
        Group &g = m_groups[group];
        g.shown.clear();
        for (int report : std::as_const(g.all)) {
            Entry &entry = m_entries[size_t(report)];
            entry.row = -1;
            if (matches(m_reports[report])) {
                entry.row = int(g.shown.size());
                g.shown.append(report);
            }
        }
        g.row = g.shown.isEmpty() ? -1 : int(m_shownGroups.size());
        if (!g.shown.isEmpty())
            m_shownGroups.append(int(group));
        m_shownCount += int(g.shown.size());
    }
    endResetModel();
}

int ErrorModel::reportIndex(const QModelIndex &index) const
{
    if (!index.isValid())
        return -1;
    switch (level(index)) {
    case GroupLevel:
        return -1;
    case ErrorLevel:
        return m_groups[size_t(payloadOf(index))].shown.value(index.row(), -1);
    case DetailLevel:
        return payloadOf(index);
    }
    return -1;
}

QList<int> ErrorModel::reportsOf(const QModelIndex &index) const
{
    if (!index.isValid())
        return {};
    if (level(index) == GroupLevel)
        return m_groups[size_t(m_shownGroups[index.row()])].shown;
    const int report = reportIndex(index);
    return report >= 0 ? QList<int>{report} : QList<int>{};
}

const QStringList &ErrorModel::details(int report) const
{
    const Entry &entry = m_entries[size_t(report)];
    if (!entry.details)
        entry.details = detailLines(m_reports[report]);
    return *entry.details;
}

QModelIndex ErrorModel::groupIndex(int group, int column) const
{
    return createIndex(m_groups[size_t(group)].row, column, makeId(GroupLevel, 0));
}

QModelIndex ErrorModel::index(int row, int column, const QModelIndex &parent) const
{
    if (row < 0 || column < 0 || column >= ColumnCount)
        return {};
    if (!parent.isValid())
        return row < m_shownGroups.size() ? createIndex(row, column, makeId(GroupLevel, 0)) : QModelIndex();
    if (parent.column() != 0)
        return {};
    switch (level(parent)) {
    case GroupLevel: {
        const int group = m_shownGroups.value(parent.row(), -1);
        if (group < 0 || row >= m_groups[size_t(group)].shown.size())
            return {};
        return createIndex(row, column, makeId(ErrorLevel, group));
    }
    case ErrorLevel: {
        const int report = reportIndex(parent);
        if (report < 0 || row >= details(report).size())
            return {};
        return createIndex(row, column, makeId(DetailLevel, report));
    }
    case DetailLevel:
        return {};
    }
    return {};
}

QModelIndex ErrorModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    switch (level(child)) {
    case GroupLevel:
        return {};
    case ErrorLevel:
        return groupIndex(payloadOf(child));
    case DetailLevel: {
        const Entry &entry = m_entries[size_t(payloadOf(child))];
        return createIndex(entry.row, 0, makeId(ErrorLevel, entry.group));
    }
    }
    return {};
}

int ErrorModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return int(m_shownGroups.size());
    if (parent.column() != 0)
        return 0;
    switch (level(parent)) {
    case GroupLevel:
        return int(m_groups[size_t(m_shownGroups[parent.row()])].shown.size());
    case ErrorLevel: {
        const int report = reportIndex(parent);
        return report >= 0 ? int(details(report).size()) : 0;
    }
    case DetailLevel:
        return 0;
    }
    return 0;
}

int ErrorModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ErrorModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const int column = index.column();
    switch (level(index)) {
    case GroupLevel: {
        const Group &g = m_groups[size_t(m_shownGroups[index.row()])];
        const ErrorReport &first = m_reports[g.shown.front()];
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
            switch (column) {
            case KindColumn:
                return g.kind;
            case FrameColumn:
                return g.frame.isEmpty() ? tr("(no function in the trace)") : g.frame;
            case CountColumn:
                return g.shown.size() == g.all.size() ? QString::number(g.shown.size())
                                                      : tr("%1 of %2").arg(g.shown.size()).arg(g.all.size());
            case MessageColumn:
                return first.message;
            default:
                return {};
            }
        }
        if (role == Qt::FontRole && column == KindColumn) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        if (role == Qt::TextAlignmentRole && column == CountColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    }
    case ErrorLevel: {
        const ErrorReport &report = m_reports[reportIndex(index)];
        if (role == Qt::DisplayRole) {
            switch (column) {
            case KindColumn:
                return kindLabel(report);
            case TaskColumn:
                return report.taskId < 0 ? u"–"_s
                       : report.begin < 0
                           ? QString::number(report.taskId)
                           : u"%1 [%2, %3)"_s.arg(report.taskId).arg(report.begin).arg(report.end);
            case PidColumn:
                return report.pid > 0 ? QString::number(report.pid) : u"–"_s;
            case AttemptColumn:
                return report.final ? tr("%1 (final)").arg(report.attempt) : QString::number(report.attempt);
            case MessageColumn:
                return report.message;
            default:
                return {};
            }
        }
        if (role == Qt::ToolTipRole)
            return report.summary();
        if (role == Qt::ForegroundRole && column == KindColumn && report.final)
            return QColor(0xc6, 0x28, 0x28);
        return {};
    }
    case DetailLevel:
        if (column != 0)
            return {};
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return details(payloadOf(index)).value(index.row());
        if (role == Qt::FontRole)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    }
    return {};
}

QVariant ErrorModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case KindColumn:
        return tr("Kind");
    case FrameColumn:
        return tr("Top frame");
    case CountColumn:
        return tr("Count");
    case TaskColumn:
        return tr("Task");
    case PidColumn:
        return tr("PID");
    case AttemptColumn:
        return tr("Attempt");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}

} // namespace brigade
