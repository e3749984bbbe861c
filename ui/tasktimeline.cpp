// TaskTimeline: keeps the spans per lane, sorted by start, and paints them coalesced to whole pixels, so
// a run of tens of thousands of tasks costs a walk over them and a few hundred rectangles per lane.
#include "ui/tasktimeline.h"

#include <QHelpEvent>
#include <QPainter>
#include <QTimer>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr int MaxLanes = 4096;
constexpr qsizetype MaxSpans = 2'000'000; // 128 MiB of spans; later ones are counted, not kept
constexpr double MinDistinctPx = 3.0;     // bars narrower than this merge with their neighbours

QColor failedColor()
{
    return QColor(0xd6, 0x27, 0x28);
}

QString seconds(double ms)
{
    if (ms < 10000)
        return u"%1 s"_s.arg(ms / 1000.0, 0, 'f', ms < 1000 ? 2 : 1);
    const qint64 s = qint64(ms / 1000.0 + 0.5);
    if (s < 60)
        return u"%1 s"_s.arg(s);
    return u"%1:%2"_s.arg(s / 60).arg(s % 60, 2, 10, QChar(u'0'));
}

// An axis step of 1, 2 or 5 times a power of ten, giving ticks at least minPx apart.
double tickStepMs(double pxPerMs, double minPx)
{
    const double raw = minPx / std::max(pxPerMs, 1e-12);
    const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-3))));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw)
            return m * magnitude;
    return 10 * magnitude;
}

} // namespace

TaskTimeline::TaskTimeline(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"taskTimeline"_s);
    setAccessibleName(tr("Task timeline"));
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred); // lanes high enough to read, no more
    m_repaintTimer = new QTimer(this);
    m_repaintTimer->setSingleShot(true);
    connect(m_repaintTimer, &QTimer::timeout, this, qOverload<>(&QWidget::update));
    m_tick = new QTimer(this);
    m_tick->setInterval(IdleTickMs);
    connect(m_tick, &QTimer::timeout, this, [this] {
        if (m_sinceSnapshot.elapsed() >= IdleTickMs) // snapshots repaint by themselves
            requestRepaint();
    });
}

void TaskTimeline::reset()
{
    m_lanes.clear();
    m_running.clear();
    m_ended = m_failed = 0;
    m_dropped = 0;
    m_nowMs = m_lastEndMs = 0;
    m_live = false;
    m_tick->stop();
    updateGeometry();
    requestRepaint();
}

qsizetype TaskTimeline::laneSpanCount(int lane) const
{
    if (lane < 0 || lane >= laneCount())
        return 0;
    return qsizetype(m_lanes[size_t(lane)].done.size() + m_lanes[size_t(lane)].failed.size());
}

qint64 TaskTimeline::nowMs() const
{
    if (m_live && !m_running.isEmpty() && m_sinceSnapshot.isValid())
        return m_nowMs + m_sinceSnapshot.elapsed();
    return m_nowMs;
}

qint64 TaskTimeline::spanMs() const
{
    qint64 ms = std::max<qint64>({nowMs(), m_lastEndMs, 1});
    for (const TaskSpan &s : m_running)
        ms = std::max(ms, s.endMs);
    return ms;
}

void TaskTimeline::ensureLanes(int count)
{
    count = std::min(count, MaxLanes);
    if (count <= laneCount())
        return;
    m_lanes.resize(size_t(count));
    updateGeometry();
}

void TaskTimeline::append(const TaskSpan &span)
{
    if (span.slot < 0 || span.slot >= MaxLanes)
        return;
    if (m_ended >= MaxSpans) {
        m_dropped += 1;
        return;
    }
    ensureLanes(span.slot + 1);
    Lane &lane = m_lanes[size_t(span.slot)];
    std::vector<TaskSpan> &spans = span.failed ? lane.failed : lane.done;
    // A worker runs one task at a time, so spans arrive in start order; an exception is put in place.
    if (spans.empty() || spans.back().startMs <= span.startMs)
        spans.push_back(span);
    else
        spans.insert(std::upper_bound(spans.begin(), spans.end(), span.startMs,
                                      [](qint64 t, const TaskSpan &s) { return t < s.startMs; }),
                     span);
    m_ended += 1;
    if (span.failed)
        m_failed += 1;
    m_lastEndMs = std::max(m_lastEndMs, span.endMs);
}

void TaskTimeline::addSnapshot(const ProgressSnapshot &snapshot)
{
    m_live = true;
    ensureLanes(int(snapshot.workers.size()));
    for (const TaskSpan &span : snapshot.endedSpans)
        append(span);
    m_running = snapshot.runningSpans;
    m_dropped += snapshot.spansDropped;
    m_nowMs = std::max(m_nowMs, qint64(snapshot.elapsedSeconds * 1000.0));
    m_sinceSnapshot.start();
    if (m_running.isEmpty())
        m_tick->stop();
    else if (!m_tick->isActive())
        m_tick->start();
    requestRepaint();
}

void TaskTimeline::addSpans(const QList<TaskSpan> &spans, qint64 nowMs)
{
    for (const TaskSpan &span : spans)
        append(span);
    if (nowMs >= 0)
        m_nowMs = std::max(m_nowMs, nowMs);
    requestRepaint();
}

void TaskTimeline::finish()
{
    m_live = false;
    m_tick->stop();
    requestRepaint();
}

void TaskTimeline::requestRepaint()
{
    if (m_repaintTimer->isActive())
        return; // a repaint is already due
    const qint64 since = m_sinceRepaint.isValid() ? m_sinceRepaint.elapsed() : MinRepaintIntervalMs;
    if (since >= MinRepaintIntervalMs)
        update();
    else
        m_repaintTimer->start(int(MinRepaintIntervalMs - since));
}

QSize TaskTimeline::sizeHint() const
{
    const int axis = fontMetrics().height() + 8;
    return {480, axis + 4 + std::max(laneCount(), 2) * 16};
}

QSize TaskTimeline::minimumSizeHint() const
{
    const int axis = fontMetrics().height() + 8;
    return {160, axis + 4 + std::clamp(laneCount(), 2, 16) * 5};
}

TaskTimeline::Geometry TaskTimeline::geometry() const
{
    const QFontMetrics metrics = fontMetrics();
    const double left = metrics.horizontalAdvance(u"W%1"_s.arg(std::max(laneCount(), 9))) + 8;
    const double axis = metrics.height() + 8;
    Geometry g;
    g.plot = QRectF(left, 2, std::max(1.0, width() - left - 8), std::max(1.0, height() - axis - 2));
    g.laneHeight = g.plot.height() / std::max(laneCount(), 1);
    g.pxPerMs = g.plot.width() / double(spanMs());
    return g;
}

void TaskTimeline::paintLane(QPainter &painter, const Geometry &g, const std::vector<TaskSpan> &spans,
                             double top, double height, std::vector<QRectF> &rects) const
{
    rects.clear();
    const double left = g.plot.left();
    double x0 = 0, x1 = 0;
    bool open = false;
    const auto flush = [&] {
        double w = x1 - x0;
        if (w >= MinDistinctPx)
            w -= 1; // a pixel of air between bars wide enough to tell apart
        rects.emplace_back(x0, top, std::max(w, 1.0), height);
    };
    for (size_t i = 0; i < spans.size(); ++i) {
        const TaskSpan &s = spans[i];
        const double a = left + double(s.startMs) * g.pxPerMs;
        const double b = left + double(s.endMs) * g.pxPerMs;
        // Touching the bar being built, and one of the two too narrow to show apart: one bar.
        if (open && a < x1 + 1.0 && (b - a < MinDistinctPx || x1 - x0 < MinDistinctPx)) {
            x1 = std::max(x1, b);
        } else {
            if (open)
                flush();
            x0 = a;
            x1 = b;
            open = true;
        }
        // Dense: a worker runs one task at a time, so of the spans starting in this pixel column only the
        // last one can reach past it. Jumping to it makes a paint cost per pixel, not per task.
        if (b - a < 1.0) {
            const double columnEndMs = (std::floor(a) + 1.0 - left) / g.pxPerMs;
            const auto before = [columnEndMs](const TaskSpan &t) { return double(t.startMs) < columnEndMs; };
            // Galloping, then binary: the next column is near, and a near search stays in the cache.
            size_t low = i + 1, step = 1;
            while (low + step < spans.size() && before(spans[low + step])) {
                low += step;
                step *= 2;
            }
            const auto from = spans.begin() + qsizetype(low);
            const auto to = spans.begin() + qsizetype(std::min(low + step, spans.size()));
            const auto next = std::partition_point(from, to, before);
            const size_t last = size_t(next - spans.begin()) - 1; // the last span starting in this column
            if (last > i + 1)
                i = last - 1; // the loop goes on with spans[last]
        }
    }
    if (open)
        flush();
    if (!rects.empty())
        painter.drawRects(rects.data(), int(rects.size()));
}

void TaskTimeline::paintEvent(QPaintEvent *)
{
    m_sinceRepaint.start();
    QPainter painter(this);
    const QPalette &pal = palette();
    painter.fillRect(rect(), pal.color(QPalette::Base));
    const Geometry g = geometry();
    const int lanes = laneCount();
    const QFontMetrics metrics = fontMetrics();

    if (lanes == 0) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter,
                         tr("The task timeline shows each worker's tasks during a run"));
        return;
    }

    // Lanes: alternating background and a label each, when there is room for one.
    painter.setPen(pal.color(QPalette::Text));
    for (int i = 0; i < lanes; ++i) {
        const QRectF lane(g.plot.left(), g.plot.top() + i * g.laneHeight, g.plot.width(), g.laneHeight);
        if (i % 2 == 1)
            painter.fillRect(lane, pal.color(QPalette::AlternateBase));
        if (g.laneHeight >= metrics.height() * 0.8 ||
            i % std::max(1, int(metrics.height() / g.laneHeight) + 1) == 0)
            painter.drawText(
                QRectF(0, lane.top(), g.plot.left() - 4, std::max(lane.height(), 1.0 * metrics.height())),
                Qt::AlignRight | Qt::AlignTop, u"W%1"_s.arg(i + 1));
    }

    // The time axis: ticks at 1, 2 or 5 times a power of ten, labelled in seconds.
    const double axisY = g.plot.bottom() + 1;
    painter.setPen(pal.color(QPalette::Mid));
    painter.drawLine(QPointF(g.plot.left(), axisY), QPointF(g.plot.right(), axisY));
    const double step = tickStepMs(g.pxPerMs, metrics.horizontalAdvance(u"00:00 s"_s) + 12);
    painter.setPen(pal.color(QPalette::Text));
    for (double t = 0; t <= double(spanMs()) + 1e-9; t += step) {
        const double x = g.plot.left() + t * g.pxPerMs;
        painter.drawLine(QPointF(x, axisY), QPointF(x, axisY + 3));
        // Steps under 10 ms are labelled in milliseconds: seconds would round them all to "0.00 s".
        const QString label = step < 10 ? u"%1 ms"_s.arg(t, 0, 'f', step < 1 ? 1 : 0) : seconds(t);
        const double w = metrics.horizontalAdvance(label);
        painter.drawText(QPointF(std::min(x - w / 2, double(width()) - w - 1), axisY + 3 + metrics.ascent()),
                         label);
    }

    // Bars: done, then failed on top, then running, each lane coalesced to whole pixels.
    const double pad = g.laneHeight >= 6 ? 1 : 0;
    const double barHeight = std::max(1.0, g.laneHeight - 2 * pad);
    std::vector<QRectF> scratch;
    scratch.reserve(size_t(std::max(64.0, g.plot.width())));
    const QColor done = pal.color(QPalette::Highlight);
    painter.setPen(Qt::NoPen);
    painter.setBrush(done);
    for (int i = 0; i < lanes; ++i)
        paintLane(painter, g, m_lanes[size_t(i)].done, g.plot.top() + i * g.laneHeight + pad, barHeight,
                  scratch);
    painter.setBrush(failedColor());
    for (int i = 0; i < lanes; ++i)
        paintLane(painter, g, m_lanes[size_t(i)].failed, g.plot.top() + i * g.laneHeight + pad, barHeight,
                  scratch);
    QColor running = done;
    running.setAlpha(110);
    painter.setBrush(running);
    painter.setPen(done);
    const qint64 now = nowMs();
    for (const TaskSpan &s : std::as_const(m_running)) {
        if (s.slot < 0 || s.slot >= lanes)
            continue;
        const double x0 = g.plot.left() + double(s.startMs) * g.pxPerMs;
        const qint64 end = std::max(s.endMs, now); // still running: up to now
        const double w = std::max(1.0, double(end - s.startMs) * g.pxPerMs - 1);
        painter.drawRect(QRectF(x0, g.plot.top() + s.slot * g.laneHeight + pad, w, barHeight - 1));
    }

    if (m_dropped > 0) {
        painter.setPen(pal.color(QPalette::Text));
        painter.drawText(rect().adjusted(0, 0, -8, 0), Qt::AlignRight | Qt::AlignTop,
                         tr("%n task(s) not shown", nullptr,
                            int(std::min<qint64>(m_dropped, std::numeric_limits<int>::max()))));
    }
}

std::optional<TaskSpan> TaskTimeline::spanAt(QPoint pos) const
{
    const Geometry g = geometry();
    if (laneCount() == 0 || !g.plot.contains(pos))
        return std::nullopt;
    const int lane = std::clamp(int((pos.y() - g.plot.top()) / g.laneHeight), 0, laneCount() - 1);
    const double t = (pos.x() - g.plot.left()) / g.pxPerMs;
    const double tolerance = 2.0 / g.pxPerMs; // two pixels either side
    const qint64 now = nowMs();
    for (TaskSpan s : m_running) {
        s.endMs = std::max(s.endMs, now);
        if (s.slot == lane && double(s.startMs) <= t + tolerance && double(s.endMs) >= t - tolerance)
            return s;
    }
    // The nearest span among the few starting just before t: spans of a lane barely overlap.
    const auto nearest = [&](const std::vector<TaskSpan> &spans) -> std::optional<TaskSpan> {
        auto it = std::upper_bound(spans.begin(), spans.end(), t + tolerance,
                                   [](double x, const TaskSpan &s) { return x < double(s.startMs); });
        std::optional<TaskSpan> best;
        double bestDistance = std::numeric_limits<double>::max();
        for (int k = 0; k < 4 && it != spans.begin(); ++k) {
            --it;
            if (double(it->endMs) < t - tolerance)
                continue;
            const double distance =
                t < double(it->startMs) ? double(it->startMs) - t : std::max(0.0, t - double(it->endMs));
            if (distance < bestDistance) {
                bestDistance = distance;
                best = *it;
            }
        }
        return best;
    };
    const Lane &l = m_lanes[size_t(lane)];
    if (auto failed = nearest(l.failed))
        return failed;
    return nearest(l.done);
}

QString TaskTimeline::describe(const TaskSpan &span, bool running)
{
    QString text = tr("Task %1 · items %2–%3 · %4")
                       .arg(span.taskId)
                       .arg(span.begin + 1)
                       .arg(span.end)
                       .arg(seconds(double(span.endMs - span.startMs)));
    text += tr(" (%1 to %2)").arg(seconds(double(span.startMs)), seconds(double(span.endMs)));
    text += tr(" · worker %1").arg(span.slot + 1);
    if (span.pid > 0)
        text += tr(", pid %1").arg(span.pid);
    if (span.failed)
        text += tr(" · failed");
    else if (running)
        text += tr(" · running");
    return text;
}

bool TaskTimeline::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        if (const std::optional<TaskSpan> span = spanAt(help->pos())) {
            const bool running = std::any_of(m_running.begin(), m_running.end(), [&](const TaskSpan &s) {
                return s.slot == span->slot && s.taskId == span->taskId;
            });
            QToolTip::showText(help->globalPos(), describe(*span, running && m_live), this);
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    return QWidget::event(event);
}

} // namespace brigade
