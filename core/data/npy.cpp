// NumPy .npy reading (plain numeric dtypes, converted to float64 block by block) and atomic writing.
#include "core/data/npy.h"

#include <QFile>
#include <QSaveFile>
#include <QStringDecoder>
#include <QtEndian>
#include <QtNumeric>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr char Magic[] = "\x93NUMPY";
constexpr qint64 MagicBytes = 6;
// numpy itself refuses longer headers by default (max_header_size): such a header is damage or an attack.
constexpr qint64 MaxHeaderBytes = 10000;
// Big enough for efficient reads, small enough to stay in cache while it is converted.
constexpr qint64 BlockBytes = 4 << 20;
// A C-order tile spans at least this many rows, so each column of the transposed output gets whole cache
// lines; wider rows are split into column ranges instead.
constexpr qint64 MinTileRows = 8;
// Headers nest at most a few levels (structured dtypes); deeper input is garbage and must not blow the stack.
constexpr int MaxNesting = 32;

// ---------------------------------------------------------------------------------------------------------
// The header: a Python literal dict, parsed by a small recursive-descent parser rather than pattern
// matching, so that key order, spacing, trailing commas and quoting do not matter.

struct PyValue {
    enum class Kind { String, Integer, Bool, None, Tuple, List, Dict };
    Kind kind = Kind::None;
    QString string;
    qint64 integer = 0;
    bool overflow = false; // an integer literal beyond qint64
    bool boolean = false;
    std::vector<PyValue> items; // Tuple and List elements, Dict values
    QStringList keys;           // Dict keys, parallel to items
};

class LiteralParser
{
public:
    explicit LiteralParser(QStringView text)
        : m_text(text)
    {}

    // The whole text as one value, or false with error() and errorIndex() set.
    bool parse(PyValue &out)
    {
        if (!parseValue(out, 0))
            return false;
        skipSpace();
        if (m_pos != m_text.size())
            return fail(u"unexpected text after the dict"_s);
        return true;
    }

    QString error() const { return m_error; }
    qsizetype errorIndex() const { return m_errorIndex; }

private:
    bool fail(const QString &message)
    {
        m_error = message;
        m_errorIndex = m_pos;
        return false;
    }
    static bool isDigit(QChar c) { return c >= u'0' && c <= u'9'; } // Python's other digits are not literals
    bool atEnd() const { return m_pos >= m_text.size(); }
    QChar peek() const { return atEnd() ? QChar() : m_text[m_pos]; }

    void skipSpace()
    {
        while (!atEnd() && (peek() == u' ' || peek() == u'\t' || peek() == u'\n' || peek() == u'\r' ||
                            peek() == u'\f' || peek() == u'\v'))
            ++m_pos;
    }

    bool parseValue(PyValue &out, int depth)
    {
        if (depth > MaxNesting)
            return fail(u"nested too deeply"_s);
        skipSpace();
        if (atEnd())
            return fail(u"unexpected end"_s);
        const QChar c = peek();
        if (c == u'{')
            return parseDict(out, depth);
        if (c == u'(')
            return parseSequence(out, depth, u')', PyValue::Kind::Tuple);
        if (c == u'[')
            return parseSequence(out, depth, u']', PyValue::Kind::List);
        if (c == u'\'' || c == u'"')
            return parseString(out);
        if (isDigit(c) || c == u'-' || c == u'+')
            return parseInteger(out);
        if (c.isLetter() || c == u'_')
            return parseName(out);
        return fail(u"unexpected character '%1'"_s.arg(c));
    }

    bool parseDict(PyValue &out, int depth)
    {
        out = PyValue{};
        out.kind = PyValue::Kind::Dict;
        ++m_pos; // '{'
        for (;;) {
            skipSpace();
            if (peek() == u'}') {
                ++m_pos;
                return true;
            }
            const qsizetype keyIndex = m_pos;
            PyValue key;
            if (!parseValue(key, depth + 1))
                return false;
            if (key.kind != PyValue::Kind::String) {
                m_pos = keyIndex;
                return fail(u"a dict key is not a string"_s);
            }
            if (out.keys.contains(key.string)) {
                m_pos = keyIndex;
                return fail(u"duplicate key '%1'"_s.arg(key.string));
            }
            skipSpace();
            if (peek() != u':')
                return fail(u"expected ':' after key '%1'"_s.arg(key.string));
            ++m_pos;
            PyValue value;
            if (!parseValue(value, depth + 1))
                return false;
            out.keys.append(key.string);
            out.items.push_back(std::move(value));
            skipSpace();
            if (peek() == u',')
                ++m_pos;
            else if (peek() != u'}')
                return fail(u"expected ',' or '}'"_s);
        }
    }

    bool parseSequence(PyValue &out, int depth, QChar close, PyValue::Kind kind)
    {
        std::vector<PyValue> items;
        bool sawComma = false;
        ++m_pos; // '(' or '['
        for (;;) {
            skipSpace();
            if (peek() == close) {
                ++m_pos;
                break;
            }
            PyValue item;
            if (!parseValue(item, depth + 1))
                return false;
            items.push_back(std::move(item));
            skipSpace();
            if (peek() == u',') {
                ++m_pos;
                sawComma = true;
            } else if (peek() != close) {
                return fail(u"expected ',' or '%1'"_s.arg(close));
            }
        }
        // As in Python, "(5)" is the number 5 in parentheses, not a tuple.
        if (kind == PyValue::Kind::Tuple && items.size() == 1 && !sawComma) {
            out = std::move(items.front());
            return true;
        }
        out = PyValue{};
        out.kind = kind;
        out.items = std::move(items);
        return true;
    }

    bool parseString(PyValue &out)
    {
        const QChar quote = peek();
        ++m_pos;
        QString s;
        for (;;) {
            if (atEnd() || peek() == u'\n')
                return fail(u"unterminated string"_s);
            QChar c = m_text[m_pos++];
            if (c == quote)
                break;
            if (c == u'\\') {
                if (atEnd())
                    return fail(u"unterminated string"_s);
                c = m_text[m_pos++];
                if (c == u'n')
                    c = u'\n';
                else if (c == u't')
                    c = u'\t';
                else if (c != u'\\' && c != u'\'' && c != u'"')
                    s.append(u'\\'); // other escapes never occur in a dtype; keep them visible
            }
            s.append(c);
        }
        out = PyValue{};
        out.kind = PyValue::Kind::String;
        out.string = std::move(s);
        return true;
    }

    bool parseInteger(PyValue &out)
    {
        bool negative = false;
        if (peek() == u'-' || peek() == u'+')
            negative = m_text[m_pos++] == u'-';
        if (!isDigit(peek()))
            return fail(u"expected a digit"_s);
        quint64 magnitude = 0;
        bool overflow = false;
        while (isDigit(peek())) {
            const auto digit = static_cast<quint64>(peek().unicode() - u'0');
            overflow = overflow || qMulOverflow(magnitude, quint64(10), &magnitude) ||
                       qAddOverflow(magnitude, digit, &magnitude);
            ++m_pos;
        }
        if (peek() == u'L' || peek() == u'l') // Python 2 longs, written by old numpy versions
            ++m_pos;
        const auto limit = static_cast<quint64>(std::numeric_limits<qint64>::max());
        out = PyValue{};
        out.kind = PyValue::Kind::Integer;
        out.overflow = overflow || magnitude > limit + (negative ? 1 : 0);
        if (!out.overflow)
            out.integer = negative ? static_cast<qint64>(0 - magnitude) : static_cast<qint64>(magnitude);
        return true;
    }

    bool parseName(PyValue &out)
    {
        const qsizetype start = m_pos;
        while (!atEnd() && (peek().isLetterOrNumber() || peek() == u'_'))
            ++m_pos;
        const QStringView name = m_text.sliced(start, m_pos - start);
        out = PyValue{};
        if (name == u"True" || name == u"False") {
            out.kind = PyValue::Kind::Bool;
            out.boolean = name == u"True";
        } else if (name != u"None") {
            m_pos = start;
            return fail(u"unexpected name '%1'"_s.arg(name));
        }
        return true;
    }

    QStringView m_text;
    qsizetype m_pos = 0;
    QString m_error;
    qsizetype m_errorIndex = 0;
};

struct NpyHeader {
    QString descr;
    bool fortran = false;
    QList<qint64> shape;
};

QString shapeText(const QList<qint64> &shape)
{
    QStringList parts;
    for (qint64 n : shape)
        parts.append(QString::number(n));
    return u"("_s + parts.join(u", "_s) + (shape.size() == 1 ? u",)"_s : u")"_s);
}

// Checks the parsed dict the way numpy does: exactly the three keys, each of the right type.
Result<NpyHeader> interpretHeader(const QString &path, const PyValue &dict, const QString &excerpt,
                                  qint64 position)
{
    const auto malformed = [&](const QString &why) {
        return inputFailure(path, u"malformed .npy header: %1 in %2"_s.arg(why, excerpt), position);
    };
    if (dict.kind != PyValue::Kind::Dict)
        return malformed(u"not a dict"_s);
    static const QStringList Expected{u"descr"_s, u"fortran_order"_s, u"shape"_s};
    for (const QString &key : dict.keys)
        if (!Expected.contains(key))
            return malformed(u"unexpected key '%1'"_s.arg(key));
    for (const QString &key : Expected)
        if (!dict.keys.contains(key))
            return malformed(u"missing key '%1'"_s.arg(key));
    const auto value = [&](const QString &key) -> const PyValue & {
        return dict.items[static_cast<std::size_t>(dict.keys.indexOf(key))];
    };

    NpyHeader h;
    const PyValue &descr = value(u"descr"_s);
    if (descr.kind == PyValue::Kind::List)
        return inputFailure(path,
                            u"structured dtypes (descr is a list of fields) are not supported, only plain "
                            "numeric arrays: "_s +
                                excerpt,
                            position);
    if (descr.kind != PyValue::Kind::String)
        return malformed(u"'descr' is not a string"_s);
    h.descr = descr.string;

    const PyValue &order = value(u"fortran_order"_s);
    if (order.kind != PyValue::Kind::Bool)
        return malformed(u"'fortran_order' is not True or False"_s);
    h.fortran = order.boolean;

    const PyValue &shape = value(u"shape"_s);
    if (shape.kind != PyValue::Kind::Tuple)
        return malformed(u"'shape' is not a tuple"_s);
    for (const PyValue &n : shape.items) {
        if (n.kind != PyValue::Kind::Integer)
            return malformed(u"'shape' holds something other than integers"_s);
        if (n.overflow)
            return inputFailure(path, u"invalid shape: a dimension is too large for 64 bits in "_s + excerpt,
                                position);
        if (n.integer < 0)
            return inputFailure(path, u"invalid shape: negative dimension %1 in "_s.arg(n.integer) + excerpt,
                                position);
        h.shape.append(n.integer);
    }
    return h;
}

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
    const QString supported = u"is not supported (supported: f8 f4 i8 i4 i2 i1 u8 u4 u2 u1 b1)"_s;
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

// ---------------------------------------------------------------------------------------------------------
// Writing.

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
    QString excerpt = text.simplified();
    if (excerpt.size() > 160)
        excerpt = excerpt.first(157) + u"..."_s;

    PyValue dict;
    LiteralParser parser(text);
    if (!parser.parse(dict)) {
        const qint64 at = headerStart + text.first(parser.errorIndex()).toUtf8().size();
        return inputFailure(path, u"malformed .npy header: %1 in %2"_s.arg(parser.error(), excerpt), at);
    }
    auto header = interpretHeader(path, dict, excerpt, headerStart);
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
                                .arg(shapeText(shape)),
                            headerStart);
    const qint64 rows = shape[0];
    const qint64 cols = shape.size() == 2 ? shape[1] : 1;
    qint64 count = 0;
    qint64 expected = 0;
    qint64 outputBytes = 0;
    if (qMulOverflow(rows, cols, &count) || qMulOverflow(count, codec->size, &expected) ||
        qMulOverflow(count, qint64(sizeof(double)), &outputBytes))
        return inputFailure(
            path, u"invalid shape %1: the number of bytes overflows 64 bits"_s.arg(shapeText(shape)),
            headerStart);

    const qint64 dataStart = headerStart + headerLength;
    const qint64 available = file.size() - dataStart;
    if (available < expected)
        return inputFailure(
            path,
            u"truncated data: %1 bytes follow the header but shape %2 of '%3' needs %4"_s.arg(available)
                .arg(shapeText(shape), header->descr)
                .arg(expected),
            file.size());
    if (available > expected)
        return inputFailure(
            path,
            u"%1 extra bytes after the data: shape %2 of '%3' needs %4 but %5 follow the header"_s
                .arg(available - expected)
                .arg(shapeText(shape), header->descr)
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
    if (count == 0)
        return array;
    double *out = array->data<double>();
    const bool contiguous = layout->fortran || rows == 1 || cols == 1;
    if (auto failure = contiguous ? readContiguous(file, path, dataStart, codec, count, out)
                                  : readTransposed(file, path, dataStart, codec, rows, cols, out))
        return *failure;
    return array;
}

std::optional<Failure> writeNpy(const QString &path, const SharedArray &array)
{
    const QString descr = descrOf(array.dtype());
    if (descr.isEmpty())
        return Failure{FailureCode::System, u"cannot write arrays of this dtype as .npy"_s, path, -1};
    const qint64 rows = array.rows();
    const qint64 cols = array.cols();
    const QString shape = cols == 1 ? u"(%1,)"_s.arg(rows) : u"(%1, %2)"_s.arg(rows).arg(cols);
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
