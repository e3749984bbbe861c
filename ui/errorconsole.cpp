// ErrorConsole: a tree of error reports; the top row is the summary, the children the trace and stderr.
#include "ui/errorconsole.h"

#include <QAction>
#include <QClipboard>
#include <QColor>
#include <QGuiApplication>
#include <QHeaderView>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {
constexpr int ReportRole = Qt::UserRole + 1;
}

ErrorConsole::ErrorConsole(QWidget *parent)
    : QTreeWidget(parent)
{
    setObjectName(u"errorConsole"_s);
    setAccessibleName(tr("Error console"));
    setHeaderLabels({tr("Kind"), tr("Task"), tr("PID"), tr("Attempt"), tr("Message")});
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    header()->setStretchLastSection(true);

    auto *copy = new QAction(tr("Copy"), this);
    copy->setObjectName(u"copyReport"_s);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &ErrorConsole::copySelected);
    addAction(copy);
    setContextMenuPolicy(Qt::ActionsContextMenu);
}

void ErrorConsole::addReport(const ErrorReport &report)
{
    const int index = int(m_reports.size());
    m_reports.append(report);

    auto *item = new QTreeWidgetItem(this);
    item->setData(0, ReportRole, index);
    item->setText(KindColumn, report.kind);
    item->setText(TaskColumn, report.taskId >= 0
                                  ? u"%1 [%2, %3)"_s.arg(report.taskId).arg(report.begin).arg(report.end)
                                  : u"–"_s);
    item->setText(PidColumn, report.pid > 0 ? QString::number(report.pid) : u"–"_s);
    item->setText(AttemptColumn,
                  report.final ? tr("%1 (final)").arg(report.attempt) : QString::number(report.attempt));
    item->setText(MessageColumn, report.summary());
    item->setToolTip(MessageColumn, report.summary());
    if (report.final)
        item->setForeground(KindColumn, QColor(0xc6, 0x28, 0x28));

    // Detail lines span the whole row: a trace line is wider than any one column.
    auto addLine = [](QTreeWidgetItem *parent, const QString &text) {
        auto *line = new QTreeWidgetItem(parent, {text});
        line->setFirstColumnSpanned(true);
        return line;
    };
    const QStringList trace = report.trace.split(u'\n', Qt::SkipEmptyParts);
    if (trace.isEmpty())
        addLine(item, tr("(no stack trace)"));
    for (const QString &frame : trace)
        addLine(item, frame);
    if (!report.stderrTail.isEmpty()) {
        QTreeWidgetItem *stderrItem = addLine(item, u"stderr"_s);
        for (const QString &line : report.stderrTail)
            addLine(stderrItem, line);
    }
    Q_EMIT reportCountChanged(reportCount());
}

void ErrorConsole::clearReports()
{
    clear();
    m_reports.clear();
    Q_EMIT reportCountChanged(0);
}

int ErrorConsole::reportIndex(const QTreeWidgetItem *item) const
{
    while (item && item->parent())
        item = item->parent();
    return item ? item->data(0, ReportRole).toInt() : -1;
}

QString ErrorConsole::reportText(const ErrorReport &report)
{
    QString text = report.summary() + u'\n';
    if (!report.trace.isEmpty())
        text += u"Trace:\n"_s + report.trace.trimmed() + u'\n';
    if (!report.stderrTail.isEmpty())
        text += u"stderr:\n"_s + report.stderrTail.join(u'\n') + u'\n';
    return text;
}

void ErrorConsole::copySelected()
{
    QList<int> indexes;
    for (const QTreeWidgetItem *item : selectedItems()) {
        const int index = reportIndex(item);
        if (index >= 0 && index < m_reports.size() && !indexes.contains(index))
            indexes.append(index);
    }
    if (indexes.isEmpty())
        for (int i = 0; i < m_reports.size(); ++i)
            indexes.append(i);
    std::sort(indexes.begin(), indexes.end());
    QStringList texts;
    for (int index : indexes)
        texts.append(reportText(m_reports[index]));
    if (!texts.isEmpty())
        QGuiApplication::clipboard()->setText(texts.join(u'\n'));
}

} // namespace brigade
