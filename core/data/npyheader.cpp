// The .npy header's dict, parsed by a small recursive-descent parser rather than pattern matching.
#include "core/data/npyheader.h"

#include <QStringList>

#include <vector>

using namespace Qt::StringLiterals;

namespace brigade::npy {

namespace {

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

// Checks the parsed dict the way numpy does: exactly the three keys, each of the right type.
Result<Header> interpretHeader(const QString &path, const PyValue &dict, const QString &excerpt,
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

    Header h;
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

} // namespace

QString shapeText(const QList<qint64> &shape)
{
    QStringList parts;
    for (qint64 n : shape)
        parts.append(QString::number(n));
    return u"("_s + parts.join(u", "_s) + (shape.size() == 1 ? u",)"_s : u")"_s);
}

Result<Header> parseHeader(const QString &path, const QString &text, qint64 headerStart)
{
    QString excerpt = text.simplified();
    if (excerpt.size() > 160)
        excerpt = excerpt.first(157) + u"..."_s;
    PyValue dict;
    LiteralParser parser(text);
    if (!parser.parse(dict)) {
        const qint64 at = headerStart + text.first(parser.errorIndex()).toUtf8().size();
        return inputFailure(path, u"malformed .npy header: %1 in %2"_s.arg(parser.error(), excerpt), at);
    }
    return interpretHeader(path, dict, excerpt, headerStart);
}

} // namespace brigade::npy
