// ErrorConsole: a run's error reports grouped by kind and top stack frame, with filter, copy, save and
// "retry failed tasks"; ErrorModel holds the groups for the tree view.
#pragma once

#include "core/base/result.h"
#include "core/run/errorreport.h"

#include <QAbstractItemModel>
#include <QWidget>

#include <optional>
#include <utility>
#include <vector>

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;
class QTreeView;

namespace brigade {

struct RunOutcome;

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

class ErrorConsole : public QWidget
{
    Q_OBJECT

public:
    explicit ErrorConsole(QWidget *parent = nullptr);

    using Column = ErrorModel::Column;

    // Every report received, shown or not yet (reports are added to the view in batches).
    int reportCount() const { return int(m_model->reports().size() + m_pending.size()); }
    const QList<ErrorReport> &reports() const { return m_model->reports(); }
    // The full text of a report, as copied and saved: summary, input, trace and stderr tail.
    static QString reportText(const ErrorReport &report) { return report.text(); }

    ErrorModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    // The item ranges of the tasks the finished run gave up; what "Retry failed tasks" asks for.
    const QList<std::pair<qint64, qint64>> &failedRanges() const { return m_failedRanges; }
    // Writes every report (.json: as in --json; otherwise text) atomically.
    std::optional<Failure> saveTo(const QString &path);

public Q_SLOTS:
    void addReport(const brigade::ErrorReport &report);
    void clearReports();
    // Adds the reports waiting for the next batch now.
    void flush();
    // The run is over: its given-up tasks can be retried.
    void showFinished(const brigade::RunOutcome &outcome);
    // Copies the selected reports (all shown ones when none is selected) to the clipboard.
    void copySelected();
    // Asks for a file (without blocking) and saves every report to it.
    void save();

Q_SIGNALS:
    void reportCountChanged(int count);
    // "Retry failed tasks": the item ranges [begin, end) of the tasks the run gave up.
    void retryRequested(const QList<std::pair<qint64, qint64>> &ranges);

private:
    void spanDetails(const QModelIndex &errorRow);
    void updateSummary();

    ErrorModel *m_model = nullptr;
    QTreeView *m_view = nullptr;
    QLineEdit *m_filter = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_copy = nullptr;
    QPushButton *m_save = nullptr;
    QPushButton *m_retry = nullptr;
    QTimer *m_batch = nullptr;
    QList<ErrorReport> m_pending;
    QList<std::pair<qint64, qint64>> m_failedRanges;
};

} // namespace brigade
