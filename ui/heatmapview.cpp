// HeatmapView: custom-painted so that thousands of cells cost one paint and no scene items.
#include "ui/heatmapview.h"

#include <QHelpEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr int Margin = 8;
constexpr int LegendBar = 14;
constexpr int MaxCell = 96;
constexpr int MaxLabel = 160;
constexpr int MaxHeader = 90;

// ColorBrewer's RdBu ends around a near-white middle: readable in light and dark palettes alike.
const QColor Negative(33, 102, 172);
const QColor Middle(247, 247, 247);
const QColor Positive(178, 24, 43);

QColor mix(const QColor &a, const QColor &b, double t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

bool isDark(const QColor &c)
{
    return 0.299 * c.redF() + 0.587 * c.greenF() + 0.114 * c.blueF() < 0.55;
}

} // namespace

HeatmapView::HeatmapView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"resultHeatmap"_s);
    setAccessibleName(tr("Correlation heatmap"));
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void HeatmapView::setMatrix(const QStringList &names, std::vector<double> values, double limit)
{
    m_names = names;
    m_values = std::move(values);
    m_values.resize(size_t(m_names.size()) * size_t(m_names.size()),
                    std::numeric_limits<double>::quiet_NaN());
    if (limit <= 0) {
        limit = 0;
        for (double v : m_values)
            if (std::isfinite(v))
                limit = std::max(limit, std::abs(v));
        if (limit == 0)
            limit = 1;
    }
    m_limit = limit;
    updateGeometry();
    update();
}

void HeatmapView::clear()
{
    setMatrix({}, {});
}

QColor HeatmapView::colorOf(double value) const
{
    if (!std::isfinite(value))
        return palette().color(QPalette::Mid);
    const double t = std::clamp(value / m_limit, -1.0, 1.0);
    return t < 0 ? mix(Middle, Negative, -t) : mix(Middle, Positive, t);
}

QString HeatmapView::valueText(double value, int precision) const
{
    if (!std::isfinite(value))
        return u"–"_s;
    const double scale = std::abs(m_limit);
    // A correlation reads best with fixed decimals; a covariance of any magnitude with significant digits.
    if (scale <= 1.0)
        return QString::number(value, 'f', precision).replace(u'-', u'−');
    return QString::number(value, 'g', precision + 1).replace(u'-', u'−');
}

HeatmapView::Layout HeatmapView::layout() const
{
    Layout l;
    const int n = size();
    if (n == 0)
        return l;
    const QFontMetrics fm = fontMetrics();
    for (const QString &name : m_names)
        l.labelWidth = std::max(l.labelWidth, fm.horizontalAdvance(name));
    l.labelWidth = std::min(l.labelWidth + 2, MaxLabel) + Margin;
    const int legendWidth =
        LegendBar + Margin +
        std::max(fm.horizontalAdvance(valueText(-m_limit, 2)), fm.horizontalAdvance(u"0"_s));
    const int wide = width() - l.labelWidth - legendWidth - 3 * Margin;
    l.header = fm.height(); // column names above the grid, horizontal when they fit
    l.cell = std::clamp(std::min(wide, height() - l.header - 3 * Margin) / n, 2, MaxCell);
    if (l.labelWidth - Margin > l.cell) { // too wide: stand the column names on end, elided if long
        l.header = std::min(l.labelWidth - Margin, MaxHeader);
        l.cell = std::clamp(std::min(wide, height() - l.header - 3 * Margin) / n, 2, MaxCell);
    }
    const int spare = std::max(0, wide - l.cell * n) / 2; // centred in the width left over
    l.grid = QRect(Margin + l.labelWidth + spare, 2 * Margin + l.header, l.cell * n, l.cell * n);
    l.legend = QRect(l.grid.right() + 2 * Margin, l.grid.top(), LegendBar, l.grid.height());
    return l;
}

QRect HeatmapView::cellRect(int row, int column) const
{
    const Layout l = layout();
    return QRect(l.grid.left() + column * l.cell, l.grid.top() + row * l.cell, l.cell, l.cell);
}

QPoint HeatmapView::cellAt(const QPoint &position) const
{
    const Layout l = layout();
    if (l.cell == 0 || !l.grid.contains(position))
        return {-1, -1};
    return {(position.x() - l.grid.left()) / l.cell, (position.y() - l.grid.top()) / l.cell};
}

QSize HeatmapView::sizeHint() const
{
    const int n = std::max(size(), 3);
    const int side = std::min(n * 56, 640) + MaxLabel;
    return {side + 80, side};
}

QSize HeatmapView::minimumSizeHint() const
{
    return {160, 120};
}

void HeatmapView::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.fillRect(rect(), palette().color(QPalette::Base));
    const int n = size();
    if (n == 0)
        return;
    const Layout l = layout();
    const QFontMetrics fm = fontMetrics();
    const QColor text = palette().color(QPalette::Text);

    // Cells, with their values when the text fits.
    const int precision = 2;
    const bool labels =
        l.cell >= fm.horizontalAdvance(valueText(-m_limit, precision)) + 6 && l.cell >= fm.height() + 2;
    for (int i = 0; i < n; ++i) {
        for (int j = 0; j < n; ++j) {
            const QRect r(l.grid.left() + j * l.cell, l.grid.top() + i * l.cell, l.cell, l.cell);
            const QColor fill = colorOf(value(i, j));
            painter.fillRect(r, fill);
            if (labels) {
                painter.setPen(isDark(fill) ? Qt::white : Qt::black);
                painter.drawText(r, Qt::AlignCenter, valueText(value(i, j), precision));
            }
        }
    }
    if (l.cell >= 6) { // thin separators keep neighbouring equal cells apart
        painter.setPen(QPen(palette().color(QPalette::Base), 1));
        for (int k = 1; k < n; ++k) {
            painter.drawLine(l.grid.left() + k * l.cell, l.grid.top(), l.grid.left() + k * l.cell,
                             l.grid.bottom());
            painter.drawLine(l.grid.left(), l.grid.top() + k * l.cell, l.grid.right(),
                             l.grid.top() + k * l.cell);
        }
    }

    // Names: rows on the left, columns on top (on end when wider than a cell).
    painter.setPen(text);
    const int nameWidth = l.labelWidth - Margin;
    const bool upright = l.header > fm.height();
    if (l.cell >= fm.height() - 2) { // names of smaller cells would overlap: the tooltips name them
        for (int k = 0; k < n; ++k) {
            const QRect row(Margin, l.grid.top() + k * l.cell, l.grid.left() - 2 * Margin, l.cell);
            painter.drawText(row, Qt::AlignRight | Qt::AlignVCenter,
                             fm.elidedText(m_names[k], Qt::ElideRight, nameWidth));
            if (upright) {
                painter.save();
                painter.translate(l.grid.left() + k * l.cell + l.cell / 2, l.grid.top() - Margin / 2);
                painter.rotate(-90);
                painter.drawText(QRect(0, -fm.height() / 2, l.header, fm.height()),
                                 Qt::AlignLeft | Qt::AlignVCenter,
                                 fm.elidedText(m_names[k], Qt::ElideRight, l.header));
                painter.restore();
            } else {
                const QRect column(l.grid.left() + k * l.cell, l.grid.top() - fm.height() - Margin / 2,
                                   l.cell, fm.height());
                painter.drawText(column, Qt::AlignCenter, m_names[k]);
            }
        }
    }

    // The colour scale: +limit at the top, 0 in the middle, -limit at the bottom.
    const QRect bar = l.legend;
    for (int y = 0; y < bar.height(); ++y) {
        const double v = m_limit * (1.0 - 2.0 * (y + 0.5) / bar.height());
        painter.fillRect(QRect(bar.left(), bar.top() + y, bar.width(), 1), colorOf(v));
    }
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(bar.adjusted(0, 0, -1, -1));
    painter.setPen(text);
    const int x = bar.right() + Margin / 2;
    painter.drawText(QPoint(x, bar.top() + fm.ascent()), valueText(m_limit, precision));
    painter.drawText(QPoint(x, bar.center().y() + fm.ascent() / 2), u"0"_s);
    painter.drawText(QPoint(x, bar.bottom()), valueText(-m_limit, precision));
}

bool HeatmapView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const QPoint cell = cellAt(help->pos());
        if (cell.x() >= 0) {
            const double v = value(cell.y(), cell.x());
            QToolTip::showText(
                help->globalPos(),
                u"%1 × %2: %3"_s.arg(m_names[cell.y()], m_names[cell.x()],
                                     std::isfinite(v) ? QString::number(v, 'g', 12) : tr("missing")),
                this, cellRect(cell.y(), cell.x()));
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace brigade
