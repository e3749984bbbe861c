// RunQueue: the table of a RunController's queue and its buttons.
#include "ui/runqueue.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace brigade {

RunQueue::RunQueue(RunController *controller, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
{
    setObjectName(u"runQueue"_s);
    auto *layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, 4, this);
    m_table->setObjectName(u"queueTable"_s);
    m_table->setAccessibleName(tr("Run queue"));
    m_table->setHorizontalHeaderLabels({tr("Job"), tr("Dataset"), tr("State"), tr("Note")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);

    auto *buttons = new QHBoxLayout;
    m_up = new QPushButton(tr("Move up"), this);
    m_up->setObjectName(u"queueUp"_s);
    m_down = new QPushButton(tr("Move down"), this);
    m_down->setObjectName(u"queueDown"_s);
    m_remove = new QPushButton(tr("Cancel"), this);
    m_remove->setObjectName(u"queueCancel"_s);
    m_remove->setToolTip(tr("Take a queued run off the queue, or cancel the running one"));
    m_clear = new QPushButton(tr("Clear finished"), this);
    m_clear->setObjectName(u"queueClear"_s);
    for (QPushButton *b : {m_up, m_down, m_remove})
        buttons->addWidget(b);
    buttons->addStretch(1);
    buttons->addWidget(m_clear);
    layout->addLayout(buttons);

    connect(m_up, &QPushButton::clicked, this, [this] { move(selectedId(), -1); });
    connect(m_down, &QPushButton::clicked, this, [this] { move(selectedId(), +1); });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int id = selectedId();
        for (const Item &item : m_controller->queue())
            if (item.id == id && item.state == State::Running)
                return Q_EMIT cancelRequested(id);
        remove(id);
    });
    connect(m_clear, &QPushButton::clicked, m_controller, &RunController::clearFinished);
    connect(m_controller, &RunController::queueChanged, this, &RunQueue::refresh);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, [this] {
        const int id = selectedId();
        const Item *item = nullptr;
        for (const Item &i : m_controller->queue())
            if (i.id == id)
                item = &i;
        const bool queued = item && item->state == State::Queued;
        m_up->setEnabled(queued);
        m_down->setEnabled(queued);
        m_remove->setEnabled(item && (queued || item->state == State::Running));
    });
    refresh();
}

QString RunQueue::stateName(State state)
{
    switch (state) {
    case State::Queued:
        return tr("queued");
    case State::Running:
        return tr("running");
    case State::Done:
        return tr("done");
    case State::Failed:
        return tr("failed");
    case State::Cancelled:
        return tr("cancelled");
    }
    return {};
}

bool RunQueue::move(int id, int delta)
{
    if (!m_controller->move(id, delta))
        return false;
    select(id);
    return true;
}

bool RunQueue::remove(int id)
{
    return m_controller->remove(id);
}

int RunQueue::selectedId() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    const QList<Item> &items = m_controller->queue();
    if (rows.isEmpty() || rows.first().row() >= items.size())
        return 0;
    return items[rows.first().row()].id;
}

void RunQueue::select(int id)
{
    const QList<Item> &items = m_controller->queue();
    for (int row = 0; row < items.size(); ++row)
        if (items[row].id == id)
            m_table->selectRow(row);
}

void RunQueue::refresh()
{
    const QList<Item> &items = m_controller->queue();
    const int selected = selectedId();
    m_table->setRowCount(int(items.size()));
    for (int row = 0; row < items.size(); ++row) {
        const Item &item = items[row];
        const DatasetSource &in = item.request.input;
        const QString dataset = !in.path.isEmpty()     ? QFileInfo(in.path).fileName()
                                : in.generatedRows > 0 ? tr("generated, %1 rows").arg(in.generatedRows)
                                                       : QString();
        const QStringList cells{item.request.job, dataset, stateName(item.state), item.note};
        for (int c = 0; c < cells.size(); ++c) {
            auto *cell = new QTableWidgetItem(cells[c]);
            if (c == 1)
                cell->setToolTip(in.path);
            m_table->setItem(row, c, cell);
        }
    }
    if (selected)
        select(selected);
    m_clear->setEnabled(std::any_of(items.cbegin(), items.cend(), [](const Item &i) {
        return i.state != State::Queued && i.state != State::Running;
    }));
    Q_EMIT changed();
}

} // namespace brigade
