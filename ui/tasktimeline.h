// TaskTimeline: Dask's task stream for a Brigade run — one lane per worker slot, one bar per task.
#pragma once

#include "core/run/progress.h"

#include <QElapsedTimer>
#include <QWidget>

#include <optional>
#include <vector>

class QTimer;

namespace brigade {

class TaskTimeline : public QWidget
{
    Q_OBJECT

public:
    explicit TaskTimeline(QWidget *parent = nullptr);

    // Repaints come at most this often, however fast snapshots arrive.
    static constexpr int MinRepaintIntervalMs = 33;
    // Without snapshots (a task that reports nothing, a hung worker) running bars still grow this often.
    static constexpr int IdleTickMs = 100;

    qsizetype endedCount() const { return m_ended; }
    qsizetype failedCount() const { return m_failed; }
    qsizetype runningCount() const { return m_running.size(); }
    int laneCount() const { return int(m_lanes.size()); }
    // Ended spans in one lane (worker slot), done and failed.
    qsizetype laneSpanCount(int lane) const;
    qint64 spanMs() const; // the time the axis covers
    // The run's time now: the last snapshot's, moved on by the time since it while tasks are running.
    qint64 nowMs() const;
    // The span drawn under a point of the widget (a failed or running one before a done one).
    std::optional<TaskSpan> spanAt(QPoint pos) const;
    static QString describe(const TaskSpan &span, bool running);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void reset();
    // Keeps the snapshot's ended spans, replaces the running ones and moves "now" on.
    void addSnapshot(const brigade::ProgressSnapshot &snapshot);
    // Adds ended spans directly (a history, a benchmark); nowMs < 0 leaves "now" as it is.
    void addSpans(const QList<brigade::TaskSpan> &spans, qint64 nowMs = -1);
    // The run is over: running spans stay as they were last seen.
    void finish();

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Lane {
        std::vector<TaskSpan> done;   // sorted by startMs
        std::vector<TaskSpan> failed; // sorted by startMs
    };
    struct Geometry {
        QRectF plot;
        double laneHeight = 0;
        double pxPerMs = 0;
    };

    void ensureLanes(int count);
    void append(const TaskSpan &span);
    void requestRepaint();
    Geometry geometry() const;
    void paintLane(QPainter &painter, const Geometry &g, const std::vector<TaskSpan> &spans, double top,
                   double height, std::vector<QRectF> &scratch) const;

    std::vector<Lane> m_lanes;
    QList<TaskSpan> m_running;
    qsizetype m_ended = 0;
    qsizetype m_failed = 0;
    qint64 m_dropped = 0;
    qint64 m_nowMs = 0;
    qint64 m_lastEndMs = 0;
    bool m_live = false;
    QTimer *m_repaintTimer = nullptr;
    QTimer *m_tick = nullptr;
    QElapsedTimer m_sinceRepaint;
    QElapsedTimer m_sinceSnapshot;
};

} // namespace brigade
