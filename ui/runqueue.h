// RunQueue: runs waiting their turn (queued by drops or by hand), the running one and the finished ones.
#pragma once

#include "core/engine/jobrun.h"

#include <QWidget>

#include <optional>

class QPushButton;
class QTableWidget;

namespace brigade {

class RunQueue : public QWidget
{
    Q_OBJECT

public:
    enum class State { Queued, Running, Done, Failed, Cancelled };
    struct Item {
        int id = 0;
        RunRequest request;
        State state = State::Queued;
        QString note; // e.g. "3.2 s" or the failure
    };

    explicit RunQueue(QWidget *parent = nullptr);

    int add(const RunRequest &request);
    // The first queued item, now marked Running; nullopt when nothing waits.
    std::optional<Item> takeNext();
    void setState(int id, State state, const QString &note = {});
    // Queued items only: moves one place up (-1) or down (+1), or removes it.
    bool move(int id, int delta);
    bool remove(int id);
    QList<Item> items() const { return m_items; }
    qsizetype waiting() const;
    int selectedId() const;
    void select(int id);

    static QString stateName(State state);

Q_SIGNALS:
    // The user asked to cancel the running item.
    void cancelRequested(int id);
    void changed();

private:
    void refresh();

    QList<Item> m_items;
    int m_nextId = 1;
    QTableWidget *m_table = nullptr;
    QPushButton *m_up = nullptr;
    QPushButton *m_down = nullptr;
    QPushButton *m_remove = nullptr;
    QPushButton *m_clear = nullptr;
};

} // namespace brigade
