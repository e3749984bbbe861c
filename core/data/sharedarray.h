// SharedArray: a 2-D column-major array in a shared-memory segment, viewed through Eigen::Map without copies.
#pragma once

#include "core/data/dtype.h"
#include "core/result.h"

#include <Eigen/Core>
#include <QStringList>

#include <memory>

class QSharedMemory;

namespace brigade {

// The bytes at the start of every segment; the layout is part of the worker contract.
struct SegmentHeader {
    static constexpr std::uint64_t MagicValue = 0x31444147495242ULL; // "BRIGAD1"
    static constexpr std::uint32_t CurrentVersion = 1;

    std::uint64_t magic;
    std::uint32_t version;
    std::uint32_t dtype;
    std::int64_t rows;
    std::int64_t cols;
    std::int64_t ownerPid;
    std::int64_t namesOffset; // UTF-8 column names joined by '\n'
    std::int64_t namesBytes;
    std::int64_t dataOffset; // 64-byte aligned
    std::int64_t dataBytes;
};

class SharedArray
{
public:
    enum class Access { ReadOnly, ReadWrite };

    // Creates a new segment under a random owner-only key; this object owns and finally removes it.
    static Result<SharedArray> create(Dtype dtype, qint64 rows, qint64 cols,
                                      const QStringList &columnNames = {});
    // Attaches to a segment another process created; checks the header against the segment's size.
    static Result<SharedArray> attach(const QString &key, Access access);

    SharedArray(SharedArray &&other) noexcept;
    SharedArray &operator=(SharedArray &&other) noexcept;
    SharedArray(const SharedArray &) = delete;
    SharedArray &operator=(const SharedArray &) = delete;
    ~SharedArray();

    QString key() const;
    bool isOwner() const { return m_owner; }
    Dtype dtype() const { return static_cast<Dtype>(header()->dtype); }
    qint64 rows() const { return header()->rows; }
    qint64 cols() const { return header()->cols; }
    qint64 segmentBytes() const;
    QStringList columnNames() const;

    template<typename T> T *data()
    {
        Q_ASSERT(dtypeOf<T>() == dtype());
        return reinterpret_cast<T *>(base() + header()->dataOffset);
    }
    template<typename T> const T *data() const
    {
        Q_ASSERT(dtypeOf<T>() == dtype());
        return reinterpret_cast<const T *>(base() + header()->dataOffset);
    }

    template<typename T>
    using MatrixView = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>, Eigen::Aligned64>;
    template<typename T>
    using ConstMatrixView =
        Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>, Eigen::Aligned64>;

    template<typename T> MatrixView<T> matrix() { return MatrixView<T>(data<T>(), rows(), cols()); }
    template<typename T> ConstMatrixView<T> matrix() const
    {
        return ConstMatrixView<T>(data<T>(), rows(), cols());
    }

private:
    SharedArray() = default;
    const SegmentHeader *header() const;
    char *base() const;
    void release();

    std::unique_ptr<QSharedMemory> m_memory;
    bool m_owner = false;
};

} // namespace brigade
