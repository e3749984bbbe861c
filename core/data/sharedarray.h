// SharedArray: a 2-D column-major array in a shared-memory segment, viewed through Eigen::Map without copies;
// or an image set: a flat uint8 pixel buffer with one (offset, width, height, channels) entry per image.
#pragma once

#include "core/base/result.h"
#include "core/data/dtype.h"

#include <Eigen/Core>
#include <QStringList>

#include <memory>
#include <vector>

class QSharedMemory;

namespace brigade {

// The bytes at the start of every segment; the layout is part of the worker contract.
struct SegmentHeader {
    static constexpr std::uint64_t MagicValue = 0x31444147495242ULL; // "BRIGAD1"
    static constexpr std::uint32_t CurrentVersion = 3;
    enum Kind : std::uint32_t { Table = 0, Images = 1 };
    // TwoDimensional: a table read from a 2-D array, written back 2-D even with one column ((N, 1)).
    enum Flags : std::uint32_t { TwoDimensional = 1 };

    std::uint64_t magic;
    std::uint32_t version;
    std::uint32_t dtype;
    std::int64_t rows;
    std::int64_t cols;
    std::int64_t ownerPid;
    std::int64_t
        namesOffset; // the column (or image) names: per name, its UTF-8 length (4 bytes LE), its bytes
    std::int64_t namesBytes;
    std::int64_t dataOffset; // 64-byte aligned
    std::int64_t dataBytes;
    std::uint32_t kind;       // Kind
    std::uint32_t flags;      // Flags
    std::int64_t indexOffset; // Images: ImageEntry[indexCount], 8-byte aligned, before the data
    std::int64_t indexCount;
};

// One image of an image set: height x width x channels uint8 values, row-major and interleaved (HWC),
// starting `offset` bytes into the data. Channels: 1 gray, 3 RGB, 4 RGBA.
struct ImageEntry {
    qint64 offset;
    qint64 width;
    qint64 height;
    qint64 channels;

    qint64 bytes() const { return width * height * channels; }
};
static_assert(sizeof(ImageEntry) == 32);

class SharedArray
{
public:
    enum class Access { ReadOnly, ReadWrite };

    // Creates a new segment under a random owner-only key; this object owns and finally removes it.
    static Result<SharedArray> create(Dtype dtype, qint64 rows, qint64 cols,
                                      const QStringList &columnNames = {});
    // Creates an image set with room for images of the given shapes (offsets are assigned, each image
    // 64-byte aligned); names are the images' names. The data is a uint8 column of every byte.
    static Result<SharedArray> createImages(const std::vector<ImageEntry> &shapes, const QStringList &names);
    // Attaches to a segment another process created; checks the header against the segment's size.
    static Result<SharedArray> attach(const QString &key, Access access);
    // Maps every page of the segment into this process now (for writing, or reading only), so that
    // tasks never stall on page faults: one call instead of a fault per 4 KiB page. Best effort: a
    // kernel without MADV_POPULATE_* (before Linux 5.14) faults the pages in as they are touched.
    void prefault(Access access);

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
    QStringList columnNames() const; // for an image set, the images' names

    bool isImageSet() const { return header()->kind == SegmentHeader::Images; }
    // Whether the table came from a 2-D array (an (N, 1) array stays (N, 1) when written); the owner sets it.
    bool isTwoDimensional() const { return (header()->flags & SegmentHeader::TwoDimensional) != 0; }
    void setTwoDimensional(bool twoD);
    qint64 imageCount() const { return isImageSet() ? header()->indexCount : 0; }
    ImageEntry image(qint64 i) const { return imageIndex()[i]; }
    const std::uint8_t *imagePixels(qint64 i) const
    {
        return reinterpret_cast<const std::uint8_t *>(base() + header()->dataOffset + image(i).offset);
    }
    std::uint8_t *imagePixels(qint64 i)
    {
        return reinterpret_cast<std::uint8_t *>(base() + header()->dataOffset + image(i).offset);
    }
    // The owner, while it fills an image set: the entry of image i (its shape may shrink to the pixels
    // actually decoded); then the final images and names, when some were dropped (entries past `count`
    // are forgotten; the names must take no more bytes than those given at creation).
    void setImage(qint64 i, const ImageEntry &entry);
    void setImageCount(qint64 count, const QStringList &names);

    // What the reader left out and why, one "name: reason" line each. Held in this process only.
    const QStringList &readerNotes() const { return m_notes; }
    void setReaderNotes(QStringList notes) { m_notes = std::move(notes); }

    // Items [begin, end) as bytes: a table's rows (each column's slice in turn), an image set's images (their
    // pixels in turn). pasteRows() puts such bytes back; false (nothing changed) when they do not fit.
    QByteArray copyRows(qint64 begin, qint64 end) const;
    bool pasteRows(qint64 begin, qint64 end, const QByteArray &bytes);

    // The values as bytes, whatever their type (copies that need not know it).
    char *bytes() { return base() + header()->dataOffset; }
    const char *bytes() const { return base() + header()->dataOffset; }
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
    static Result<SharedArray> createSegment(SegmentHeader h, const QByteArray &names,
                                             const QByteArray &index);
    const SegmentHeader *header() const;
    const ImageEntry *imageIndex() const;
    char *base() const;
    void release();

    std::unique_ptr<QSharedMemory> m_memory;
    bool m_owner = false;
    QStringList m_notes;
};

} // namespace brigade
