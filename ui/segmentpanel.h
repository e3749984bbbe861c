// SegmentPanel: the shared-memory segments of this user's Brigade processes, live and left over.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;
class QTimer;

namespace brigade {

class SegmentPanel : public QWidget
{
    Q_OBJECT

public:
    explicit SegmentPanel(QWidget *parent = nullptr);

    int rowCount() const;

public Q_SLOTS:
    void refresh();
    // Removes the segments of dead owners (never a live one's), then refreshes.
    void cleanUp();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QTableWidget *m_table = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_cleanUp = nullptr;
    QTimer *m_timer = nullptr;
};

} // namespace brigade
