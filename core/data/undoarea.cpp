// UndoArea: per-slot copies of the rows an in-place task changes, in one shared segment.
#include "core/data/undoarea.h"

#include <atomic>
#include <cstring>
#include <limits>
#include <new>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

// The segment: an AreaHeader, then `slots` areas of SlotBytes each: a SlotHeader, then the rows, column
// after column (rowsPerSlot values of each), like the table they come from.
struct AreaHeader {
    std::int64_t slots;
    std::int64_t rowsPerSlot;
    std::int64_t cols;
    std::int64_t elementBytes;
    std::int64_t slotBytes;
    std::int64_t reserved[3];
};
static_assert(sizeof(AreaHeader) == 64);

} // namespace

// An area: this header, MaxEntries entries, then the rows of the logged tasks one after the other (each
// task's rows column after column). The worker writes it; the parent reads it only after the worker is gone.
struct UndoArea::SlotHeader {
    std::atomic<std::int64_t> count; // entries logged, published (release) once the entry is complete
    std::int64_t usedRows;           // rows taken by them
    std::int64_t reserved[6];
};
struct UndoArea::Entry {
    std::atomic<std::int64_t> task; // -1: put back (or not yet written)
    std::int64_t begin;
    std::int64_t end;
    std::int64_t firstRow; // where its rows start in the area's rows
};
static_assert(std::atomic<std::int64_t>::is_always_lock_free);

qint64 UndoArea::logBytes()
{
    static_assert(sizeof(SlotHeader) == 64 && sizeof(Entry) == 32);
    return qint64(sizeof(SlotHeader)) + MaxEntries * qint64(sizeof(Entry));
}

qint64 UndoArea::rowsPerSlot(const SharedArray &data, int slots)
{
    const qint64 rowBytes = std::max<qint64>(1, data.cols()) * dtypeSize(data.dtype());
    const qint64 share = (data.rows() + slots - 1) / std::max(slots, 1);
    return std::max<qint64>(1, std::min(share, MaxSlotBytes / rowBytes));
}

Result<UndoArea> UndoArea::create(const SharedArray &data, int slots)
{
    const qint64 rows = rowsPerSlot(data, slots);
    const qint64 elementBytes = dtypeSize(data.dtype());
    // Sizes from a table of any shape: checked (SharedArray::create then checks them against memory).
    qint64 rowsBytes = 0, slotBytes = 0, total = 0;
    if (__builtin_mul_overflow(rows, std::max<qint64>(1, data.cols()), &rowsBytes) ||
        __builtin_mul_overflow(rowsBytes, elementBytes, &rowsBytes) ||
        __builtin_add_overflow(rowsBytes, logBytes() + 63, &slotBytes) ||
        __builtin_mul_overflow(slotBytes / 64 * 64, qint64(slots), &total) ||
        __builtin_add_overflow(total, qint64(sizeof(AreaHeader)), &total))
        return usageFailure(u"the undo copies of %1 workers would not fit in memory"_s.arg(slots));
    const qint64 alignedSlot = slotBytes / 64 * 64;
    auto array = SharedArray::create(Dtype::UInt8, total, 1);
    if (!array)
        return array.failure();
    UndoArea area(std::move(array).value());
    auto *h = reinterpret_cast<AreaHeader *>(area.m_array.data<std::uint8_t>());
    *h = AreaHeader{slots, rows, data.cols(), elementBytes, alignedSlot, {}};
    for (int s = 0; s < slots; ++s) {
        SlotHeader *slot = area.slotHeader(s);
        new (slot) SlotHeader{};
        Entry *e = area.entries(s);
        for (qint64 k = 0; k < MaxEntries; ++k)
            new (e + k) Entry{};
    }
    return area;
}

Result<UndoArea> UndoArea::attach(const QString &key)
{
    auto array = SharedArray::attach(key, SharedArray::Access::ReadWrite);
    if (!array)
        return array.failure();
    if (array->dtype() != Dtype::UInt8 || array->rows() < qint64(sizeof(AreaHeader)))
        return Failure{FailureCode::Protocol, u"segment %1 is not an undo area"_s.arg(key), {}, -1};
    UndoArea area(std::move(array).value());
    const auto *h = reinterpret_cast<const AreaHeader *>(area.m_array.data<std::uint8_t>());
    qint64 need = 0;
    if (h->slots <= 0 || h->rowsPerSlot <= 0 || h->slotBytes < logBytes() ||
        __builtin_mul_overflow(h->slotBytes, h->slots, &need) ||
        need > area.m_array.rows() - qint64(sizeof(AreaHeader)))
        return Failure{FailureCode::Protocol, u"undo area %1 has a broken header"_s.arg(key), {}, -1};
    return area;
}

int UndoArea::slots() const
{
    return int(reinterpret_cast<const AreaHeader *>(m_array.data<std::uint8_t>())->slots);
}

qint64 UndoArea::rowsPerSlot() const
{
    return reinterpret_cast<const AreaHeader *>(m_array.data<std::uint8_t>())->rowsPerSlot;
}

UndoArea::SlotHeader *UndoArea::slotHeader(int slot) const
{
    auto *base = const_cast<std::uint8_t *>(m_array.data<std::uint8_t>());
    const auto *h = reinterpret_cast<const AreaHeader *>(base);
    return reinterpret_cast<SlotHeader *>(base + sizeof(AreaHeader) + h->slotBytes * slot);
}

UndoArea::Entry *UndoArea::entries(int slot) const
{
    return reinterpret_cast<Entry *>(reinterpret_cast<char *>(slotHeader(slot)) + sizeof(SlotHeader));
}

char *UndoArea::slotRows(int slot) const
{
    return reinterpret_cast<char *>(slotHeader(slot)) + logBytes();
}

bool UndoArea::fits(int slot, qint64 begin, qint64 end) const
{
    const auto *h = reinterpret_cast<const AreaHeader *>(m_array.data<std::uint8_t>());
    if (slot < 0 || slot >= h->slots)
        return false;
    const SlotHeader *header = slotHeader(slot);
    return header->count.load(std::memory_order_relaxed) < MaxEntries &&
           end - begin <= h->rowsPerSlot - header->usedRows;
}

void UndoArea::clear(int slot)
{
    if (slot < 0 || slot >= slots())
        return;
    SlotHeader *header = slotHeader(slot);
    header->count.store(0, std::memory_order_release);
    header->usedRows = 0;
}

bool UndoArea::save(int slot, qint64 taskId, const SharedArray &data, qint64 begin, qint64 end)
{
    const auto *h = reinterpret_cast<const AreaHeader *>(m_array.data<std::uint8_t>());
    if (begin < 0 || end > data.rows() || begin > end || !fits(slot, begin, end) || data.cols() != h->cols ||
        dtypeSize(data.dtype()) != h->elementBytes)
        return false;
    SlotHeader *header = slotHeader(slot);
    const qint64 k = header->count.load(std::memory_order_relaxed);
    Entry &entry = entries(slot)[k];
    entry.task.store(-1, std::memory_order_relaxed);
    const qint64 e = h->elementBytes;
    const qint64 n = end - begin;
    const char *table = data.bytes();
    char *rows = slotRows(slot) + header->usedRows * h->cols * e;
    for (qint64 c = 0; c < h->cols; ++c)
        std::memcpy(rows + c * n * e, table + (c * data.rows() + begin) * e, size_t(n * e));
    entry.begin = begin;
    entry.end = end;
    entry.firstRow = header->usedRows;
    entry.task.store(taskId, std::memory_order_release);
    header->usedRows += n;
    header->count.store(k + 1, std::memory_order_release); // only now may the task write its rows
    return true;
}

bool UndoArea::restore(int slot, qint64 taskId, SharedArray &data)
{
    const auto *h = reinterpret_cast<const AreaHeader *>(m_array.data<std::uint8_t>());
    if (slot < 0 || slot >= h->slots || taskId < 0 || data.cols() != h->cols)
        return false;
    const qint64 count =
        std::min<qint64>(slotHeader(slot)->count.load(std::memory_order_acquire), MaxEntries);
    Entry *log = entries(slot);
    for (qint64 k = count - 1; k >= 0; --k) {
        Entry &entry = log[k];
        if (entry.task.load(std::memory_order_acquire) != taskId)
            continue;
        const qint64 n = entry.end - entry.begin;
        if (entry.begin < 0 || n < 0 || entry.end > data.rows() || entry.firstRow < 0 ||
            entry.firstRow + n > h->rowsPerSlot)
            return false; // a torn entry: nothing is trusted
        const qint64 e = h->elementBytes;
        char *table = data.bytes();
        const char *rows = slotRows(slot) + entry.firstRow * h->cols * e;
        for (qint64 c = 0; c < h->cols; ++c)
            std::memcpy(table + (c * data.rows() + entry.begin) * e, rows + c * n * e, size_t(n * e));
        entry.task.store(-1, std::memory_order_release);
        return true;
    }
    return false;
}

} // namespace brigade
