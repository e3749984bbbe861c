#include "ui/logview.h"

#include "core/store/writers.h"

#include <QFileDialog>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace brigade {

LogView::LogView(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    m_filterEdit = new QLineEdit(this);
    m_filterEdit->setObjectName(u"logFilter"_s);
    m_filterEdit->setPlaceholderText(tr("Filter: text or a worker's pid"));
    m_filterEdit->setClearButtonEnabled(true);
    connect(m_filterEdit, &QLineEdit::textChanged, this, &LogView::setFilter);
    bar->addWidget(m_filterEdit, 1);
    m_summary = new QLabel(tr("No worker has written to stderr"), this);
    m_summary->setObjectName(u"logSummary"_s);
    bar->addWidget(m_summary);
    auto *clearButton = new QPushButton(tr("Clear"), this);
    clearButton->setObjectName(u"logClear"_s);
    connect(clearButton, &QPushButton::clicked, this, &LogView::clear);
    bar->addWidget(clearButton);
    m_save = new QPushButton(tr("Save…"), this);
    m_save->setObjectName(u"logSave"_s);
    m_save->setEnabled(false);
    connect(m_save, &QPushButton::clicked, this, &LogView::save);
    bar->addWidget(m_save);
    layout->addLayout(bar);

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(u"logText"_s);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(int(MaxLines));
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_text, 1);

    m_flush = new QTimer(this);
    m_flush->setSingleShot(true);
    m_flush->setInterval(FlushIntervalMs);
    connect(m_flush, &QTimer::timeout, this, &LogView::flush);
}

void LogView::addLine(qint64 pid, const QString &line)
{
    append({QDateTime::currentDateTime(), pid, line});
}

void LogView::addMarker(const QString &text)
{
    append({QDateTime::currentDateTime(), 0, text});
}

void LogView::append(Line line)
{
    m_lines.push_back(std::move(line));
    ++m_pending;
    while (qsizetype(m_lines.size()) > MaxLines) {
        m_lines.pop_front();
        m_pending = std::min(m_pending, qsizetype(m_lines.size()));
    }
    if (!m_flush->isActive())
        m_flush->start();
}

bool LogView::matches(const Line &line) const
{
    if (m_filter.isEmpty() || line.pid == 0)
        return true; // markers stay, so that a filtered log still shows where each run starts
    bool isNumber = false;
    const qint64 pid = m_filter.toLongLong(&isNumber);
    if (isNumber && pid == line.pid)
        return true;
    return line.text.contains(m_filter, Qt::CaseInsensitive);
}

QString LogView::render(const Line &line) const
{
    const QString time = line.at.toString(u"HH:mm:ss.zzz"_s);
    if (line.pid == 0)
        return u"%1 ── %2"_s.arg(time, line.text);
    return u"%1 [%2] %3"_s.arg(time).arg(line.pid, 7).arg(line.text);
}

void LogView::flush()
{
    const bool atEnd = m_text->verticalScrollBar()->value() == m_text->verticalScrollBar()->maximum();
    QStringList shown;
    for (auto it = m_lines.end() - m_pending; it != m_lines.end(); ++it)
        if (matches(*it))
            shown << render(*it);
    m_pending = 0;
    if (!shown.isEmpty())
        m_text->appendPlainText(shown.join(u'\n'));
    if (atEnd) // follow the tail unless the user scrolled up to read
        m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
    const qsizetype workerLines =
        std::count_if(m_lines.begin(), m_lines.end(), [](const Line &l) { return l.pid != 0; });
    m_summary->setText(workerLines == 0 ? tr("No worker has written to stderr")
                                        : tr("%n line(s)", nullptr, int(workerLines)));
    m_save->setEnabled(!m_lines.empty());
    Q_EMIT lineCountChanged(workerLines);
}

void LogView::rerender()
{
    m_pending = qsizetype(m_lines.size());
    m_text->clear();
    flush();
}

void LogView::setFilter(const QString &text)
{
    if (m_filterEdit->text() != text)
        m_filterEdit->setText(text); // calls back here
    if (m_filter == text.trimmed())
        return;
    m_filter = text.trimmed();
    rerender();
}

void LogView::clear()
{
    m_lines.clear();
    rerender();
}

QString LogView::visibleText() const
{
    return m_text->toPlainText();
}

Result<void> LogView::saveTo(const QString &path) const
{
    QString text;
    for (const Line &line : m_lines)
        if (matches(line))
            text += render(line) + u'\n';
    return writeText(path, text); // atomic, and a failure says the system's reason
}

void LogView::save()
{
    flush();
    auto *dialog = new QFileDialog(this, tr("Save the log"), QString(), tr("Text (*.txt *.log)"));
    dialog->setObjectName(u"saveLogDialog"_s);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"log"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        if (const auto saved = saveTo(path); !saved)
            m_summary->setText(saved.failure().describe());
        else
            m_summary->setText(tr("Saved to %1").arg(path));
    });
    dialog->open();
}

} // namespace brigade
