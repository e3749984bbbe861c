// CSV lexing, shared by the sniffer, the parser and the chunker: numbers, UTF-8, fields, quotes and line
// ends.
#pragma once

#include <QString>

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace brigade::csv {

inline constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr qsizetype KeptSkippedLines = 10;
inline constexpr qsizetype QuotedCellChars = 80; // of a cell shown in a message

inline bool isSpaceOrTab(char ch)
{
    return ch == ' ' || ch == '\t';
}

inline std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && isSpaceOrTab(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpaceOrTab(s.back()))
        s.remove_suffix(1);
    return s;
}

bool isBlank(const char *begin, const char *end);

inline QString fromUtf8(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// Offset of the first byte that does not start a valid UTF-8 sequence, or npos.
size_t invalidUtf8At(std::string_view s);

// Clinger's fast path: a decimal whose digits fit in 53 bits and whose power of ten is at most 22 is
// one correctly rounded IEEE operation on exact operands, so it equals from_chars at a third of the cost.
// Returns the end of the number, or nullptr when from_chars must decide. Always inlined: it is the parser's
// hot loop, and a call per field costs a tenth of the parse.
[[gnu::always_inline]] inline const char *readSimpleDecimal(const char *p, const char *end, double &value)
{
    static constexpr std::array<double, 23> PowersOfTen{1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const bool negative = p < end && *p == '-';
    p += negative;
    std::uint64_t mantissa = 0;
    int digits = 0;
    int exponent = 0;
    for (; p < end && unsigned(*p - '0') < 10; ++p, ++digits)
        mantissa = mantissa * 10 + unsigned(*p - '0');
    if (p < end && *p == '.') {
        const char *fraction = ++p;
        for (; p < end && unsigned(*p - '0') < 10; ++p)
            mantissa = mantissa * 10 + unsigned(*p - '0');
        exponent = -int(p - fraction);
        digits += int(p - fraction);
    }
    if (digits == 0 || digits > 19) // not a number here, or the mantissa may have wrapped
        return nullptr;
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        const bool negativeExponent = p < end && *p == '-';
        p += p < end && (*p == '-' || *p == '+');
        const char *first = p;
        int e = 0;
        for (; p < end && unsigned(*p - '0') < 10 && p - first < 4; ++p)
            e = e * 10 + (*p - '0');
        if (p == first || (p < end && unsigned(*p - '0') < 10))
            return nullptr;
        exponent += negativeExponent ? -e : e;
    }
    if (mantissa > (std::uint64_t(1) << 53) || exponent < -22 || exponent > 22)
        return nullptr;
    const double magnitude = exponent < 0 ? double(mantissa) / PowersOfTen[size_t(-exponent)]
                                          : double(mantissa) * PowersOfTen[size_t(exponent)];
    value = negative ? -magnitude : magnitude;
    return p;
}

enum class Cell : unsigned char { Number, Missing, Text };

// Classifies one unquoted cell's content and reads its value (NaN unless a number): locale-independent,
// with nan, inf, exponents, a leading '+' and surrounding spaces; empty and "NA" are missing.
Cell classify(std::string_view content, double &value);

// Where parsing is, and the physical line it is on.
struct Cursor {
    const char *p;
    const char *end;
    const char *lineStart;
    qint64 line = 0; // line breaks passed since the cursor started
};

// An error found while parsing; `line` counts line breaks from where the cursor started.
struct ParseError {
    qint64 line = 0;
    QString message;
};

struct Dialect {
    char delimiter = ',';
    std::array<bool, 256> special{}; // bytes that end an unquoted run: the delimiter, '"', CR, LF
    bool fastNumbers = true;         // from_chars may read a field directly (it never eats the delimiter)
    qint64 maxLineBytes = 16 << 20;
    const char *base = nullptr; // the file's first byte, for offsets in messages
    qint64 origin = 0;          // the file offset of `base` when only a chunk of the file is in memory

    Dialect(char delim, qint64 maxLine, const char *fileStart, qint64 fileOffset = 0);

    qint64 offset(const char *at) const { return origin + qint64(at - base); }
    ParseError longLine(const Cursor &c) const;
};

// Reads the field at c.p up to (not including) the delimiter, a line ending or the end. A quote toggles
// quoting wherever it appears and "" inside quotes is a quote, so the quoting state at any byte is the
// parity of the quotes before it: what lets ranges be split without parsing what precedes them.
// `content` views the input when the field has no quote, else `scratch`.
bool scanField(Cursor &c, const Dialect &d, std::string &scratch, std::string_view &content, bool &quoted,
               ParseError &error);

enum class FieldEnd { Delimiter, Record, TooLong };

// After a field at c.p: passes the delimiter (Delimiter), or the line ending or the end of the input
// (Record, with `recordEnd` at the record's last byte + 1); TooLong when the line is over the maximum.
// `end` and `delimiter` are c.end and the dialect's, passed as values the caller's loop keeps in registers.
[[gnu::always_inline]] inline FieldEnd endField(Cursor &c, const char *end, char delimiter,
                                                qint64 maxLineBytes, const char *&recordEnd)
{
    if (c.p == end) {
        recordEnd = end;
        return end - c.lineStart > maxLineBytes ? FieldEnd::TooLong : FieldEnd::Record;
    }
    if (*c.p == delimiter) {
        ++c.p;
        return FieldEnd::Delimiter;
    }
    if (c.p - c.lineStart > maxLineBytes)
        return FieldEnd::TooLong;
    recordEnd = c.p;
    if (*c.p == '\r' && c.p + 1 < end && c.p[1] == '\n')
        ++c.p;
    ++c.p;
    ++c.line;
    c.lineStart = c.p;
    return FieldEnd::Record;
}

// The message for a record whose field count differs from the first record's.
QString raggedRowMessage(qint64 fields, bool header, qint64 columns, qint64 byte);

// The number of physical line breaks in [from, to).
qint64 lineBreaks(const char *from, const char *to);

// The number of quotes in [from, to).
qint64 countQuotes(const char *from, const char *to);

// The fields of the record [from, to) for `delimiter`: one more than the delimiters outside quotes.
int countFields(const char *from, const char *to, char delimiter);

// The line endings (CR or LF) outside quotes in [from, to), given the quoting state at `from` (left as it
// is at the end): calls ending(q) at each; stops at the first for which it returns false and returns it.
template<typename Ending>
const char *scanUnquotedEndings(const char *from, const char *to, bool &quoted, Ending &&ending)
{
    for (const char *q = from; q < to; ++q) {
        const char ch = *q;
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && (ch == '\n' || ch == '\r') && !ending(q))
            return q;
    }
    return to;
}

// After the first line ending in [from, to) outside quotes, given the quoting state at `from`; a CRLF
// is whole when it lies before fileEnd. nullptr when there is none.
const char *firstBoundary(const char *from, const char *to, const char *fileEnd, bool quoted);

// The non-blank records of a text read in blocks: line ends outside quotes that close a line with
// content, as the parser counts them (blank lines are not records).
class RecordCounter
{
public:
    void feed(const char *block, qint64 n);
    qint64 records() const { return m_records + (m_lineStart < m_pos ? 1 : 0); }

private:
    bool m_quoted = false;
    qint64 m_records = 0;
    qint64 m_pos = 0;       // bytes fed
    qint64 m_lineStart = 0; // the offset after the last line end outside quotes
};

} // namespace brigade::csv
