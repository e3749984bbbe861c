// LogView: the Log tab. Every line a worker writes to stderr, tagged with the worker's pid, kept for the
// latest lines of the runs of this window, with a filter (text or pid), Clear and Save.
#pragma once

#include "core/base/result.h"

#include <QDateTime>
#include <QWidget>

#include <deque>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTimer;

namespace brigade {

class LogView : public QWidget
{
    Q_OBJECT

public:
    explicit LogView(QWidget *parent = nullptr);

    static constexpr qsizetype MaxLines = 20000; // older lines are dropped (the CLI's --log keeps them all)
    static constexpr int FlushIntervalMs = 100;  // lines arriving faster are shown together

    qsizetype lineCount() const { return qsizetype(m_lines.size()); }
    // The lines as shown (after the filter), one per line.
    QString visibleText() const;
    Result<void> saveTo(const QString &path) const;

public Q_SLOTS:
    // A line from a worker's stderr.
    void addLine(qint64 pid, const QString &line);
    // A line of Brigade's own, between runs ("run 3: stats started").
    void addMarker(const QString &text);
    void setFilter(const QString &text);
    void clear();

Q_SIGNALS:
    void lineCountChanged(qsizetype count);

private:
    struct Line {
        QDateTime at;
        qint64 pid = 0; // 0: a marker of Brigade's own
        QString text;
    };
    void append(Line line);
    bool matches(const Line &line) const;
    QString render(const Line &line) const;
    void flush();
    void rerender();
    void save();

    std::deque<Line> m_lines;
    qsizetype m_pending = 0; // lines at the end of m_lines not yet shown
    QString m_filter;
    QLineEdit *m_filterEdit = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_save = nullptr;
    QTimer *m_flush = nullptr;
};

} // namespace brigade
