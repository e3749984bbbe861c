// SegmentPanel: the shared-memory segments of this user's runs, live and left over, refreshed while shown.
#include "ui/segmentpanel.h"

#include "core/engine/datasets.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace brigade {

SegmentPanel::SegmentPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"segmentPanel"_s);
    auto *layout = new QVBoxLayout(this);
    m_summary = new QLabel(this);
    m_summary->setObjectName(u"segmentSummary"_s);
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);
    m_table = new QTableWidget(0, 5, this);
    m_table->setObjectName(u"segmentTable"_s);
    m_table->setAccessibleName(tr("Shared-memory segments"));
    m_table->setHorizontalHeaderLabels({tr("Key"), tr("Size"), tr("Owner pid"), tr("Attached"), tr("State")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    layout->addWidget(m_table, 1);
    auto *buttons = new QHBoxLayout;
    m_cleanUp = new QPushButton(tr("Remove leftovers"), this);
    m_cleanUp->setObjectName(u"segmentCleanUp"_s);
    m_cleanUp->setToolTip(tr("Remove the segments of Brigade processes that no longer exist"));
    connect(m_cleanUp, &QPushButton::clicked, this, &SegmentPanel::cleanUp);
    buttons->addStretch(1);
    buttons->addWidget(m_cleanUp);
    layout->addLayout(buttons);
    // Live while visible: segments come and go with runs.
    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &SegmentPanel::refresh);
    refresh();
}

int SegmentPanel::rowCount() const
{
    return m_table->rowCount();
}

void SegmentPanel::refresh()
{
    const QList<datasets::Segment> segments = datasets::sharedSegments();
    const QLocale locale;
    m_table->setRowCount(int(segments.size()));
    qint64 liveBytes = 0;
    qint64 leftoverBytes = 0;
    int leftovers = 0;
    for (int row = 0; row < segments.size(); ++row) {
        const datasets::Segment &s = segments[row];
        const qint64 bytes = std::max<qint64>(s.bytes, 0);
        (s.ownerAlive ? liveBytes : leftoverBytes) += bytes;
        leftovers += s.ownerAlive ? 0 : 1;
        const QStringList cells{QFileInfo(s.key).fileName(),
                                s.bytes >= 0 ? locale.formattedDataSize(s.bytes) : tr("key file only"),
                                QString::number(s.ownerPid),
                                s.attached >= 0 ? QString::number(s.attached) : u"-"_s,
                                s.ownerAlive ? tr("live") : tr("leftover: owner gone")};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            item->setToolTip(s.key);
            if (!s.ownerAlive)
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            m_table->setItem(row, c, item);
        }
    }
    m_summary->setText(tr("%1 live segment(s), %2; %3 leftover(s) of dead runs, %4")
                           .arg(segments.size() - leftovers)
                           .arg(locale.formattedDataSize(liveBytes))
                           .arg(leftovers)
                           .arg(locale.formattedDataSize(leftoverBytes)));
    m_cleanUp->setEnabled(leftovers > 0);
}

void SegmentPanel::cleanUp()
{
    datasets::reclaimLeftoverSegments();
    refresh();
}

void SegmentPanel::showEvent(QShowEvent *event)
{
    refresh();
    m_timer->start();
    QWidget::showEvent(event);
}

void SegmentPanel::hideEvent(QHideEvent *event)
{
    m_timer->stop();
    QWidget::hideEvent(event);
}

} // namespace brigade
