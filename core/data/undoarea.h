// UndoArea: the values an in-place task is about to change, kept in shared memory while its result is on
// its way, so that a retry (after a crash, a timeout or an exception) starts from exactly the values its
// first attempt saw. One area per worker slot, each as large as the largest task an in-place run hands out;
// an area is a log of the tasks saved since it was last emptied (tiny tasks fill it by hundreds), and it is
// emptied only once the results of those tasks have gone out to the parent.
#pragma once

#include "core/base/result.h"
#include "core/data/sharedarray.h"

#include <QString>

namespace brigade {

class UndoArea
{
public:
    // Tasks of an in-place run hold at most this many bytes of rows (one area a slot), unless a single row
    // is larger; an area logs at most MaxEntries tasks.
    static constexpr qint64 MaxSlotBytes = 8 << 20;
    static constexpr qint64 MaxEntries = 4096;

    // Parent: areas for `slots` workers over `data`, each of rowsPerSlot(data, slots) rows.
    static Result<UndoArea> create(const SharedArray &data, int slots);
    // Worker: the areas another process created.
    static Result<UndoArea> attach(const QString &key);
    // The rows a task of an in-place run over `data` may hold at most: bounded by MaxSlotBytes, and by an
    // even share of the rows (a small table needs no more).
    static qint64 rowsPerSlot(const SharedArray &data, int slots);

    QString key() const { return m_array.key(); }
    int slots() const;
    qint64 rowsPerSlot() const;
    qint64 segmentBytes() const { return m_array.segmentBytes(); }
    void prefault() { m_array.prefault(SharedArray::Access::ReadWrite); }

    // Worker: whether rows [begin, end) fit in the slot's area beside what it holds; when not, the worker
    // sends the results it holds and then calls clear().
    bool fits(int slot, qint64 begin, qint64 end) const;
    // Worker, once the parent has (or will surely get) the results of every task the area holds.
    void clear(int slot);
    // Worker, before task `taskId` writes rows [begin, end) of `data`: copies them into the slot's area
    // and then logs the task there. Returns false (nothing saved) if they do not fit (see fits()) or do
    // not match the area's shape.
    bool save(int slot, qint64 taskId, const SharedArray &data, qint64 begin, qint64 end);
    // Puts the rows back if the slot's area holds task `taskId` (then forgets it); returns whether it did.
    // Worker: after the task failed, before saying so. Parent: once the slot's worker is gone or killed.
    bool restore(int slot, qint64 taskId, SharedArray &data);

private:
    struct SlotHeader;
    struct Entry;
    static qint64 logBytes(); // an area's header and entries, before its rows
    explicit UndoArea(SharedArray array)
        : m_array(std::move(array))
    {}
    SlotHeader *slotHeader(int slot) const;
    Entry *entries(int slot) const;
    char *slotRows(int slot) const;

    SharedArray m_array;
};

} // namespace brigade
