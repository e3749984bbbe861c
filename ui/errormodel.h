// ErrorModel: a run's error reports as a tree for the error console, grouped by kind and top stack frame,
// with a text filter.
#pragma once

#include "core/run/errorreport.h"

#include <QAbstractItemModel>
#include <QHash>

#include <optional>
#include <vector>

namespace brigade {

// Three levels: a group (kind and top frame, with a count), its errors, and an error's detail lines
// (input, worker, message, trace, stderr). A filter hides the errors that do not contain its text.
class ErrorModel final : public QAbstractItemModel
{
    Q_OBJECT

public:
    enum Column { KindColumn, FrameColumn, CountColumn, TaskColumn, PidColumn, AttemptColumn, MessageColumn };
    static constexpr int ColumnCount = MessageColumn + 1;
    enum Level { GroupLevel, ErrorLevel, DetailLevel };

    explicit ErrorModel(QObject *parent = nullptr);

    void append(const QList<ErrorReport> &reports); // one insertion per group touched
    void clear();
    // Case-insensitive text looked for in the kind, message, trace and input of each report.
    void setFilter(const QString &text);
    QString filter() const { return m_filter; }

    const QList<ErrorReport> &reports() const { return m_reports; }
    int shownCount() const { return m_shownCount; }
    static Level level(const QModelIndex &index);
    // The report of an error or detail row; -1 for a group.
    int reportIndex(const QModelIndex &index) const;
    // The reports a row stands for, shown ones only: a group's errors, or the one report of a row.
    QList<int> reportsOf(const QModelIndex &index) const;
    // The first frame of a trace that names a function in the job (runtime frames such as raise and
    // abort are passed over); empty when the trace names none.
    static QString topFrame(const QString &trace);
    // The detail lines an error row expands to.
    static QStringList detailLines(const ErrorReport &report);

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Group {
        QString kind;
        QString frame;
        QList<int> all;   // report indexes, in arrival order
        QList<int> shown; // those that pass the filter
        int row = -1;     // among the shown groups; -1 while it has nothing shown
    };
    struct Entry {
        int group = -1;
        int row = -1; // in its group's shown errors; -1 when filtered out
        mutable std::optional<QStringList> details;
    };

    bool matches(const ErrorReport &report) const;
    QModelIndex groupIndex(int group, int column = 0) const;
    const QStringList &details(int report) const;

    QList<ErrorReport> m_reports;
    std::vector<Entry> m_entries;
    std::vector<Group> m_groups;
    QHash<QString, int> m_groupOf; // kind and frame -> group
    QList<int> m_shownGroups;      // group indexes, in first-arrival order
    int m_shownCount = 0;
    QString m_filter;
};

} // namespace brigade
