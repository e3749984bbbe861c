// ErrorConsole: the error reports' widget: the tree view over ErrorModel, its filter, copy, save and retry.
#include "ui/errorconsole.h"

#include "core/run/runoutcome.h"
#include "core/store/writers.h"

#include <QAction>
#include <QClipboard>
#include <QFileDialog>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr int BatchIntervalMs = 100;

} // namespace

ErrorConsole::ErrorConsole(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"errorConsole"_s);
    setAccessibleName(tr("Error console"));

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(u"errorFilter"_s);
    m_filter->setAccessibleName(tr("Filter errors"));
    m_filter->setPlaceholderText(tr("Filter by kind, message or trace"));
    m_filter->setClearButtonEnabled(true);

    m_model = new ErrorModel(this);
    m_view = new QTreeView(this);
    m_view->setObjectName(u"errorTree"_s);
    m_view->setAccessibleName(tr("Error reports, grouped by kind and top stack frame"));
    m_view->setModel(m_model);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setUniformRowHeights(true); // 10,000 rows lay out without measuring each
    m_view->setAlternatingRowColors(true);
    m_view->header()->setStretchLastSection(true);
    m_view->header()->resizeSection(ErrorModel::KindColumn, 150);
    m_view->header()->resizeSection(ErrorModel::FrameColumn, 260);
    m_view->header()->resizeSection(ErrorModel::CountColumn, 60);
    m_view->header()->resizeSection(ErrorModel::TaskColumn, 120);
    m_view->header()->resizeSection(ErrorModel::PidColumn, 70);
    m_view->header()->resizeSection(ErrorModel::AttemptColumn, 80);
    connect(m_view, &QTreeView::expanded, this, &ErrorConsole::spanDetails);

    m_summary = new QLabel(this);
    m_summary->setObjectName(u"errorSummary"_s);
    m_copy = new QPushButton(tr("&Copy"), this);
    m_copy->setObjectName(u"errorCopyButton"_s);
    m_copy->setAccessibleName(tr("Copy error reports"));
    m_copy->setToolTip(tr("Copy the selected reports (or every shown one) with their traces"));
    m_save = new QPushButton(tr("&Save…"), this);
    m_save->setObjectName(u"errorSaveButton"_s);
    m_save->setAccessibleName(tr("Save error reports"));
    m_save->setToolTip(tr("Save every report to a text or JSON file"));
    m_retry = new QPushButton(tr("&Retry failed tasks"), this);
    m_retry->setObjectName(u"retryFailedButton"_s);
    m_retry->setAccessibleName(tr("Retry failed tasks"));
    m_retry->setToolTip(tr("Run again only the tasks the last run gave up"));
    m_retry->setEnabled(false);

    auto *top = new QHBoxLayout;
    top->addWidget(m_filter, 1);
    top->addWidget(m_summary);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_retry);
    buttons->addStretch(1);
    buttons->addWidget(m_copy);
    buttons->addWidget(m_save);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    layout->addLayout(buttons);

    auto *copy = new QAction(tr("Copy"), m_view);
    copy->setObjectName(u"copyReport"_s);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copy, &QAction::triggered, this, &ErrorConsole::copySelected);
    auto *saveAction = new QAction(tr("Save…"), m_view);
    connect(saveAction, &QAction::triggered, this, &ErrorConsole::save);
    m_view->addActions({copy, saveAction});
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *find = new QAction(tr("Filter"), this);
    find->setShortcut(QKeySequence::Find);
    find->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(find, &QAction::triggered, m_filter, [this] {
        m_filter->setFocus(Qt::ShortcutFocusReason);
        m_filter->selectAll();
    });
    addAction(find);

    m_batch = new QTimer(this);
    m_batch->setSingleShot(true);
    m_batch->setInterval(BatchIntervalMs);
    connect(m_batch, &QTimer::timeout, this, &ErrorConsole::flush);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString &text) {
        flush();
        m_model->setFilter(text);
        updateSummary();
    });
    connect(m_copy, &QPushButton::clicked, this, &ErrorConsole::copySelected);
    connect(m_save, &QPushButton::clicked, this, &ErrorConsole::save);
    connect(m_retry, &QPushButton::clicked, this, [this] {
        m_retry->setEnabled(false); // once: the retry run brings its own reports
        Q_EMIT retryRequested(m_failedRanges);
    });
    updateSummary();
}

void ErrorConsole::addReport(const ErrorReport &report)
{
    // Reports can arrive by the thousand: they reach the view in batches, a few times a second.
    m_pending.append(report);
    if (!m_batch->isActive())
        m_batch->start();
}

void ErrorConsole::flush()
{
    m_batch->stop();
    if (m_pending.isEmpty())
        return;
    m_model->append(std::exchange(m_pending, {}));
    updateSummary();
    Q_EMIT reportCountChanged(reportCount());
}

void ErrorConsole::clearReports()
{
    m_batch->stop();
    m_pending.clear();
    m_model->clear();
    m_failedRanges.clear();
    m_retry->setEnabled(false);
    updateSummary();
    Q_EMIT reportCountChanged(0);
}

void ErrorConsole::showFinished(const RunOutcome &outcome)
{
    flush();
    m_failedRanges = givenUpRanges(outcome.errors);
    m_retry->setEnabled(outcome.status == RunStatus::Failed && !m_failedRanges.isEmpty());
    m_retry->setToolTip(m_failedRanges.isEmpty() ? tr("Run again only the tasks the last run gave up")
                                                 : tr("Run again only the %n task(s) the last run gave up",
                                                      nullptr, int(m_failedRanges.size())));
    updateSummary();
}

void ErrorConsole::spanDetails(const QModelIndex &errorRow)
{
    if (ErrorModel::level(errorRow) != ErrorModel::ErrorLevel)
        return;
    // A trace line is wider than any one column.
    for (int row = 0; row < m_model->rowCount(errorRow); ++row)
        m_view->setFirstColumnSpanned(row, errorRow, true);
}

void ErrorConsole::updateSummary()
{
    const int total = int(m_model->reports().size());
    QString text = tr("%n error(s)", nullptr, total);
    if (total > 0)
        text += tr(" in %n group(s)", nullptr, m_model->rowCount());
    if (!m_model->filter().isEmpty())
        text += tr(", %1 shown").arg(m_model->shownCount());
    if (!m_failedRanges.isEmpty())
        text += tr(", %n task(s) given up", nullptr, int(m_failedRanges.size()));
    m_summary->setText(text);
    m_copy->setEnabled(m_model->shownCount() > 0);
    m_save->setEnabled(total > 0);
}

void ErrorConsole::copySelected()
{
    flush();
    QList<int> indexes;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        indexes.append(m_model->reportsOf(row));
    if (indexes.isEmpty())
        for (int group = 0; group < m_model->rowCount(); ++group)
            indexes.append(m_model->reportsOf(m_model->index(group, 0)));
    std::sort(indexes.begin(), indexes.end());
    indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
    QStringList texts;
    texts.reserve(indexes.size());
    for (int index : std::as_const(indexes))
        texts.append(reportText(m_model->reports()[index]));
    if (!texts.isEmpty())
        QGuiApplication::clipboard()->setText(texts.join(u'\n'));
}

std::optional<Failure> ErrorConsole::saveTo(const QString &path)
{
    flush();
    if (auto written = writeErrorReports(path, m_model->reports()); !written)
        return written.failure();
    return std::nullopt;
}

void ErrorConsole::save()
{
    auto *dialog = new QFileDialog(this, tr("Save error reports"), QString(),
                                   tr("Text (*.txt);;JSON, as brigade run --json (*.json)"));
    dialog->setObjectName(u"saveErrorsDialog"_s);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"txt"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString &filter) {
        dialog->setDefaultSuffix(filter.contains(u"*.json"_s) ? u"json"_s : u"txt"_s);
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        if (const auto failure = saveTo(path))
            m_summary->setText(failure->describe());
        else
            m_summary->setText(tr("Saved %n report(s) to %1", nullptr, reportCount()).arg(path));
    });
    dialog->open(); // window-modal, without a nested event loop
}

} // namespace brigade
