// NumPy .npy reading: plain numeric dtypes, converted to float64 block by block.
#include "core/data/npy.h"

#include "core/data/npyheader.h"

#include <QFile>
#include <QFloat16>
#include <QSaveFile>
#include <QStringDecoder>
#include <QtEndian>
#include <QtNumeric>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cfloat>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

using npy::Magic;
using npy::MagicBytes;
// numpy itself refuses longer headers by default (max_header_size): such a header is damage or an attack.
constexpr qint64 MaxHeaderBytes = 10000;
// Big enough for efficient reads, small enough to stay in cache while it is converted.
constexpr qint64 BlockBytes = 4 << 20;
// A C-order tile spans at least this many rows, so each column of the transposed output gets whole cache
// lines; wider rows are split into column ranges instead.
constexpr qint64 MinTileRows = 8;

// ---------------------------------------------------------------------------------------------------------
// Element conversion: one function pointer chosen per file, each a plain loop the compiler specialises
// for its type and byte order.

template<std::size_t Size>
using UnsignedOfSize = std::conditional_t<
    Size == 1, quint8,
    std::conditional_t<Size == 2, quint16, std::conditional_t<Size == 4, quint32, quint64>>>;

template<typename T, bool Swap> inline double load(const char *p)
{
    if constexpr (std::is_same_v<T, bool>) {
        return *p != 0 ? 1.0 : 0.0; // numpy, too, takes any non-zero byte as True
    } else if constexpr (std::is_same_v<T, long double>) {
        // numpy's longdouble on x86-64: the x87 80-bit format in 16 bytes, as this compiler's long double
        // (only read in native order; see codecForDescr).
        long double v;
        std::memcpy(&v, p, sizeof v);
        return static_cast<double>(v);
    } else {
        UnsignedOfSize<sizeof(T)> bits;
        std::memcpy(&bits, p, sizeof bits);
        if constexpr (Swap)
            bits = qbswap(bits);
        return static_cast<double>(std::bit_cast<T>(bits));
    }
}

// n consecutive elements to n consecutive doubles (1-D, Fortran order, or a single row or column).
template<typename T, bool Swap> void convertRun(const char *__restrict in, double *__restrict out, qint64 n)
{
    for (qint64 i = 0; i < n; ++i)
        out[i] = load<T, Swap>(in + i * qint64(sizeof(T)));
}

// An n x m row-major tile to column-major doubles with leading dimension ld, in small square sub-tiles so
// that both the strided reads and the strided writes stay within a few cache lines.
template<typename T, bool Swap>
void convertTile(const char *__restrict in, qint64 n, qint64 m, double *__restrict out, qint64 ld)
{
    constexpr qint64 Sub = 16;
    constexpr auto Size = qint64(sizeof(T));
    for (qint64 i0 = 0; i0 < n; i0 += Sub) {
        const qint64 i1 = std::min(n, i0 + Sub);
        for (qint64 j0 = 0; j0 < m; j0 += Sub) {
            const qint64 j1 = std::min(m, j0 + Sub);
            for (qint64 j = j0; j < j1; ++j) {
                double *column = out + j * ld;
                for (qint64 i = i0; i < i1; ++i)
                    column[i] = load<T, Swap>(in + (i * m + j) * Size);
            }
        }
    }
}

struct Codec {
    qint64 size = 0;
    bool identity = false; // the file's bytes already are native doubles: read them in place
    void (*run)(const char *, double *, qint64) = nullptr;
    void (*tile)(const char *, qint64, qint64, double *, qint64) = nullptr;
};

template<typename T> Codec codecFor(bool swap)
{
    if (swap)
        return {qint64(sizeof(T)), false, &convertRun<T, true>, &convertTile<T, true>};
    return {qint64(sizeof(T)), std::is_same_v<T, double>, &convertRun<T, false>, &convertTile<T, false>};
}

// The descr string ('<f8', '>i2', '|b1', ...) as a codec; any other dtype is refused with its reason.
Result<Codec> codecForDescr(const QString &path, const QString &descr, qint64 position)
{
    const auto refuse = [&](const QString &what) {
        return inputFailure(path, u"dtype '%1' %2"_s.arg(descr, what), position);
    };
    QStringView d(descr);
    QChar order = u'=';
    if (d.startsWith(u'<') || d.startsWith(u'>') || d.startsWith(u'|') || d.startsWith(u'=')) {
        order = d.front();
        d = d.sliced(1);
    }
    if (d.isEmpty())
        return refuse(u"is not a dtype"_s);
    const QChar kind = d.front();
    switch (kind.unicode()) {
    case 'O':
        return refuse(
            u"holds Python objects, which would have to be unpickled; such files are never loaded"_s);
    case 'S':
    case 'a':
        return refuse(u"(byte strings) is not supported; only numeric arrays are"_s);
    case 'U':
        return refuse(u"(unicode strings) is not supported; only numeric arrays are"_s);
    case 'V':
        return refuse(u"(raw or structured records) is not supported; only numeric arrays are"_s);
    case 'c':
        return refuse(u"(complex numbers) is not supported; only real numeric arrays are"_s);
    case 'M':
        return refuse(u"(datetime) is not supported; only numeric arrays are"_s);
    case 'm':
        return refuse(u"(timedelta) is not supported; only numeric arrays are"_s);
    default:
        break;
    }
    bool ok = false;
    const int size = d.sliced(1).toInt(&ok);
    const QString supported = u"is not supported (supported: f16 f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1)"_s;
    if (d.size() < 2 || !ok || !d.sliced(1).front().isDigit())
        return refuse(supported);
    // '|' and '=' mean "no particular order"; numpy reads multi-byte types so marked in native order.
    const bool big = order == u'>' || (order != u'<' && std::endian::native == std::endian::big);
    const bool swap = size > 1 && big != (std::endian::native == std::endian::big);
    switch (kind.unicode()) {
    case 'f':
        if (size == 8)
            return codecFor<double>(swap);
        if (size == 4)
            return codecFor<float>(swap);
        if (size == 2) // half precision: every value is exact as a double
            return codecFor<qfloat16>(swap);
        if (size == 16 && !swap && sizeof(long double) == 16 && LDBL_MANT_DIG == 64)
            return codecFor<long double>(false); // rounded to the nearest double
        return refuse(u"(float%1) "_s.arg(size * 8) + supported);
    case 'i':
        if (size == 8)
            return codecFor<qint64>(swap);
        if (size == 4)
            return codecFor<qint32>(swap);
        if (size == 2)
            return codecFor<qint16>(swap);
        if (size == 1)
            return codecFor<qint8>(swap);
        break;
    case 'u':
        if (size == 8)
            return codecFor<quint64>(swap);
        if (size == 4)
            return codecFor<quint32>(swap);
        if (size == 2)
            return codecFor<quint16>(swap);
        if (size == 1)
            return codecFor<quint8>(swap);
        break;
    case 'b':
        if (size == 1)
            return codecFor<bool>(false);
        break;
    default:
        break;
    }
    return refuse(supported);
}

// ---------------------------------------------------------------------------------------------------------
// Reading the data.

std::optional<Failure> readExactly(QFile &file, const QString &path, qint64 offset, char *to, qint64 bytes)
{
    if (file.pos() != offset && !file.seek(offset))
        return inputFailure(path, u"cannot seek: "_s + file.errorString(), offset);
    for (qint64 done = 0; done < bytes;) {
        const qint64 got = file.read(to + done, bytes - done);
        if (got < 0)
            return inputFailure(path, u"read error: "_s + file.errorString(), offset + done);
        if (got == 0) // the file shrank after its size was checked
            return inputFailure(path, u"truncated data: the file ended while reading"_s, offset + done);
        done += got;
    }
    return std::nullopt;
}

// Elements stored in the order of the output (Fortran order, 1-D, or a single row or column).
std::optional<Failure> readContiguous(QFile &file, const QString &path, qint64 dataStart, const Codec &codec,
                                      qint64 count, double *out)
{
    const qint64 blockElements = std::max<qint64>(1, BlockBytes / codec.size);
    std::unique_ptr<char[]> buffer;
    if (!codec.identity)
        buffer = std::make_unique_for_overwrite<char[]>(std::min(blockElements, count) * codec.size);
    for (qint64 k = 0; k < count; k += blockElements) {
        const qint64 n = std::min(blockElements, count - k);
        char *to = codec.identity ? reinterpret_cast<char *>(out + k) : buffer.get();
        if (auto failure = readExactly(file, path, dataStart + k * codec.size, to, n * codec.size))
            return failure;
        if (!codec.identity)
            codec.run(buffer.get(), out + k, n);
    }
    return std::nullopt;
}

// A C-order (row-major) matrix into the column-major output, one tile of a few MiB at a time.
std::optional<Failure> readTransposed(QFile &file, const QString &path, qint64 dataStart, const Codec &codec,
                                      qint64 rows, qint64 cols, double *out)
{
    const qint64 rowBytes = cols * codec.size;
    qint64 tileRows = MinTileRows;
    qint64 tileCols = std::max<qint64>(1, BlockBytes / (MinTileRows * codec.size));
    if (rowBytes * MinTileRows <= BlockBytes) { // whole rows: one sequential read per tile
        tileRows = BlockBytes / rowBytes;
        tileCols = cols;
    }
    tileRows = std::min(tileRows, rows);
    tileCols = std::min(tileCols, cols);
    const auto buffer = std::make_unique_for_overwrite<char[]>(tileRows * tileCols * codec.size);
    for (qint64 r0 = 0; r0 < rows; r0 += tileRows) {
        const qint64 n = std::min(tileRows, rows - r0);
        for (qint64 c0 = 0; c0 < cols; c0 += tileCols) {
            const qint64 m = std::min(tileCols, cols - c0);
            if (m == cols) {
                if (auto failure =
                        readExactly(file, path, dataStart + r0 * rowBytes, buffer.get(), n * rowBytes))
                    return failure;
            } else {
                for (qint64 i = 0; i < n; ++i)
                    if (auto failure =
                            readExactly(file, path, dataStart + (r0 + i) * rowBytes + c0 * codec.size,
                                        buffer.get() + i * m * codec.size, m * codec.size))
                        return failure;
            }
            codec.tile(buffer.get(), n, m, out + c0 * rows + r0, rows);
        }
    }
    return std::nullopt;
}

// Reads and checks everything before the data of an open .npy file.
Result<NpyInfo> readLayout(QFile &file, const QString &path, Codec *codecOut)
{
    const QByteArray preamble = file.read(MagicBytes + 2);
    if (preamble.size() < MagicBytes + 2 || std::memcmp(preamble.constData(), Magic, MagicBytes) != 0)
        return inputFailure(path, u"not a NumPy .npy file (bad magic)"_s, 0);
    const int major = static_cast<unsigned char>(preamble[6]);
    const int minor = static_cast<unsigned char>(preamble[7]);
    if ((major != 1 && major != 2 && major != 3) || minor != 0)
        return inputFailure(
            path, u"unsupported .npy format version %1.%2 (1.0, 2.0 and 3.0 are)"_s.arg(major).arg(minor), 6);
    // 1.0 has a 2-byte header length; 2.0 and 3.0 have 4 bytes, for headers that 1.0 cannot hold.
    const qint64 lengthBytes = major == 1 ? 2 : 4;
    const QByteArray lengthField = file.read(lengthBytes);
    if (lengthField.size() != lengthBytes)
        return inputFailure(path, u"truncated .npy header"_s, MagicBytes + 2);
    const qint64 headerLength = major == 1 ? qint64(qFromLittleEndian<quint16>(lengthField.constData()))
                                           : qint64(qFromLittleEndian<quint32>(lengthField.constData()));
    const qint64 headerStart = MagicBytes + 2 + lengthBytes;
    if (headerLength > MaxHeaderBytes)
        return inputFailure(
            path, u".npy header of %1 bytes exceeds the limit of %2"_s.arg(headerLength).arg(MaxHeaderBytes),
            MagicBytes + 2);
    const QByteArray headerBytes = file.read(headerLength);
    if (headerBytes.size() != headerLength)
        return inputFailure(path,
                            u"truncated .npy header: %1 bytes announced, %2 present"_s.arg(headerLength)
                                .arg(std::max<qint64>(0, headerBytes.size())),
                            headerStart);

    // 1.0 and 2.0 headers are latin-1; 3.0 exists for UTF-8 headers (unicode field names).
    QString text;
    if (major == 3) {
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        text = decoder(headerBytes);
        if (decoder.hasError())
            return inputFailure(path, u"malformed .npy header: not valid UTF-8"_s, headerStart);
    } else {
        text = QString::fromLatin1(headerBytes);
    }
    auto header = npy::parseHeader(path, text, headerStart);
    if (!header)
        return header.failure();
    auto codec = codecForDescr(path, header->descr, headerStart);
    if (!codec)
        return codec.failure();
    const QList<qint64> &shape = header->shape;
    if (shape.isEmpty())
        return inputFailure(path, u"0-D (scalar) arrays are not supported; save a 1-D array instead"_s,
                            headerStart);
    if (shape.size() > 2)
        return inputFailure(path,
                            u"only 1-D and 2-D arrays are supported, not %1-D (shape %2)"_s.arg(shape.size())
                                .arg(npy::shapeText(shape)),
                            headerStart);
    const qint64 rows = shape[0];
    const qint64 cols = shape.size() == 2 ? shape[1] : 1;
    qint64 count = 0;
    qint64 expected = 0;
    qint64 outputBytes = 0;
    if (qMulOverflow(rows, cols, &count) || qMulOverflow(count, codec->size, &expected) ||
        qMulOverflow(count, qint64(sizeof(double)), &outputBytes))
        return inputFailure(
            path, u"invalid shape %1: the number of bytes overflows 64 bits"_s.arg(npy::shapeText(shape)),
            headerStart);

    const qint64 dataStart = headerStart + headerLength;
    const qint64 available = file.size() - dataStart;
    if (available < expected)
        return inputFailure(
            path,
            u"truncated data: %1 bytes follow the header but shape %2 of '%3' needs %4"_s.arg(available)
                .arg(npy::shapeText(shape), header->descr)
                .arg(expected),
            file.size());
    if (available > expected)
        return inputFailure(
            path,
            u"%1 extra bytes after the data: shape %2 of '%3' needs %4 but %5 follow the header"_s
                .arg(available - expected)
                .arg(npy::shapeText(shape), header->descr)
                .arg(expected)
                .arg(available),
            dataStart + expected);

    if (codecOut)
        *codecOut = *codec;
    return NpyInfo{major, header->descr, header->fortran, rows, cols, dataStart, shape.size() == 1};
}

} // namespace

Result<NpyInfo> readNpyHeader(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    return readLayout(file, path, nullptr);
}

Result<SharedArray> readNpy(const QString &path)
{
    QFile file(path);
    // Unbuffered: the blocks are large, and QIODevice's own buffer would only add a copy.
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    Codec codec;
    auto layout = readLayout(file, path, &codec);
    if (!layout)
        return layout.failure();
    const qint64 rows = layout->rows;
    const qint64 cols = layout->cols;
    const qint64 count = rows * cols; // checked for overflow by readLayout
    const qint64 dataStart = layout->dataStart;
    QStringList names;
    if (layout->oneDimensional) {
        names << u"value"_s;
    } else {
        names.reserve(cols);
        for (qint64 c = 0; c < cols; ++c)
            names << u"c%1"_s.arg(c);
    }
    auto array = SharedArray::create(Dtype::Float64, rows, cols, names);
    if (!array)
        return array.failure();
    array->setTwoDimensional(!layout->oneDimensional);
    if (count == 0)
        return array;
    double *out = array->data<double>();
    const bool contiguous = layout->fortran || rows == 1 || cols == 1;
    if (auto failure = contiguous ? readContiguous(file, path, dataStart, codec, count, out)
                                  : readTransposed(file, path, dataStart, codec, rows, cols, out))
        return *failure;
    return array;
}

} // namespace brigade
