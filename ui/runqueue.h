// RunQueue: runs waiting their turn (queued by drops or by hand), the running one and the finished ones.
#pragma once

#include "core/engine/runcontroller.h"

#include <QWidget>

#include <optional>

class QPushButton;
class QTableWidget;

namespace brigade {

// A view of a RunController's queue: its items in order, moved, removed or cleared from here.
class RunQueue : public QWidget
{
    Q_OBJECT

public:
    using State = RunController::QueueState;
    using Item = RunController::QueueItem;

    explicit RunQueue(RunController *controller, QWidget *parent = nullptr);

    QList<Item> items() const { return m_controller->queue(); }
    // Queued items only: moves one place up (-1) or down (+1), or removes it.
    bool move(int id, int delta);
    bool remove(int id);
    qsizetype waiting() const { return m_controller->waiting(); }
    int selectedId() const;
    void select(int id);

    static QString stateName(State state);

Q_SIGNALS:
    // The user asked to cancel the running item.
    void cancelRequested(int id);
    void changed();

private:
    void refresh();

    RunController *m_controller = nullptr;
    QTableWidget *m_table = nullptr;
    QPushButton *m_up = nullptr;
    QPushButton *m_down = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_clear = nullptr;
};

} // namespace brigade
