// NumPy .npy writing: the array as it is in memory, behind a numpy header, atomically.
#include "core/data/npy.h"

#include "core/base/filekind.h"
#include "core/data/npyheader.h"

#include <QSaveFile>
#include <QtEndian>

#include <bit>
#include <cerrno>
#include <cstring>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

using npy::Magic;
using npy::MagicBytes;

// The array's dtype as numpy spells it in this machine's byte order, so the data is written as is.
QString descrOf(Dtype dtype)
{
    const QChar order = std::endian::native == std::endian::big ? u'>' : u'<';
    switch (dtype) {
    case Dtype::Float64:
        return order + u"f8"_s;
    case Dtype::Float32:
        return order + u"f4"_s;
    case Dtype::Int64:
        return order + u"i8"_s;
    case Dtype::Int32:
        return order + u"i4"_s;
    case Dtype::UInt8:
        return u"|u1"_s;
    }
    return {};
}

const char *rawData(const SharedArray &array)
{
    switch (array.dtype()) {
    case Dtype::Float64:
        return reinterpret_cast<const char *>(array.data<double>());
    case Dtype::Float32:
        return reinterpret_cast<const char *>(array.data<float>());
    case Dtype::Int64:
        return reinterpret_cast<const char *>(array.data<std::int64_t>());
    case Dtype::Int32:
        return reinterpret_cast<const char *>(array.data<std::int32_t>());
    case Dtype::UInt8:
        return reinterpret_cast<const char *>(array.data<std::uint8_t>());
    }
    return nullptr;
}

} // namespace

std::optional<Failure> writeNpy(const QString &path, const SharedArray &array)
{
    if (const auto kind = nonFileKind(path)) // a save would put a file in the place of the node
        return Failure{FailureCode::Output, u"is %1, not a file: nothing written"_s.arg(*kind), path, -1};
    const QString descr = descrOf(array.dtype());
    if (descr.isEmpty())
        return Failure{FailureCode::System, u"cannot write arrays of this dtype as .npy"_s, path, -1};
    const qint64 rows = array.rows();
    const qint64 cols = array.cols();
    const QString shape =
        cols == 1 && !array.isTwoDimensional() ? u"(%1,)"_s.arg(rows) : u"(%1, %2)"_s.arg(rows).arg(cols);
    QByteArray header =
        u"{'descr': '%1', 'fortran_order': True, 'shape': %2, }"_s.arg(descr, shape).toLatin1();
    // Padded with spaces and ended by '\n' as numpy does, so the data starts 64-byte aligned for mmap
    // readers.
    const qint64 unpadded = MagicBytes + 4 + header.size() + 1;
    header.append(QByteArray((64 - unpadded % 64) % 64, ' ')).append('\n');
    QByteArray preamble(Magic, MagicBytes);
    preamble.append(char(1)).append(char(0));
    char length[2];
    qToLittleEndian<quint16>(static_cast<quint16>(header.size()), length);
    preamble.append(length, 2);

    // QSaveFile writes to a temporary file and renames it on commit, so readers never see half a file and
    // a failed write leaves neither a partial file nor a changed old one.
    QSaveFile file(path);
    // The system's reason (errno, read right after the failed call) where Qt's text is only "Unknown error".
    const auto reason = [&](int error) {
        const QString qt = file.errorString();
        return (qt.isEmpty() || qt == u"Unknown error"_s) && error != 0
                   ? QString::fromLocal8Bit(std::strerror(error))
                   : qt;
    };
    const auto failed = [&] {
        const QString why = reason(errno);
        file.cancelWriting();
        return Failure{FailureCode::Input, u"cannot write: "_s + why, path, -1};
    };
    errno = 0;
    if (!file.open(QIODevice::WriteOnly))
        return failed();
    const qint64 bytes = rows * cols * dtypeSize(array.dtype());
    if (file.write(preamble) != preamble.size() || file.write(header) != header.size() ||
        file.write(rawData(array), bytes) != bytes)
        return failed();
    errno = 0;
    if (!file.commit())
        return Failure{FailureCode::Input, u"cannot write: "_s + reason(errno), path, -1};
    return std::nullopt;
}

} // namespace brigade
