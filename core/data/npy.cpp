#include "core/data/npy.h"

#include <QFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QtEndian>

#include <cstring>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr char Magic[] = "\x93NUMPY";
constexpr qint64 MaxHeaderBytes = 10000;

struct NpyHeader {
    QString descr;
    bool fortran = false;
    QList<qint64> shape;
};

Result<NpyHeader> parseHeader(const QString &path, const QString &text)
{
    NpyHeader h;
    static const QRegularExpression descrRe(uR"('descr'\s*:\s*'([^']*)')"_s);
    static const QRegularExpression orderRe(uR"('fortran_order'\s*:\s*(True|False))"_s);
    static const QRegularExpression shapeRe(uR"('shape'\s*:\s*\(([^)]*)\))"_s);
    const auto d = descrRe.match(text);
    const auto o = orderRe.match(text);
    const auto s = shapeRe.match(text);
    if (!d.hasMatch() || !o.hasMatch() || !s.hasMatch())
        return inputFailure(path, u"malformed .npy header: "_s + text.trimmed());
    h.descr = d.captured(1);
    h.fortran = o.captured(1) == u"True"_s;
    for (const QString &part : s.captured(1).split(u',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const qint64 n = part.trimmed().toLongLong(&ok);
        if (!ok || n < 0)
            return inputFailure(path, u"malformed shape in .npy header: ("_s + s.captured(1) + u')');
        h.shape.append(n);
    }
    return h;
}

} // namespace

Result<SharedArray> readNpy(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    const QByteArray preamble = file.read(10);
    if (preamble.size() < 10 || std::memcmp(preamble.constData(), Magic, 6) != 0)
        return inputFailure(path, u"not a NumPy .npy file (bad magic)"_s, 0);
    const int major = static_cast<unsigned char>(preamble[6]);
    qint64 headerLength = 0;
    qint64 headerStart = 10;
    if (major == 1) {
        headerLength = qFromLittleEndian<quint16>(preamble.constData() + 8);
    } else if (major == 2 || major == 3) {
        const QByteArray more = file.read(2);
        if (more.size() < 2)
            return inputFailure(path, u"truncated .npy header"_s, 10);
        const QByteArray lengthBytes = preamble.mid(8) + more;
        headerLength = qFromLittleEndian<quint32>(lengthBytes.constData());
        headerStart = 12;
    } else {
        return inputFailure(path, u"unsupported .npy format version %1"_s.arg(major), 6);
    }
    if (headerLength > MaxHeaderBytes)
        return inputFailure(
            path, u".npy header of %1 bytes exceeds the limit of %2"_s.arg(headerLength).arg(MaxHeaderBytes),
            headerStart);
    const QByteArray headerBytes = file.read(headerLength);
    if (headerBytes.size() != headerLength)
        return inputFailure(path, u"truncated .npy header"_s, headerStart);
    auto header = parseHeader(path, QString::fromLatin1(headerBytes));
    if (!header)
        return header.failure();
    if (header->descr != u"<f8"_s && header->descr != u"|f8"_s)
        return inputFailure(path, u"dtype '%1' is not supported yet (float64 '<f8' is)"_s.arg(header->descr),
                            headerStart);
    if (header->shape.size() < 1 || header->shape.size() > 2)
        return inputFailure(path,
                            u"only 1-D and 2-D arrays are supported, not %1-D"_s.arg(header->shape.size()),
                            headerStart);
    const qint64 rows = header->shape[0];
    const qint64 cols = header->shape.size() == 2 ? header->shape[1] : 1;
    const qint64 dataStart = headerStart + headerLength;
    const qint64 expected = rows * cols * 8;
    if (file.size() - dataStart != expected)
        return inputFailure(
            path,
            u"data is %1 bytes but shape (%2, %3) of float64 needs %4"_s.arg(file.size() - dataStart)
                .arg(rows)
                .arg(cols)
                .arg(expected),
            dataStart);

    QStringList names;
    if (header->shape.size() == 1)
        names << u"value"_s;
    else
        for (qint64 c = 0; c < cols; ++c)
            names << u"c%1"_s.arg(c);
    auto array = SharedArray::create(Dtype::Float64, rows, cols, names);
    if (!array)
        return array.failure();
    double *out = array->data<double>();
    if (header->fortran || cols == 1) {
        if (file.read(reinterpret_cast<char *>(out), expected) != expected)
            return inputFailure(path, u"read error: "_s + file.errorString(), dataStart);
    } else {
        // C order on disk, column-major in memory: transpose one block of rows at a time.
        const qint64 blockRows = std::max<qint64>(1, (4 << 20) / (cols * 8));
        QByteArray block;
        for (qint64 r0 = 0; r0 < rows; r0 += blockRows) {
            const qint64 n = std::min(blockRows, rows - r0);
            block = file.read(n * cols * 8);
            if (block.size() != n * cols * 8)
                return inputFailure(path, u"read error: "_s + file.errorString(), file.pos());
            const auto *in = reinterpret_cast<const double *>(block.constData());
            for (qint64 r = 0; r < n; ++r)
                for (qint64 c = 0; c < cols; ++c)
                    out[c * rows + r0 + r] = in[r * cols + c];
        }
    }
    return array;
}

std::optional<Failure> writeNpy(const QString &path, const SharedArray &array)
{
    if (array.dtype() != Dtype::Float64)
        return Failure{FailureCode::System, u"only float64 arrays can be written"_s, path, -1};
    const QString shape =
        array.cols() == 1 ? u"(%1,)"_s.arg(array.rows()) : u"(%1, %2)"_s.arg(array.rows()).arg(array.cols());
    QByteArray dict = u"{'descr': '<f8', 'fortran_order': True, 'shape': %1, }"_s.arg(shape).toLatin1();
    const qint64 unpadded = 10 + dict.size() + 1;
    dict.append(QByteArray((64 - unpadded % 64) % 64, ' '));
    dict.append('\n');
    QByteArray preamble(Magic, 6);
    preamble.append(char(1)).append(char(0));
    char length[2];
    qToLittleEndian<quint16>(static_cast<quint16>(dict.size()), length);
    preamble.append(length, 2);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Failure{FailureCode::Input, u"cannot write: "_s + file.errorString(), path, -1};
    file.write(preamble);
    file.write(dict);
    const qint64 bytes = array.rows() * array.cols() * 8;
    file.write(reinterpret_cast<const char *>(array.data<double>()), bytes);
    if (!file.commit())
        return Failure{FailureCode::Input, u"cannot write: "_s + file.errorString(), path, -1};
    return std::nullopt;
}

} // namespace brigade
