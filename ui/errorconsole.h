// ErrorConsole: one collapsed row per ErrorReport, expanding to its stack trace and stderr tail.
#pragma once

#include "core/pool/errorreport.h"

#include <QTreeWidget>

namespace brigade {

class ErrorConsole : public QTreeWidget
{
    Q_OBJECT

public:
    explicit ErrorConsole(QWidget *parent = nullptr);

    enum Column { KindColumn, TaskColumn, PidColumn, AttemptColumn, MessageColumn };

    int reportCount() const { return int(m_reports.size()); }
    const QList<ErrorReport> &reports() const { return m_reports; }
    // The full text of a report, as copied: summary, trace and stderr tail.
    static QString reportText(const ErrorReport &report);
    // The report a row (or any of its children) belongs to, or -1.
    int reportIndex(const QTreeWidgetItem *item) const;

public Q_SLOTS:
    void addReport(const brigade::ErrorReport &report);
    void clearReports();
    // Copies the selected reports (all of them when none is selected) to the clipboard.
    void copySelected();

Q_SIGNALS:
    void reportCountChanged(int count);

private:
    QList<ErrorReport> m_reports;
};

} // namespace brigade
