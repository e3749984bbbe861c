// ErrorConsole: the widget over ErrorModel: a run's error reports grouped by kind and top stack frame, with
// filter, copy, save and "retry failed tasks".
#pragma once

#include "core/base/result.h"
#include "core/run/errorreport.h"
#include "ui/errormodel.h"

#include <QWidget>

#include <optional>
#include <utility>

class QLabel;
class QLineEdit;
class QPushButton;
class QTimer;
class QTreeView;

namespace brigade {

struct RunOutcome;

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
