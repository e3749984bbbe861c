#include "ui/historyview.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMap>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

enum Column {
    StartedColumn,
    JobColumn,
    DatasetColumn,
    Workers,
    Chunk,
    Duration,
    Status,
    Errors,
    Origin,
    ColumnCount
};

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n == 0 ? 0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

} // namespace

HistoryView::HistoryView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"historyView"_s);
    auto *layout = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setObjectName(u"historyStatus"_s);
    layout->addWidget(m_status);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    m_table = new QTableWidget(0, ColumnCount, splitter);
    m_table->setObjectName(u"historyTable"_s);
    m_table->setAccessibleName(tr("Run history"));
    m_table->setHorizontalHeaderLabels({tr("Started"), tr("Job"), tr("Dataset"), tr("Workers"), tr("Chunk"),
                                        tr("Duration (s)"), tr("Status"), tr("Errors"), tr("From")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(DatasetColumn, QHeaderView::Stretch);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &HistoryView::updateButtons);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this] {
        if (auto e = selectedEntry())
            Q_EMIT openRequested(*e);
    });

    m_chart = new QChartView(splitter);
    m_chart->setObjectName(u"historyChart"_s);
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumHeight(180);
    m_chart->chart()->setTitle(tr("Select a run and press Compare to chart its job's runs by worker count"));
    splitter->addWidget(m_table);
    splitter->addWidget(m_chart);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    auto *buttons = new QHBoxLayout;
    m_open = new QPushButton(tr("Open"), this);
    m_open->setObjectName(u"historyOpen"_s);
    m_open->setToolTip(tr("Show the run's result"));
    m_rerun = new QPushButton(tr("Re-run"), this);
    m_rerun->setObjectName(u"historyRerun"_s);
    m_rerun->setToolTip(tr("Run the same job on the same data with the same settings"));
    m_compare = new QPushButton(tr("Compare worker counts"), this);
    m_compare->setObjectName(u"historyCompare"_s);
    m_compare->setToolTip(tr("Median duration of this job's runs on this dataset, per number of workers"));
    auto *refresh = new QPushButton(tr("Refresh"), this);
    buttons->addWidget(m_open);
    buttons->addWidget(m_rerun);
    buttons->addWidget(m_compare);
    buttons->addStretch(1);
    buttons->addWidget(refresh);
    layout->addLayout(buttons);
    connect(m_open, &QPushButton::clicked, this, [this] {
        if (auto e = selectedEntry())
            Q_EMIT openRequested(*e);
    });
    connect(m_rerun, &QPushButton::clicked, this, [this] {
        if (auto e = selectedEntry())
            Q_EMIT rerunRequested(requestFromCbor(e->request));
    });
    connect(m_compare, &QPushButton::clicked, this, &HistoryView::compareSelected);
    connect(refresh, &QPushButton::clicked, this, &HistoryView::reload);

    auto opened = RunHistory::open();
    if (opened)
        m_history = std::make_unique<RunHistory>(std::move(opened).value());
    else
        m_status->setText(tr("The run history is not available: %1").arg(opened.failure().describe()));
    reload();
}

HistoryView::~HistoryView() = default;

void HistoryView::reload()
{
    const auto selected = selectedEntry();
    m_entries = m_history ? m_history->entries() : QList<HistoryEntry>{};
    m_table->setRowCount(int(m_entries.size()));
    const QLocale locale;
    for (int row = 0; row < m_entries.size(); ++row) {
        const HistoryEntry &e = m_entries[row];
        const QStringList cells{locale.toString(e.started, QLocale::ShortFormat),
                                e.job,
                                e.dataset,
                                QString::number(e.workers),
                                e.chunkSize > 0 ? QString::number(e.chunkSize) : tr("auto"),
                                QString::number(e.durationSeconds, 'f', 3),
                                e.status,
                                QString::number(e.errorCount),
                                e.origin};
        for (int c = 0; c < ColumnCount; ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            item->setData(Qt::UserRole, e.id);
            if (c == Workers || c == Chunk || c == Duration || c == Errors)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, c, item);
        }
    }
    if (m_history)
        m_status->setText(tr("%n run(s) in %1", nullptr, int(m_entries.size())).arg(m_history->path()));
    if (selected)
        selectEntry(selected->id);
    updateButtons();
}

std::optional<HistoryEntry> HistoryView::selectedEntry() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty() || rows.first().row() >= m_entries.size())
        return std::nullopt;
    return m_entries[rows.first().row()];
}

void HistoryView::selectEntry(qint64 id)
{
    for (int row = 0; row < m_entries.size(); ++row)
        if (m_entries[row].id == id)
            return m_table->selectRow(row);
}

void HistoryView::updateButtons()
{
    const bool any = selectedEntry().has_value();
    m_open->setEnabled(any);
    m_rerun->setEnabled(any);
    m_compare->setEnabled(any);
}

void HistoryView::compareSelected()
{
    const auto chosen = selectedEntry();
    if (!chosen || !m_history)
        return;
    // The successful runs of the same job over the same dataset, grouped by worker count.
    QMap<int, QList<double>> byWorkers;
    for (const HistoryEntry &e : m_history->entries(chosen->job, 10000))
        if (e.dataset == chosen->dataset && e.status == u"ok"_s &&
            e.request.value(u"params"_s) == chosen->request.value(u"params"_s))
            byWorkers[e.workers].append(e.durationSeconds);
    QChart *chart = m_chart->chart();
    chart->setTheme(palette().color(QPalette::Window).lightnessF() < 0.5 ? QChart::ChartThemeDark
                                                                         : QChart::ChartThemeLight);
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    auto *set = new QBarSet(tr("median duration (s)"));
    QStringList categories;
    double highest = 0;
    for (auto it = byWorkers.cbegin(); it != byWorkers.cend(); ++it) {
        const double m = median(it.value());
        *set << m;
        highest = std::max(highest, m);
        categories << tr("%1 (%n run(s))", nullptr, int(it.value().size())).arg(it.key());
    }
    auto *series = new QBarSeries;
    series->append(set);
    chart->addSeries(series);
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    x->setTitleText(tr("workers"));
    auto *y = new QValueAxis;
    y->setRange(0, highest > 0 ? highest * 1.1 : 1);
    y->setTitleText(tr("s"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    chart->setTitle(tr("%1 on %2: median duration by worker count")
                        .arg(chosen->job, chosen->dataset.isEmpty() ? tr("its range") : chosen->dataset));
    chart->legend()->hide();
}

} // namespace brigade
