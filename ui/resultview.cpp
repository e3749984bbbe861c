// ResultView: shows RunOutcome::result; a "columns" array of maps becomes one row per column.
#include "ui/resultview.h"

#include <QCborArray>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

QTableWidgetItem *cell(const QCborValue &value)
{
    auto *item = new QTableWidgetItem(ResultView::valueText(value));
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (value.isDouble() || value.isInteger()) {
        item->setData(Qt::UserRole, value.toVariant()); // the exact number, for copying and tests
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    return item;
}

bool isScalar(const QCborValue &value)
{
    return !value.isArray() && !value.isMap();
}

QString counted(qint64 n, const QString &one, const QString &many)
{
    return u"%1 %2"_s.arg(n).arg(n == 1 ? one : many);
}

} // namespace

ResultView::ResultView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"resultView"_s);
    auto *layout = new QVBoxLayout(this);

    m_summary = new QLabel(tr("No result yet"), this);
    m_summary->setObjectName(u"resultSummary"_s);
    m_summary->setAccessibleName(tr("Result summary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    m_table = new QTableWidget(this);
    m_table->setObjectName(u"resultTable"_s);
    m_table->setAccessibleName(tr("Result table"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);
}

QString ResultView::summary() const
{
    return m_summary->text();
}

QString ResultView::valueText(const QCborValue &value)
{
    if (value.isInteger())
        return QString::number(value.toInteger());
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 12);
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    if (value.isNull() || value.isUndefined())
        return u"–"_s;
    return value.toDiagnosticNotation(QCborValue::Compact);
}

void ResultView::clear()
{
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    m_summary->setText(tr("Running…"));
}

void ResultView::showOutcome(const RunOutcome &outcome)
{
    clear();
    const QCborArray columns = outcome.result.value(u"columns"_s).toArray();
    const bool tabular = !columns.isEmpty() && std::all_of(columns.cbegin(), columns.cend(),
                                                           [](const QCborValue &c) { return c.isMap(); });
    if (tabular)
        showColumns(columns);
    else if (!outcome.result.isEmpty())
        showPairs(outcome.result);

    QStringList parts{runStatusName(outcome.status)};
    for (auto it = outcome.result.cbegin(); it != outcome.result.cend(); ++it)
        if (isScalar(it.value()))
            parts.append(it.key().toString() + u": "_s + valueText(it.value()));
    if (tabular)
        parts.append(counted(columns.size(), tr("column"), tr("columns")));
    parts.append(counted(outcome.workers, tr("worker"), tr("workers")));
    parts.append(counted(outcome.tasks, tr("task"), tr("tasks")));
    if (outcome.failedTasks > 0)
        parts.append(tr("%1 failed").arg(outcome.failedTasks));
    parts.append(u"%1 s"_s.arg(outcome.elapsedSeconds, 0, 'f', 2));
    QString text = parts.join(u" · "_s);
    if (outcome.failure)
        text += u"\n"_s + outcome.failure->describe();
    m_summary->setText(text);
}

void ResultView::showColumns(const QCborArray &columns)
{
    // Headers: the keys in order of first appearance (name, count, mean, std, min, max for stats).
    QStringList keys;
    for (const QCborValue &column : columns) {
        const QCborMap map = column.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            if (!keys.contains(it.key().toString()))
                keys.append(it.key().toString());
    }
    m_table->setColumnCount(int(keys.size()));
    m_table->setHorizontalHeaderLabels(keys);
    m_table->setRowCount(int(columns.size()));
    for (int row = 0; row < columns.size(); ++row) {
        const QCborMap column = columns[row].toMap();
        for (int c = 0; c < keys.size(); ++c)
            m_table->setItem(row, c, cell(column.value(keys[c])));
    }
    m_table->resizeColumnsToContents();
}

void ResultView::showPairs(const QCborMap &map)
{
    m_table->setColumnCount(2);
    m_table->setHorizontalHeaderLabels({tr("key"), tr("value")});
    m_table->setRowCount(int(map.size()));
    int row = 0;
    for (auto it = map.cbegin(); it != map.cend(); ++it, ++row) {
        m_table->setItem(row, 0, cell(it.key()));
        m_table->setItem(row, 1, cell(it.value()));
    }
    m_table->resizeColumnsToContents();
}

} // namespace brigade
