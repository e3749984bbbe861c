// HistoryView: the runs of the history database, newest first; open, re-run, and compare worker counts.
#pragma once

#include "core/store/history.h"

#include <QWidget>

#include <memory>

class QChartView;
class QLabel;
class QPushButton;
class QTableWidget;

namespace brigade {

class HistoryView : public QWidget
{
    Q_OBJECT

public:
    explicit HistoryView(QWidget *parent = nullptr);
    ~HistoryView() override;

    // The history this view shows; null when the database could not be opened (the reason is shown).
    RunHistory *history() const { return m_history.get(); }
    QList<HistoryEntry> entries() const { return m_entries; }
    // The entry of the selected row, if any.
    std::optional<HistoryEntry> selectedEntry() const;
    void selectEntry(qint64 id);

public Q_SLOTS:
    void reload();
    // Draws, for the selected run's job and dataset, the median duration of its runs per worker count.
    void compareSelected();

Q_SIGNALS:
    void openRequested(const brigade::HistoryEntry &entry);
    void rerunRequested(const brigade::RunRequest &request);

private:
    void updateButtons();

    std::unique_ptr<RunHistory> m_history;
    QList<HistoryEntry> m_entries;
    QTableWidget *m_table = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_rerun = nullptr;
    QPushButton *m_compare = nullptr;
    QChartView *m_chart = nullptr;
};

} // namespace brigade
