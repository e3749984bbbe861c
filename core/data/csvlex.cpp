// CSV lexing: numbers, UTF-8 validation, quote-aware fields and line ends, quote and record counting.
#include "core/data/csvlex.h"

#include "core/data/csv.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <system_error>

using namespace Qt::StringLiterals;

namespace brigade::csv {

namespace {

// from_chars reports a finite decimal beyond double's range; like Python, overflow is inf and underflow 0.
double outOfRangeValue(std::string_view s)
{
    const bool negative = s.front() == '-';
    if (s.front() == '-' || s.front() == '+')
        s.remove_prefix(1);
    const size_t e = s.find_first_of("eE");
    const std::string_view mantissa = s.substr(0, e);
    qint64 exponent = 0;
    if (e != std::string_view::npos) {
        std::string_view digits = s.substr(e + 1);
        const bool negativeExponent = !digits.empty() && digits.front() == '-';
        if (!digits.empty() && (digits.front() == '-' || digits.front() == '+'))
            digits.remove_prefix(1);
        for (char ch : digits)
            exponent = std::min<qint64>(exponent * 10 + (ch - '0'), qint64(1) << 40);
        if (negativeExponent)
            exponent = -exponent;
    }
    // The position of the first significant digit relative to the decimal point.
    const size_t point = std::min(mantissa.find('.'), mantissa.size());
    const size_t firstDigit = mantissa.find_first_of("123456789");
    if (firstDigit != std::string_view::npos)
        exponent += firstDigit < point ? qint64(point - firstDigit) : -qint64(firstDigit - point - 1);
    const double magnitude = exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -magnitude : magnitude;
}

// Passes the line breaks inside a quoted section [from, to), checking the length of every line.
bool passQuotedLines(Cursor &c, const Dialect &d, const char *from, const char *to, ParseError &error)
{
    for (const char *q = from; q < to; ++q) {
        if (*q != '\n' && *q != '\r')
            continue;
        if (q - c.lineStart > d.maxLineBytes) {
            error = d.longLine(c);
            return false;
        }
        if (*q == '\r' && q + 1 < to && q[1] == '\n')
            ++q;
        ++c.line;
        c.lineStart = q + 1;
    }
    if (to - c.lineStart > d.maxLineBytes) {
        error = d.longLine(c);
        return false;
    }
    return true;
}

} // namespace

bool isBlank(const char *begin, const char *end)
{
    return std::all_of(begin, end, isSpaceOrTab);
}

size_t invalidUtf8At(std::string_view s)
{
    const auto *b = reinterpret_cast<const unsigned char *>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) { // text is mostly ASCII: skip it a word at a time
            std::uint64_t word;
            std::memcpy(&word, b + i, 8);
            if ((word & 0x8080808080808080ULL) == 0) {
                i += 8;
                continue;
            }
        }
        const unsigned lead = b[i];
        if (lead < 0x80) {
            ++i;
            continue;
        }
        size_t len = 0;
        unsigned lo = 0x80, hi = 0xBF; // the range of the second byte excludes overlongs and surrogates
        if (lead >= 0xC2 && lead <= 0xDF)
            len = 2;
        else if (lead == 0xE0)
            len = 3, lo = 0xA0;
        else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF)
            len = 3;
        else if (lead == 0xED)
            len = 3, hi = 0x9F;
        else if (lead == 0xF0)
            len = 4, lo = 0x90;
        else if (lead >= 0xF1 && lead <= 0xF3)
            len = 4;
        else if (lead == 0xF4)
            len = 4, hi = 0x8F;
        else
            return i;
        if (i + len > n || b[i + 1] < lo || b[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; ++k)
            if ((b[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return std::string_view::npos;
}

Cell classify(std::string_view content, double &value)
{
    std::string_view s = trimmed(content);
    value = NaN;
    if (s.empty() || s == "NA")
        return Cell::Missing;
    if (s.front() == '+' && s.size() > 1 && s[1] != '-' && s[1] != '+')
        s.remove_prefix(1); // from_chars refuses a leading '+'
    double parsed = NaN;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (end != s.data() + s.size() || (ec != std::errc() && ec != std::errc::result_out_of_range))
        return Cell::Text;
    value = ec == std::errc() ? parsed : outOfRangeValue(s);
    return Cell::Number;
}

Dialect::Dialect(char delim, qint64 maxLine, const char *fileStart, qint64 fileOffset)
    : delimiter(delim)
    , maxLineBytes(maxLine)
    , base(fileStart)
    , origin(fileOffset)
{
    for (char ch : {delim, '"', '\n', '\r'})
        special[static_cast<unsigned char>(ch)] = true;
    const auto d = static_cast<unsigned char>(delim);
    fastNumbers = !(std::isalnum(d) || std::strchr(".+-()_", delim));
}

ParseError Dialect::longLine(const Cursor &c) const
{
    return {c.line,
            u"line over the maximum of %1 bytes (byte %2)"_s.arg(maxLineBytes).arg(offset(c.lineStart))};
}

bool scanField(Cursor &c, const Dialect &d, std::string &scratch, std::string_view &content, bool &quoted,
               ParseError &error)
{
    const char *q = c.p;
    while (q < c.end && !d.special[static_cast<unsigned char>(*q)])
        ++q;
    if (q == c.end || *q != '"') {
        content = std::string_view(c.p, size_t(q - c.p));
        quoted = false;
        c.p = q;
        return true;
    }
    quoted = true;
    scratch.assign(c.p, q);
    while (true) {
        const char *open = q++;
        const qint64 openLine = c.line;
        while (true) {
            const auto *close = static_cast<const char *>(std::memchr(q, '"', size_t(c.end - q)));
            if (!close) {
                error = {openLine,
                         u"unterminated quote: the quote at byte %1 is never closed"_s.arg(d.offset(open))};
                return false;
            }
            if (!passQuotedLines(c, d, q, close, error))
                return false;
            scratch.append(q, close);
            if (close + 1 < c.end && close[1] == '"') {
                scratch.push_back('"');
                q = close + 2;
                continue;
            }
            q = close + 1;
            break;
        }
        const char *run = q;
        while (q < c.end && !d.special[static_cast<unsigned char>(*q)])
            ++q;
        scratch.append(run, q);
        if (q == c.end || *q != '"')
            break;
    }
    c.p = q;
    content = scratch;
    return true;
}

QString raggedRowMessage(qint64 fields, bool header, qint64 columns, qint64 byte)
{
    return u"row has %1 fields but the %2 has %3 (byte %4)"_s.arg(fields)
        .arg(header ? u"header"_s : u"first row"_s)
        .arg(columns)
        .arg(byte);
}

qint64 lineBreaks(const char *from, const char *to)
{
    qint64 n = 0;
    for (const char *q = from; q < to; ++q)
        n += *q == '\n' || (*q == '\r' && (q + 1 == to || q[1] != '\n'));
    return n;
}

qint64 countQuotes(const char *from, const char *to)
{
    qint64 n = 0;
    while (from < to) {
        from = static_cast<const char *>(std::memchr(from, '"', size_t(to - from)));
        if (!from)
            break;
        ++n;
        ++from;
    }
    return n;
}

int countFields(const char *from, const char *to, char delimiter)
{
    int fields = 1;
    bool quoted = false;
    for (const char *q = from; q < to; ++q) {
        if (*q == '"')
            quoted = !quoted;
        else if (*q == delimiter && !quoted)
            ++fields;
    }
    return fields;
}

const char *firstBoundary(const char *from, const char *to, const char *fileEnd, bool quoted)
{
    const char *q = scanUnquotedEndings(from, to, quoted, [](const char *) { return false; });
    if (q == to)
        return nullptr;
    return q + 1 + (*q == '\r' && q + 1 < fileEnd && q[1] == '\n');
}

void RecordCounter::feed(const char *block, qint64 n)
{
    scanUnquotedEndings(block, block + n, m_quoted, [&](const char *q) {
        const qint64 at = m_pos + qint64(q - block);
        m_records += at > m_lineStart ? 1 : 0;
        m_lineStart = at + 1;
        return true;
    });
    m_pos += n;
}

} // namespace brigade::csv

namespace brigade {

bool csvNumber(std::string_view cell, double &value)
{
    return csv::classify(cell, value) == csv::Cell::Number;
}

} // namespace brigade
