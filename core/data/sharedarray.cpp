#include "core/data/sharedarray.h"

#include "core/data/segmentregistry.h"

#include <QFile>
#include <QSharedMemory>

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

} // namespace

Result<SharedArray> SharedArray::create(Dtype dtype, qint64 rows, qint64 cols, const QStringList &columnNames)
{
    if (rows < 0 || cols < 0 || dtypeSize(dtype) == 0)
        return Failure{FailureCode::System, u"invalid shared array shape or type"_s, {}, -1};
    const QByteArray names = columnNames.join(u'\n').toUtf8();
    SegmentHeader h{};
    h.magic = SegmentHeader::MagicValue;
    h.version = SegmentHeader::CurrentVersion;
    h.dtype = static_cast<std::uint32_t>(dtype);
    h.rows = rows;
    h.cols = cols;
    h.ownerPid = ::getpid();
    h.namesOffset = sizeof(SegmentHeader);
    h.namesBytes = names.size();
    h.dataOffset = alignUp(h.namesOffset + h.namesBytes, 64);
    h.dataBytes = rows * cols * dtypeSize(dtype);
    const qint64 total = std::max<qint64>(h.dataOffset + h.dataBytes, 1);

    SharedArray array;
    array.m_memory = std::make_unique<QSharedMemory>();
    QString lastError;
    for (int attempt = 0; attempt < 5; ++attempt) { // a new key on the rare ftok() collision
        array.m_memory->setNativeKey(SegmentRegistry::newKey());
        if (array.m_memory->create(total, QSharedMemory::ReadWrite)) {
            array.m_owner = true;
            std::memcpy(array.base(), &h, sizeof h);
            std::memcpy(array.base() + h.namesOffset, names.constData(), names.size());
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
    return array;
}

SharedArray::SharedArray(SharedArray &&other) noexcept
    : m_memory(std::move(other.m_memory))
    , m_owner(std::exchange(other.m_owner, false))
{}

SharedArray &SharedArray::operator=(SharedArray &&other) noexcept
{
    if (this != &other) {
        release();
        m_memory = std::move(other.m_memory);
        m_owner = std::exchange(other.m_owner, false);
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
    if (h->namesBytes == 0)
        return {};
    return QString::fromUtf8(base() + h->namesOffset, h->namesBytes).split(u'\n');
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
