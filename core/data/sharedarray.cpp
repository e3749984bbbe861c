#include "core/data/sharedarray.h"

#include "core/data/segmentregistry.h"

#include <QFile>
#include <QSharedMemory>

#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr qint64 alignUp(qint64 n, qint64 a)
{
    return (n + a - 1) / a * a;
}

// Names as a list: each one's UTF-8 byte length (4 bytes, little-endian), then its bytes. A name may hold
// any character (a newline from a quoted CSV header, a file name with one): none is a separator.
QByteArray encodeNames(const QStringList &names)
{
    QByteArray out;
    for (const QString &name : names) {
        const QByteArray utf8 = name.toUtf8();
        const auto n = quint32(utf8.size());
        const char length[4] = {char(n & 0xff), char((n >> 8) & 0xff), char((n >> 16) & 0xff), char(n >> 24)};
        out.append(length, 4).append(utf8);
    }
    return out;
}

// The names of an encoded list; a length that runs past the end ends the list (a segment from elsewhere
// is checked, never trusted).
QStringList decodeNames(const char *bytes, qint64 size)
{
    QStringList names;
    qint64 at = 0;
    while (size - at >= 4) {
        const auto *p = reinterpret_cast<const unsigned char *>(bytes + at);
        const qint64 n = qint64(p[0]) | qint64(p[1]) << 8 | qint64(p[2]) << 16 | qint64(p[3]) << 24;
        at += 4;
        if (n > size - at)
            break;
        names.append(QString::fromUtf8(bytes + at, n));
        at += n;
    }
    return names;
}

} // namespace

namespace {

// The largest image side an image set accepts: keeps every size computation far from overflow.
constexpr qint64 MaxImageSide = qint64(1) << 20;

} // namespace

Result<SharedArray> SharedArray::create(Dtype dtype, qint64 rows, qint64 cols, const QStringList &columnNames)
{
    if (rows < 0 || cols < 0 || dtypeSize(dtype) == 0)
        return Failure{FailureCode::System, u"invalid shared array shape or type"_s, {}, -1};
    SegmentHeader h{};
    h.dtype = static_cast<std::uint32_t>(dtype);
    h.rows = rows;
    h.cols = cols;
    h.kind = SegmentHeader::Table;
    return createSegment(h, encodeNames(columnNames), {});
}

Result<SharedArray> SharedArray::createImages(const std::vector<ImageEntry> &shapes, const QStringList &names)
{
    std::vector<ImageEntry> index;
    index.reserve(shapes.size());
    qint64 offset = 0;
    for (const ImageEntry &shape : shapes) {
        if (shape.width <= 0 || shape.height <= 0 || shape.width > MaxImageSide ||
            shape.height > MaxImageSide || shape.channels < 1 || shape.channels > 4)
            return Failure{FailureCode::System, u"invalid image shape"_s, {}, -1};
        index.push_back({offset, shape.width, shape.height, shape.channels});
        offset = alignUp(offset + shape.bytes(), 64);
    }
    SegmentHeader h{};
    h.dtype = static_cast<std::uint32_t>(Dtype::UInt8);
    h.rows = offset; // every byte, holes between images included, as one uint8 column
    h.cols = 1;
    h.kind = SegmentHeader::Images;
    h.indexCount = qint64(index.size());
    return createSegment(h, encodeNames(names),
                         QByteArray(reinterpret_cast<const char *>(index.data()),
                                    qsizetype(index.size() * sizeof(ImageEntry))));
}

Result<SharedArray> SharedArray::createSegment(SegmentHeader h, const QByteArray &names,
                                               const QByteArray &index)
{
    h.magic = SegmentHeader::MagicValue;
    h.version = SegmentHeader::CurrentVersion;
    h.ownerPid = ::getpid();
    h.namesOffset = sizeof(SegmentHeader);
    h.namesBytes = names.size();
    h.indexOffset = alignUp(h.namesOffset + h.namesBytes, 8);
    h.dataOffset = alignUp(h.indexOffset + index.size(), 64);
    // Sizes from a user (--rows, a header) may overflow: checked before anything is allocated, and against
    // the machine's memory, which a segment is backed by.
    qint64 cells = 0, total = 0;
    if (__builtin_mul_overflow(h.rows, h.cols, &cells) ||
        __builtin_mul_overflow(cells, qint64(dtypeSize(static_cast<Dtype>(h.dtype))), &h.dataBytes) ||
        __builtin_add_overflow(h.dataOffset, h.dataBytes, &total))
        return Failure{FailureCode::Usage,
                       u"%1 rows by %2 columns is too large to hold in memory"_s.arg(h.rows).arg(h.cols),
                       {},
                       -1};
    total = std::max<qint64>(total, 1);
    const qint64 physical = qint64(::sysconf(_SC_PHYS_PAGES)) * qint64(::sysconf(_SC_PAGESIZE));
    if (physical > 0 && total > physical)
        return Failure{
            FailureCode::Usage,
            u"%1 rows by %2 columns take %3 bytes, more than this machine's memory (%4 bytes)"_s.arg(h.rows)
                .arg(h.cols)
                .arg(total)
                .arg(physical),
            {},
            -1};

    SharedArray array;
    array.m_memory = std::make_unique<QSharedMemory>();
    QString lastError;
    for (int attempt = 0; attempt < 5; ++attempt) { // a new key on the rare ftok() collision
        auto key = SegmentRegistry::newKey();
        if (!key)
            return key.failure();
        array.m_memory->setNativeKey(*key);
        if (array.m_memory->create(total, QSharedMemory::ReadWrite)) {
            array.m_owner = true;
            std::memcpy(array.base(), &h, sizeof h);
            std::memcpy(array.base() + h.namesOffset, names.constData(), size_t(names.size()));
            std::memcpy(array.base() + h.indexOffset, index.constData(), size_t(index.size()));
            return array;
        }
        lastError = array.m_memory->errorString();
        if (array.m_memory->error() != QSharedMemory::AlreadyExists)
            break;
    }
    return Failure{FailureCode::System,
                   u"cannot create a shared-memory segment of %1 bytes: %2"_s.arg(total).arg(lastError),
                   {},
                   -1};
}

void SharedArray::prefault(Access access)
{
    const auto page = std::uintptr_t(::sysconf(_SC_PAGESIZE));
    const auto begin = std::uintptr_t(base()) & ~(page - 1); // attach() maps at a page boundary
    const auto end = std::uintptr_t(base()) + std::uintptr_t(segmentBytes());
    ::madvise(reinterpret_cast<void *>(begin), end - begin,
              access == Access::ReadWrite ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
}

Result<SharedArray> SharedArray::attach(const QString &key, Access access)
{
    SharedArray array;
    array.m_memory = std::make_unique<QSharedMemory>();
    array.m_memory->setNativeKey(key);
    const auto mode = access == Access::ReadOnly ? QSharedMemory::ReadOnly : QSharedMemory::ReadWrite;
    if (!array.m_memory->attach(mode))
        return Failure{FailureCode::System,
                       u"cannot attach to the shared dataset: "_s + array.m_memory->errorString(), key, -1};
    const qint64 size = array.m_memory->size();
    auto bad = [&](const QString &why) {
        return Failure{FailureCode::System, u"shared dataset is malformed: "_s + why, key, -1};
    };
    if (size < qint64(sizeof(SegmentHeader)))
        return bad(u"segment smaller than its header"_s);
    const SegmentHeader *h = array.header();
    if (h->magic != SegmentHeader::MagicValue || h->version != SegmentHeader::CurrentVersion)
        return bad(u"wrong magic or version"_s);
    if (dtypeSize(static_cast<Dtype>(h->dtype)) == 0 || h->rows < 0 || h->cols < 0)
        return bad(u"unknown type or negative shape"_s);
    if (h->namesOffset < qint64(sizeof(SegmentHeader)) || h->namesBytes < 0 ||
        h->namesOffset + h->namesBytes > size || h->dataOffset % 64 != 0 ||
        h->dataBytes != h->rows * h->cols * dtypeSize(static_cast<Dtype>(h->dtype)) ||
        h->dataOffset + h->dataBytes > size)
        return bad(u"header disagrees with the segment size of %1 bytes"_s.arg(size));
    if (h->kind == SegmentHeader::Images) {
        if (h->dtype != std::uint32_t(Dtype::UInt8) || h->cols != 1 || h->indexOffset % 8 != 0 ||
            h->indexOffset < h->namesOffset + h->namesBytes || h->indexCount < 0 ||
            h->indexCount > (h->dataOffset - h->indexOffset) / qint64(sizeof(ImageEntry)))
            return bad(u"image index disagrees with the segment"_s);
        for (qint64 i = 0; i < h->indexCount; ++i) {
            const ImageEntry e = array.image(i);
            if (e.offset < 0 || e.width <= 0 || e.height <= 0 || e.width > MaxImageSide ||
                e.height > MaxImageSide || e.channels < 1 || e.channels > 4 || e.offset > h->dataBytes ||
                e.bytes() > h->dataBytes - e.offset)
                return bad(u"image %1 lies outside the data"_s.arg(i));
        }
    } else if (h->kind != SegmentHeader::Table) {
        return bad(u"unknown kind %1"_s.arg(h->kind));
    }
    return array;
}

SharedArray::SharedArray(SharedArray &&other) noexcept
    : m_memory(std::move(other.m_memory))
    , m_owner(std::exchange(other.m_owner, false))
    , m_notes(std::move(other.m_notes))
{}

SharedArray &SharedArray::operator=(SharedArray &&other) noexcept
{
    if (this != &other) {
        release();
        m_memory = std::move(other.m_memory);
        m_owner = std::exchange(other.m_owner, false);
        m_notes = std::move(other.m_notes);
    }
    return *this;
}

SharedArray::~SharedArray()
{
    release();
}

void SharedArray::release()
{
    if (!m_memory)
        return;
    const QString key = m_memory->nativeKey();
    m_memory->detach(); // as the last user this removes the segment and its key file
    m_memory.reset();
    if (std::exchange(m_owner, false) && QFile::exists(key)) {
        // A worker still holds it: mark it for removal at its last detach, so nothing outlives its owner.
        if (const int id = SegmentRegistry::segmentId(key); id >= 0)
            ::shmctl(id, IPC_RMID, nullptr);
        QFile::remove(key);
    }
}

QString SharedArray::key() const
{
    return m_memory ? m_memory->nativeKey() : QString();
}

qint64 SharedArray::segmentBytes() const
{
    return m_memory ? m_memory->size() : 0;
}

QStringList SharedArray::columnNames() const
{
    const SegmentHeader *h = header();
    return decodeNames(base() + h->namesOffset, h->namesBytes);
}

void SharedArray::setTwoDimensional(bool twoD)
{
    Q_ASSERT(m_owner);
    auto *h = reinterpret_cast<SegmentHeader *>(base());
    h->flags =
        twoD ? (h->flags | SegmentHeader::TwoDimensional) : (h->flags & ~SegmentHeader::TwoDimensional);
}

void SharedArray::setImage(qint64 i, const ImageEntry &entry)
{
    Q_ASSERT(m_owner && isImageSet() && i >= 0);
    std::memcpy(base() + header()->indexOffset + i * qint64(sizeof(ImageEntry)), &entry, sizeof entry);
}

void SharedArray::setImageCount(qint64 count, const QStringList &names)
{
    auto *h = reinterpret_cast<SegmentHeader *>(base());
    const QByteArray bytes = encodeNames(names);
    Q_ASSERT(m_owner && isImageSet() && count >= 0 && count <= h->indexCount &&
             bytes.size() <= h->namesBytes);
    std::memcpy(base() + h->namesOffset, bytes.constData(), size_t(bytes.size()));
    h->namesBytes = bytes.size();
    h->indexCount = count;
}

QByteArray SharedArray::copyRows(qint64 begin, qint64 end) const
{
    QByteArray out;
    if (isImageSet()) {
        if (begin < 0 || end > imageCount() || begin >= end)
            return out;
        for (qint64 i = begin; i < end; ++i)
            out.append(reinterpret_cast<const char *>(imagePixels(i)), image(i).bytes());
        return out;
    }
    if (begin < 0 || end > rows() || begin >= end)
        return out;
    const qint64 e = dtypeSize(dtype());
    const qint64 n = end - begin;
    out.resize(n * e * cols());
    for (qint64 c = 0; c < cols(); ++c)
        std::memcpy(out.data() + c * n * e, bytes() + (c * rows() + begin) * e, size_t(n * e));
    return out;
}

bool SharedArray::pasteRows(qint64 begin, qint64 end, const QByteArray &from)
{
    if (isImageSet()) {
        if (begin < 0 || end > imageCount() || begin >= end)
            return false;
        qint64 total = 0;
        for (qint64 i = begin; i < end; ++i)
            total += image(i).bytes();
        if (total != from.size())
            return false;
        qint64 at = 0;
        for (qint64 i = begin; i < end; ++i) {
            std::memcpy(imagePixels(i), from.constData() + at, size_t(image(i).bytes()));
            at += image(i).bytes();
        }
        return true;
    }
    const qint64 e = dtypeSize(dtype());
    const qint64 n = end - begin;
    if (begin < 0 || end > rows() || begin >= end || from.size() != n * e * cols())
        return false;
    for (qint64 c = 0; c < cols(); ++c)
        std::memcpy(bytes() + (c * rows() + begin) * e, from.constData() + c * n * e, size_t(n * e));
    return true;
}

const ImageEntry *SharedArray::imageIndex() const
{
    return reinterpret_cast<const ImageEntry *>(base() + header()->indexOffset);
}

const SegmentHeader *SharedArray::header() const
{
    return reinterpret_cast<const SegmentHeader *>(base());
}

char *SharedArray::base() const
{
    return static_cast<char *>(m_memory->data());
}

} // namespace brigade
