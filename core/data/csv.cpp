// CSV/TSV reading: dialect sniffing, a quote-aware split into byte ranges and a per-range column parser.
#include "core/data/csv.h"

#include <QFile>
#include <QFileInfo>
#include <QThread>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::array<char, 4> CandidateDelimiters{',', '\t', ';', '|'};
constexpr int SniffRecords = 64;          // records looked at for the delimiter, the header and the kinds
constexpr qint64 SniffBytes = 1 << 20;    // ...but no more bytes than this after the first record
constexpr qint64 SniffReadCap = 64 << 20; // sniffCsv gives up waiting for a complete record here
constexpr qint64 BlockValues = 1 << 18;   // values are parsed into blocks of about this many, all columns
constexpr qint64 MinRangeBytes = 1 << 20; // automatic parallelism gives each range at least this
constexpr int MaxThreads = 256;
constexpr qsizetype KeptSkippedLines = 10;
constexpr qsizetype QuotedCellChars = 80; // of a cell shown in a message

bool isSpaceOrTab(char ch)
{
    return ch == ' ' || ch == '\t';
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && isSpaceOrTab(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpaceOrTab(s.back()))
        s.remove_suffix(1);
    return s;
}

bool isBlank(const char *begin, const char *end)
{
    return std::all_of(begin, end, isSpaceOrTab);
}

QString fromUtf8(std::string_view s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

// Offset of the first byte that does not start a valid UTF-8 sequence, or npos.
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

// Clinger's fast path: a decimal whose digits fit in 53 bits and whose power of ten is at most 22 is
// one correctly rounded IEEE operation on exact operands, so it equals from_chars at a third of the cost.
// Returns the end of the number, or nullptr when from_chars must decide.
const char *readSimpleDecimal(const char *p, const char *end, double &value)
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

// Classifies one unquoted cell's content and reads its value (NaN unless a number).
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

    Dialect(char delim, qint64 maxLine, const char *fileStart, qint64 fileOffset = 0)
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

    qint64 offset(const char *at) const { return origin + qint64(at - base); }

    ParseError longLine(const Cursor &c) const
    {
        return {c.line,
                u"line over the maximum of %1 bytes (byte %2)"_s.arg(maxLineBytes).arg(offset(c.lineStart))};
    }
};

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

// Reads the field at c.p up to (not including) the delimiter, a line ending or the end. A quote toggles
// quoting wherever it appears and "" inside quotes is a quote, so the quoting state at any byte is the
// parity of the quotes before it: what lets ranges be split without parsing what precedes them.
// `content` views the input when the field has no quote, else `scratch`.
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

// The number of physical line breaks in [from, to).
qint64 lineBreaks(const char *from, const char *to)
{
    qint64 n = 0;
    for (const char *q = from; q < to; ++q)
        n += *q == '\n' || (*q == '\r' && (q + 1 == to || q[1] != '\n'));
    return n;
}

// ---- sniffing --------------------------------------------------------------------------------------

// One record's raw bytes (without its line ending) as found by scanning for unquoted line endings.
struct Span {
    const char *begin = nullptr;
    const char *end = nullptr;
    const char *next = nullptr; // after the line ending
    qint64 line = 0;            // line breaks before `begin`
    qint64 nextLine = 0;        // line breaks before `next`
};

enum class SpanStatus { Ok, NoMore, Incomplete, Failed };

// Finds the record at c.p. Bytes at and after `limit` are not looked at (Incomplete) unless
// `limit` is the end of the whole file.
SpanStatus nextSpan(Cursor &c, const Dialect &d, const char *limit, bool limitIsEof, Span &span,
                    ParseError &error)
{
    if (c.p == c.end && limitIsEof)
        return SpanStatus::NoMore;
    span.begin = c.p;
    span.line = c.line;
    bool quoted = false;
    const char *open = nullptr;
    qint64 openLine = 0;
    for (const char *q = c.p;; ++q) {
        if (q - c.lineStart > d.maxLineBytes) {
            error = d.longLine(c);
            return SpanStatus::Failed;
        }
        if (q == limit) {
            if (!limitIsEof)
                return SpanStatus::Incomplete;
            if (quoted) {
                error = {openLine,
                         u"unterminated quote: the quote at byte %1 is never closed"_s.arg(d.offset(open))};
                return SpanStatus::Failed;
            }
            span.end = span.next = c.p = q;
            span.nextLine = c.line;
            return SpanStatus::Ok;
        }
        const char ch = *q;
        if (ch == '"') {
            if (!quoted) {
                open = q;
                openLine = c.line;
            }
            quoted = !quoted;
        } else if (ch == '\n' || ch == '\r') {
            const char *ending = q;
            if (ch == '\r') {
                if (q + 1 == limit && !limitIsEof)
                    return SpanStatus::Incomplete; // a CRLF may be cut in two
                if (q + 1 < limit && q[1] == '\n')
                    ++q;
            }
            ++c.line;
            c.lineStart = q + 1;
            if (!quoted) {
                span.end = ending;
                span.next = c.p = q + 1;
                span.nextLine = c.line;
                return SpanStatus::Ok;
            }
        }
    }
}

// Splits a record's raw bytes into unquoted cells (`scratch` is reused between calls).
void splitSpan(const Span &span, const Dialect &d, std::vector<std::string> &cells)
{
    cells.clear();
    Cursor c{span.begin, span.end, span.begin, 0};
    std::string scratch;
    ParseError ignored;
    Dialect unlimited = d;
    unlimited.maxLineBytes = std::numeric_limits<qint64>::max(); // nextSpan checked the lines already
    while (true) {
        std::string_view content;
        bool quoted = false;
        scanField(c, unlimited, scratch, content, quoted, ignored); // quotes are balanced in a span
        cells.emplace_back(content);
        if (c.p >= c.end)
            break;
        ++c.p; // the delimiter
    }
}

// The fields of a span for a candidate delimiter, counting delimiters outside quotes.
int countFields(const Span &span, char delimiter)
{
    int fields = 1;
    bool quoted = false;
    for (const char *q = span.begin; q < span.end; ++q) {
        if (*q == '"')
            quoted = !quoted;
        else if (*q == delimiter && !quoted)
            ++fields;
    }
    return fields;
}

// The candidate whose field count is the most consistent over the sample (and above one); ties go to
// the order of preference, with tab first for .tsv/.tab files.
char detectDelimiter(const std::vector<Span> &spans, bool tabHint)
{
    std::array<char, 4> order = CandidateDelimiters;
    if (tabHint)
        std::swap(order[0], order[1]);
    char best = order[0];
    double bestScore = 0;
    for (char candidate : order) {
        std::vector<int> counts;
        for (const Span &s : spans)
            counts.push_back(countFields(s, candidate));
        std::vector<int> sorted = counts;
        std::sort(sorted.begin(), sorted.end());
        int mode = 0, modeRuns = 0;
        for (size_t i = 0; i < sorted.size();) {
            size_t j = i;
            while (j < sorted.size() && sorted[j] == sorted[i])
                ++j;
            if (int(j - i) > modeRuns || (int(j - i) == modeRuns && sorted[i] > mode))
                mode = sorted[i], modeRuns = int(j - i);
            i = j;
        }
        const double score = mode > 1 ? double(modeRuns) / double(counts.size()) : 0.0;
        if (score > bestScore)
            best = candidate, bestScore = score;
    }
    return best;
}

Cell classifyCell(const std::string &cell)
{
    double ignored;
    return classify(cell, ignored);
}

// A header when a first-row cell is text while the cells below it are numbers.
bool detectHeader(const std::vector<std::vector<std::string>> &rows)
{
    const auto &first = rows.front();
    if (rows.size() == 1)
        return std::any_of(first.begin(), first.end(),
                           [](const std::string &cell) { return classifyCell(cell) == Cell::Text; });
    for (size_t c = 0; c < first.size(); ++c) {
        if (classifyCell(first[c]) != Cell::Text)
            continue;
        bool numbers = false, text = false;
        for (size_t r = 1; r < rows.size(); ++r) {
            if (c >= rows[r].size())
                continue;
            const Cell kind = classifyCell(rows[r][c]);
            numbers = numbers || kind == Cell::Number;
            text = text || kind == Cell::Text;
        }
        if (numbers && !text)
            return true;
    }
    return false;
}

// The sniff, plus where the data rows start.
struct Layout {
    CsvSniff sniff;
    int columns = 0;
    qint64 dataStart = 0;   // byte offset of the first data row (after the header)
    qint64 linesBefore = 0; // line breaks before dataStart
};

// Sniffs `bytes`, the start of the file (the whole file when `atEof`). Sets `needMore` instead of
// deciding when the sample is cut short by the end of `bytes` and `final` is false.
Result<Layout> sniffBytes(const QString &path, std::string_view bytes, bool atEof, bool final,
                          const CsvOptions &options, int previewRows, bool &needMore)
{
    needMore = false;
    const char *base = bytes.data();
    const char *end = base + bytes.size();
    const char *start = bytes.starts_with("\xEF\xBB\xBF") ? base + 3 : base;
    const Dialect lines(',', options.maxLineBytes, base); // delimiter-independent record finding
    Cursor c{start, end, start, 0};
    std::vector<Span> spans;
    const size_t wanted = size_t(std::max(SniffRecords, previewRows + 1));
    const char *sampleEnd = end;
    while (spans.size() < wanted) {
        const char *limit = std::min(end, sampleEnd);
        const bool limitIsEof = atEof && limit == end;
        Span span;
        ParseError error;
        const SpanStatus status = nextSpan(c, lines, limit, limitIsEof, span, error);
        if (status == SpanStatus::NoMore)
            break;
        if (status == SpanStatus::Failed) {
            if (spans.empty()) // later records are the parser's to report, at their place
                return inputFailure(path, error.message, error.line + 1);
            break;
        }
        if (status == SpanStatus::Incomplete) {
            if (limit == end && !final) {
                needMore = true;
                return inputFailure(path, {});
            }
            if (spans.empty())
                return inputFailure(path, u"no complete record in the first %1 bytes"_s.arg(bytes.size()),
                                    c.line + 1);
            break;
        }
        if (isBlank(span.begin, span.end))
            continue;
        spans.push_back(span);
        if (spans.size() == 1)
            sampleEnd = span.next + std::min<qint64>(SniffBytes, end - span.next);
    }
    if (spans.empty())
        return inputFailure(path, u"file is empty: no header and no rows"_s, 1);

    Layout layout;
    CsvSniff &sniff = layout.sniff;
    const QString suffix = QFileInfo(path).suffix().toLower();
    sniff.delimiter = options.delimiter ? *options.delimiter
                                        : detectDelimiter(spans, suffix == u"tsv"_s || suffix == u"tab"_s);
    const Dialect dialect(sniff.delimiter, options.maxLineBytes, base);
    std::vector<std::vector<std::string>> rows(spans.size());
    for (size_t r = 0; r < spans.size(); ++r)
        splitSpan(spans[r], dialect, rows[r]);
    sniff.header = options.header ? *options.header : detectHeader(rows);
    const Span &first = spans.front();
    layout.columns = int(rows.front().size());
    if (sniff.header) {
        const std::string_view raw(first.begin, size_t(first.end - first.begin));
        if (const size_t bad = invalidUtf8At(raw); bad != std::string_view::npos)
            return inputFailure(
                path, u"invalid UTF-8 in the header (byte %1)"_s.arg(dialect.offset(first.begin + bad)),
                first.line + lineBreaks(first.begin, first.begin + bad) + 1);
        layout.dataStart = first.next - base;
        layout.linesBefore = first.nextLine;
    } else {
        layout.dataStart = first.begin - base;
        layout.linesBefore = first.line;
    }
    for (int col = 0; col < layout.columns; ++col) {
        const std::string_view name = sniff.header ? trimmed(rows.front()[col]) : std::string_view();
        sniff.names << (name.empty() ? u"c%1"_s.arg(col) : fromUtf8(name));
    }
    const size_t firstData = sniff.header ? 1 : 0;
    for (int col = 0; col < layout.columns; ++col) {
        bool text = false;
        for (size_t r = firstData; r < rows.size() && !text; ++r)
            text = size_t(col) < rows[r].size() && classifyCell(rows[r][col]) == Cell::Text;
        sniff.kinds << (text ? ColumnKind::Text : ColumnKind::Number);
    }
    for (size_t r = firstData; r < rows.size() && sniff.preview.size() < previewRows; ++r) {
        QStringList cells;
        for (const std::string &cell : rows[r])
            cells << fromUtf8(cell);
        sniff.preview << cells;
    }
    return layout;
}

// ---- parallel parsing ------------------------------------------------------------------------------

struct ParseContext {
    Dialect dialect;
    int columns = 0;
    bool header = false;
    BadRowPolicy onBadRow = BadRowPolicy::Error;
    std::vector<char> collectText; // per column: keep every cell as a string
    const QStringList *names = nullptr;
    qint64 blockRows = 1;
};

// The first cell of a column that is not a number, kept for the column kind and for messages.
struct TextCell {
    qint64 line = 0; // relative to the range's start until the ranges are joined
    qint64 byte = 0;
    std::string sample;
};

struct RangeResult {
    qint64 rows = 0;
    qint64 lineBreaks = 0;
    // Column-major blocks of blockRows rows: one allocation per block whatever the number of columns.
    std::vector<std::unique_ptr<double[]>> blocks;
    qint64 blockRows = 1;
    std::vector<qint64> missing;
    std::vector<std::optional<TextCell>> firstText;
    std::vector<QStringList> text;
    qint64 skipped = 0;
    std::vector<qint64> skippedLines; // relative
    std::optional<ParseError> error;
};

// A cell that needs more than its value stored: missing, text, or in a column kept as strings.
struct PendingCell {
    int column;
    Cell kind;
    qint64 line;
    const char *rawBegin;
    const char *rawEnd;
    size_t offset; // of its content in the row's text buffer
    size_t size;
};

// Parses the records in [begin, end), which starts and ends at record boundaries.
void parseRange(const ParseContext &ctx, const char *begin, const char *end, int index,
                std::atomic<int> &failedRange, RangeResult &out)
{
    const Dialect &d = ctx.dialect;
    const char delimiter = d.delimiter;
    const int columns = ctx.columns;
    out.missing.assign(size_t(columns), 0);
    out.firstText.resize(size_t(columns));
    out.text.resize(size_t(columns));
    const bool anyText =
        std::find(ctx.collectText.begin(), ctx.collectText.end(), 1) != ctx.collectText.end();

    Cursor c{begin, end, begin, 0};
    std::vector<double *> slots(size_t(columns), nullptr);
    // A range cannot hold more rows than it has bytes per row's delimiters: small ranges, small blocks.
    const qint64 blockRows = std::min<qint64>(ctx.blockRows, (end - begin) / std::max(columns - 1, 1) + 1);
    out.blockRows = blockRows;
    qint64 inBlock = blockRows;
    std::string scratch, rowText;
    std::vector<PendingCell> pending;
    ParseError error;
    auto fail = [&](ParseError e) {
        out.error = std::move(e);
        int current = failedRange.load();
        while (index < current && !failedRange.compare_exchange_weak(current, index)) {
        }
    };
    auto keep = [&](int column, Cell kind, qint64 line, const char *rawBegin, const char *rawEnd,
                    std::string_view content) {
        pending.push_back({column, kind, line, rawBegin, rawEnd, rowText.size(), content.size()});
        rowText.append(content);
    };

    while (c.p < end) {
        if (inBlock == blockRows) {
            if (failedRange.load(std::memory_order_relaxed) < index)
                return; // an earlier range failed, so this one's rows are not needed
            out.blocks.push_back(std::make_unique_for_overwrite<double[]>(size_t(blockRows * columns)));
            for (int col = 0; col < columns; ++col)
                slots[col] = out.blocks.back().get() + col * blockRows;
            inBlock = 0;
        }
        const char *recordStart = c.p;
        const qint64 recordLine = c.line;
        const char *recordEnd = nullptr;
        pending.clear();
        rowText.clear();
        int field = 0;
        bool firstBlank = false;
        while (true) {
            const char *fieldStart = c.p;
            const qint64 fieldLine = c.line;
            bool stored = false;
            if (d.fastNumbers) { // a plain number followed by the delimiter or a line ending
                double value;
                const char *next = readSimpleDecimal(fieldStart, end, value);
                if (!next) {
                    const auto [parsed, ec] = std::from_chars(fieldStart, end, value);
                    next = ec == std::errc() ? parsed : nullptr;
                }
                if (next && (next == end || *next == delimiter || *next == '\n' || *next == '\r')) {
                    c.p = next;
                    if (field < columns) {
                        slots[field][inBlock] = value;
                        if (anyText && ctx.collectText[field])
                            keep(field, Cell::Number, fieldLine, fieldStart, next,
                                 std::string_view(fieldStart, size_t(next - fieldStart)));
                    }
                    stored = true;
                }
            }
            if (!stored) {
                std::string_view content;
                bool quoted = false;
                if (!scanField(c, d, scratch, content, quoted, error))
                    return fail(std::move(error));
                double value;
                const Cell kind = classify(content, value);
                if (field == 0)
                    firstBlank = !quoted && trimmed(content).empty();
                if (field < columns) {
                    slots[field][inBlock] = value;
                    if (kind != Cell::Number || (anyText && ctx.collectText[field]))
                        keep(field, kind, fieldLine, fieldStart, c.p, content);
                }
            }
            ++field;
            if (c.p == end) {
                recordEnd = end;
                if (end - c.lineStart > d.maxLineBytes)
                    return fail(d.longLine(c));
                break;
            }
            if (*c.p == delimiter) {
                ++c.p;
                continue;
            }
            // A line ending.
            if (c.p - c.lineStart > d.maxLineBytes)
                return fail(d.longLine(c));
            recordEnd = c.p;
            if (*c.p == '\r' && c.p + 1 < end && c.p[1] == '\n')
                ++c.p;
            ++c.p;
            ++c.line;
            c.lineStart = c.p;
            break;
        }
        if (firstBlank && isBlank(recordStart, recordEnd))
            continue; // blank lines separate nothing
        if (field != columns) {
            if (ctx.onBadRow == BadRowPolicy::Error)
                return fail({recordLine, u"row has %1 fields but the %2 has %3 (byte %4)"_s.arg(field)
                                             .arg(ctx.header ? u"header"_s : u"first row"_s)
                                             .arg(columns)
                                             .arg(d.offset(recordStart))});
            ++out.skipped;
            if (qsizetype(out.skippedLines.size()) < KeptSkippedLines)
                out.skippedLines.push_back(recordLine);
            continue;
        }
        for (const PendingCell &cell : pending) {
            const std::string_view content = std::string_view(rowText).substr(cell.offset, cell.size);
            if (cell.kind == Cell::Missing)
                ++out.missing[cell.column];
            else if (cell.kind == Cell::Text && !out.firstText[cell.column])
                out.firstText[cell.column] = TextCell{cell.line, d.offset(cell.rawBegin),
                                                      std::string(content.substr(0, 4 * QuotedCellChars))};
            if (!ctx.collectText[cell.column])
                continue;
            const std::string_view raw(cell.rawBegin, size_t(cell.rawEnd - cell.rawBegin));
            if (const size_t bad = invalidUtf8At(raw); bad != std::string_view::npos)
                return fail({cell.line + lineBreaks(cell.rawBegin, cell.rawBegin + bad),
                             u"invalid UTF-8 in column \"%1\" (byte %2)"_s.arg(ctx.names->at(cell.column))
                                 .arg(d.offset(cell.rawBegin + bad))});
            out.text[cell.column].append(fromUtf8(content));
        }
        ++inBlock;
        ++out.rows;
    }
    out.lineBreaks = c.line;
}

// Runs work(0..count-1) on `count` threads, the calling one included.
template<typename Work> void runParallel(int count, const Work &work)
{
    std::vector<std::thread> threads;
    threads.reserve(size_t(std::max(count - 1, 0)));
    for (int i = 1; i < count; ++i) {
        try {
            threads.emplace_back([&work, i] { work(i); });
        } catch (const std::system_error &) {
            work(i); // out of threads: the same work, serially
        }
    }
    if (count > 0)
        work(0);
    for (std::thread &t : threads)
        t.join();
}

// The number of quotes in [from, to).
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

// After the first line ending in [from, to) outside quotes, given the quoting state at `from`.
const char *firstBoundary(const char *from, const char *to, const char *fileEnd, bool quoted)
{
    for (const char *q = from; q < to; ++q) {
        const char ch = *q;
        if (ch == '"')
            quoted = !quoted;
        else if (!quoted && (ch == '\n' || ch == '\r'))
            return q + 1 + (ch == '\r' && q + 1 < fileEnd && q[1] == '\n');
    }
    return nullptr;
}

// Record-aligned range boundaries over [begin, end): chunks of equal size are moved forward to the
// first line ending whose quote parity, counted from `begin`, is even.
std::vector<const char *> splitRanges(const char *begin, const char *end, int ranges)
{
    const qint64 bytes = end - begin;
    std::vector<const char *> nominal(size_t(ranges) + 1);
    for (int k = 0; k <= ranges; ++k)
        nominal[k] = begin + bytes * k / ranges;
    std::vector<qint64> quotes(size_t(ranges), 0);
    runParallel(ranges, [&](int k) { quotes[k] = countQuotes(nominal[k], nominal[k + 1]); });
    std::vector<char> oddBefore(size_t(ranges), 0);
    for (int k = 1; k < ranges; ++k)
        oddBefore[k] = char((oddBefore[k - 1] + quotes[k - 1]) % 2);
    std::vector<const char *> bounds(size_t(ranges) + 1, nullptr);
    bounds.front() = begin;
    bounds.back() = end;
    runParallel(ranges, [&](int k) {
        if (k > 0)
            bounds[k] = firstBoundary(nominal[k], nominal[k + 1], end, oddBefore[k] != 0);
    });
    for (int k = ranges - 1; k > 0; --k) // a chunk without a boundary joins the range after it
        bounds[k] = bounds[k] ? std::min(bounds[k], bounds[k + 1]) : bounds[k + 1];
    return bounds;
}

struct FileBytes {
    QFile file;
    QByteArray copy; // when the file cannot be mapped
    std::string_view bytes;
};

std::optional<Failure> openBytes(const QString &path, FileBytes &f)
{
    f.file.setFileName(path);
    if (!f.file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + f.file.errorString());
    const qint64 size = f.file.size();
    if (!f.file.isSequential() && size > 0) {
        if (const uchar *mapped = f.file.map(0, size)) {
            f.bytes = std::string_view(reinterpret_cast<const char *>(mapped), size_t(size));
            return std::nullopt;
        }
    }
    f.copy = f.file.readAll();
    if (f.file.error() != QFileDevice::NoError)
        return inputFailure(path, u"cannot read: "_s + f.file.errorString());
    f.bytes = std::string_view(f.copy.constData(), size_t(f.copy.size()));
    return std::nullopt;
}

// A table plus where each column's first non-number was (absolute lines), for readNumericCsv.
struct ParsedTable {
    CsvTable table;
    std::vector<std::optional<TextCell>> firstText;
};

Result<ParsedTable> parseFile(const QString &path, const CsvOptions &options, bool collectText)
{
    if (options.delimiter &&
        (*options.delimiter == '"' || *options.delimiter == '\n' || *options.delimiter == '\r'))
        return Failure{FailureCode::Usage, u"a quote or a line ending cannot be the delimiter"_s, path, -1};
    if (options.maxLineBytes <= 0)
        return Failure{FailureCode::Usage, u"the maximum line length must be positive"_s, path, -1};
    FileBytes file;
    if (auto failure = openBytes(path, file))
        return *failure;
    const std::string_view bytes = file.bytes;
    bool needMore = false;
    auto layout = sniffBytes(path, bytes, true, true, options, 0, needMore);
    if (!layout)
        return layout.failure();

    const char *base = bytes.data();
    const char *dataBegin = base + layout->dataStart;
    const char *dataEnd = base + bytes.size();
    const qint64 dataBytes = dataEnd - dataBegin;
    const int threads =
        std::clamp(options.threads > 0 ? options.threads : QThread::idealThreadCount(), 1, MaxThreads);
    int ranges =
        options.threads > 0 ? threads : int(std::clamp<qint64>(dataBytes / MinRangeBytes, 1, threads));
    ranges = int(std::clamp<qint64>(dataBytes, 1, ranges));
    const std::vector<const char *> bounds = splitRanges(dataBegin, dataEnd, ranges);

    const int columns = layout->columns;
    const QStringList &names = layout->sniff.names;
    ParseContext ctx{Dialect(layout->sniff.delimiter, options.maxLineBytes, base),
                     columns,
                     layout->sniff.header,
                     options.onBadRow,
                     std::vector<char>(size_t(columns), 0),
                     &names,
                     std::max<qint64>(BlockValues / std::max(columns, 1), 1)};
    for (int col = 0; col < columns && collectText; ++col)
        ctx.collectText[col] = layout->sniff.kinds[col] == ColumnKind::Text;

    std::vector<RangeResult> results;
    std::vector<char> isText(size_t(columns), 0);
    while (true) {
        results.clear(); // move-only results: no assign
        results.resize(size_t(ranges));
        std::atomic<int> failedRange{ranges};
        runParallel(ranges,
                    [&](int k) { parseRange(ctx, bounds[k], bounds[k + 1], k, failedRange, results[k]); });
        qint64 lineBase = layout->linesBefore;
        for (RangeResult &r : results) {
            if (r.error)
                return inputFailure(path, r.error->message, lineBase + r.error->line + 1);
            for (auto &cell : r.firstText)
                if (cell)
                    cell->line += lineBase + 1;
            for (qint64 &line : r.skippedLines)
                line += lineBase + 1;
            lineBase += r.lineBreaks;
        }
        bool complete = true; // every text column had its strings collected
        for (int col = 0; col < columns; ++col) {
            isText[col] = std::any_of(results.begin(), results.end(),
                                      [col](const RangeResult &r) { return r.firstText[col].has_value(); });
            complete = complete && (!isText[col] || !collectText || ctx.collectText[col]);
        }
        if (complete)
            break;
        // A column turned out to be text after the sample: parse again, keeping its strings this time.
        ctx.collectText.assign(isText.begin(), isText.end());
    }

    qint64 rows = 0;
    for (const RangeResult &r : results)
        rows += r.rows;
    auto array = SharedArray::create(Dtype::Float64, rows, columns, names);
    if (!array)
        return array.failure();
    double *out = array->data<double>();
    const int copiers = std::min(ranges, std::max(columns, 1));
    runParallel(copiers, [&](int worker) {
        for (int col = worker; col < columns; col += copiers) {
            double *dst = out + qint64(col) * rows;
            if (isText[col]) {
                std::fill(dst, dst + rows, NaN);
                continue;
            }
            for (const RangeResult &r : results) {
                qint64 left = r.rows;
                for (const auto &block : r.blocks) {
                    const qint64 n = std::min(left, r.blockRows);
                    const double *from = block.get() + col * r.blockRows;
                    dst = std::copy(from, from + n, dst);
                    left -= n;
                }
            }
        }
    });

    ParsedTable parsed{CsvTable{std::move(*array),
                                {},
                                {},
                                {},
                                0,
                                {},
                                layout->sniff.delimiter,
                                layout->sniff.header,
                                qint64(bytes.size())},
                       std::vector<std::optional<TextCell>>(size_t(columns))};
    CsvTable &table = parsed.table;
    for (int col = 0; col < columns; ++col) {
        table.kinds << (isText[col] ? ColumnKind::Text : ColumnKind::Number);
        QStringList cells;
        qint64 missing = 0;
        for (RangeResult &r : results) {
            missing += r.missing[col];
            if (isText[col] && collectText)
                cells += std::move(r.text[col]);
            if (!parsed.firstText[col])
                parsed.firstText[col] = std::move(r.firstText[col]);
        }
        table.text << cells;
        table.missing << missing;
    }
    for (const RangeResult &r : results) {
        table.skippedRows += r.skipped;
        for (qint64 line : r.skippedLines)
            if (table.skippedLines.size() < KeptSkippedLines)
                table.skippedLines << line;
    }
    return parsed;
}

} // namespace

// ---- streaming ---------------------------------------------------------------------------------

namespace {

constexpr qint64 ScanBlockBytes = 1 << 20;  // the parent's scan reads the file in blocks of this size
constexpr qint64 SubRangeBytes = 256 << 10; // a worker parses its chunk in ranges of about this size

QString notANumber(const QString &column, const std::string &sample, qint64 byte)
{
    QString shown = QString::fromUtf8(sample.data(), qsizetype(sample.size()));
    if (shown.size() > QuotedCellChars)
        shown = shown.left(QuotedCellChars) + u"…"_s;
    return u"column \"%1\": \"%2\" is not a number (byte %3)"_s.arg(column, shown).arg(byte);
}

std::optional<Failure> checkOptions(const QString &path, const CsvOptions &options)
{
    if (options.delimiter &&
        (*options.delimiter == '"' || *options.delimiter == '\n' || *options.delimiter == '\r'))
        return Failure{FailureCode::Usage, u"a quote or a line ending cannot be the delimiter"_s, path, -1};
    if (options.maxLineBytes <= 0)
        return Failure{FailureCode::Usage, u"the maximum line length must be positive"_s, path, -1};
    return std::nullopt;
}

// Chunk k's bytes, read with one seek and as many reads as it takes.
std::optional<CsvChunkError> readChunk(const CsvChunks &chunks, qint64 k, QByteArray &bytes)
{
    if (k < 0 || k >= chunks.count())
        return CsvChunkError{0, u"chunk %1 is not in the file's %2 chunks"_s.arg(k).arg(chunks.count())};
    const qint64 begin = chunks.bounds[k];
    const qint64 size = chunks.bounds[k + 1] - begin;
    QFile file(chunks.path);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(begin))
        return CsvChunkError{0, u"cannot read: "_s + file.errorString()};
    bytes.resize(size);
    qint64 done = 0;
    while (done < size) {
        const qint64 n = file.read(bytes.data() + done, size - done);
        if (n <= 0)
            return CsvChunkError{
                0, u"cannot read %1 bytes at byte %2 (did the file change?)"_s.arg(size).arg(begin + done)};
        done += n;
    }
    return std::nullopt;
}

} // namespace

QVariantMap CsvChunks::toVariant() const
{
    QVariantList offsets;
    offsets.reserve(bounds.size());
    for (qint64 b : bounds)
        offsets << b;
    return {{u"path"_s, path},
            {u"delimiter"_s, int(delimiter)},
            {u"header"_s, header},
            {u"names"_s, names},
            {u"onBadRow"_s, int(onBadRow)},
            {u"maxLineBytes"_s, maxLineBytes},
            {u"fileBytes"_s, fileBytes},
            {u"bounds"_s, offsets}};
}

CsvChunks CsvChunks::fromVariant(const QVariantMap &map)
{
    CsvChunks c;
    c.path = map.value(u"path"_s).toString();
    c.delimiter = char(map.value(u"delimiter"_s).toInt());
    c.header = map.value(u"header"_s).toBool();
    c.names = map.value(u"names"_s).toStringList();
    c.onBadRow = BadRowPolicy(map.value(u"onBadRow"_s).toInt());
    c.maxLineBytes = map.value(u"maxLineBytes"_s).toLongLong();
    c.fileBytes = map.value(u"fileBytes"_s).toLongLong();
    const QVariantList offsets = map.value(u"bounds"_s).toList();
    c.bounds.reserve(offsets.size());
    for (const QVariant &b : offsets)
        c.bounds << b.toLongLong();
    return c;
}

Result<CsvChunks> splitCsvFile(const QString &path, qint64 chunkBytes, const CsvOptions &options)
{
    if (auto failure = checkOptions(path, options))
        return *failure;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    const qint64 size = file.size();

    // The dialect, from the start of the file (read a little more at a time, as sniffCsv does).
    std::optional<Layout> layout;
    double bytesPerRow = 0;
    {
        QByteArray head;
        qint64 step = 64 << 10;
        while (true) {
            const QByteArray more = file.read(step);
            head += more;
            const bool atEof = more.isEmpty() || head.size() >= size;
            bool needMore = false;
            auto sniffed = sniffBytes(path, std::string_view(head.constData(), size_t(head.size())), atEof,
                                      atEof || head.size() >= SniffReadCap, options, 0, needMore);
            if (needMore) {
                step = std::min<qint64>(step * 2, 8 << 20);
                continue;
            }
            if (!sniffed)
                return sniffed.failure();
            layout = std::move(*sniffed);
            break;
        }
        // Rows in what was read, for the estimate of the table's size.
        qint64 rows = 0;
        bool quoted = false;
        const char *from = head.constData() + std::min<qint64>(layout->dataStart, head.size());
        const char *to = head.constData() + head.size();
        for (const char *q = from; q < to; ++q) {
            if (*q == '"')
                quoted = !quoted;
            else if (!quoted && (*q == '\n' || (*q == '\r' && (q + 1 == to || q[1] != '\n'))))
                ++rows;
        }
        bytesPerRow = rows > 0 ? double(to - from) / double(rows) : double(std::max<qint64>(to - from, 1));
    }

    CsvChunks chunks;
    chunks.path = path;
    chunks.delimiter = layout->sniff.delimiter;
    chunks.header = layout->sniff.header;
    chunks.names = layout->sniff.names;
    chunks.kinds = layout->sniff.kinds;
    chunks.onBadRow = options.onBadRow;
    chunks.maxLineBytes = options.maxLineBytes;
    chunks.fileBytes = size;
    chunks.bytesPerRow = bytesPerRow;
    chunks.bounds << layout->dataStart;
    chunkBytes = std::max<qint64>(chunkBytes, 1);
    if (!file.seek(layout->dataStart))
        return inputFailure(path, u"cannot read: "_s + file.errorString());

    // One pass: quote parity counted up to each nominal boundary, then the first line ending outside quotes.
    std::vector<char> block(static_cast<size_t>(ScanBlockBytes));
    qint64 pos = layout->dataStart; // the file offset of block[0]
    qint64 nominal = pos + chunkBytes;
    bool seeking = false, quoted = false, pendingCR = false;
    auto boundary = [&](qint64 at) {
        chunks.bounds << at;
        nominal = at + chunkBytes;
        seeking = quoted = false;
    };
    while (true) {
        const qint64 n = file.read(block.data(), ScanBlockBytes);
        if (n < 0)
            return inputFailure(path, u"cannot read: "_s + file.errorString());
        if (n == 0)
            break;
        const char *b = block.data();
        qint64 i = 0;
        if (pendingCR) { // a CR ended the previous block: a CRLF ends after the LF
            pendingCR = false;
            i = b[0] == '\n';
            boundary(pos + i);
        }
        while (i < n) {
            if (!seeking) {
                const qint64 stop = std::min(n, nominal - pos);
                if (stop > i) {
                    quoted ^= (countQuotes(b + i, b + stop) & 1) != 0;
                    i = stop;
                }
                seeking = pos + i >= nominal;
                continue;
            }
            const char ch = b[i];
            if (ch == '"') {
                quoted = !quoted;
            } else if (!quoted && (ch == '\n' || ch == '\r')) {
                if (ch == '\r' && i + 1 == n) {
                    pendingCR = true;
                    ++i;
                    continue;
                }
                i += 1 + (ch == '\r' && b[i + 1] == '\n');
                boundary(pos + i);
                continue;
            }
            ++i;
            if (pos + i - nominal > chunks.maxLineBytes)
                boundary(pos + i); // no record ends here: its parser reports the line or the quote
        }
        pos += n;
    }
    if (chunks.bounds.back() < pos)
        chunks.bounds << pos;
    return chunks;
}

Result<qint64> csvLineAt(const QString &path, qint64 offset)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    std::vector<char> block(static_cast<size_t>(ScanBlockBytes));
    qint64 breaks = 0, left = offset;
    bool lastCR = false;
    while (left > 0) {
        const qint64 n = file.read(block.data(), std::min(left, ScanBlockBytes));
        if (n <= 0)
            break;
        for (qint64 i = 0; i < n; ++i) {
            const char ch = block[size_t(i)];
            breaks += ch == '\r' || (ch == '\n' && !lastCR);
            lastCR = ch == '\r';
        }
        left -= n;
    }
    return breaks + 1;
}

bool csvNumber(std::string_view cell, double &value)
{
    return classify(cell, value) == Cell::Number;
}

std::optional<CsvChunkError>
readCsvChunkNumbers(const CsvChunks &chunks, qint64 k, CsvChunkCounts &counts,
                    const std::function<void(int column, const double *values, qint64 count)> &visit)
{
    QByteArray bytes;
    if (auto error = readChunk(chunks, k, bytes))
        return error;
    const char *begin = bytes.constData();
    const char *end = begin + bytes.size();
    const int columns = int(chunks.names.size());
    const ParseContext ctx{Dialect(chunks.delimiter, chunks.maxLineBytes, begin, chunks.bounds[k]),
                           columns,
                           chunks.header,
                           chunks.onBadRow,
                           std::vector<char>(size_t(columns), 0),
                           &chunks.names,
                           std::max<qint64>(BlockValues / std::max(columns, 1), 1)};
    counts.textColumns.assign(size_t(columns), 0);
    // Ranges of the chunk one after the other, so that only one range's numbers are held at a time.
    qint64 lines = 0;
    for (const char *from = begin; from < end;) {
        const char *to = end;
        if (end - from > SubRangeBytes) {
            const char *nominal = from + SubRangeBytes;
            const bool odd = (countQuotes(from, nominal) & 1) != 0;
            if (const char *next = firstBoundary(nominal, end, end, odd))
                to = next;
        }
        std::atomic<int> failed{1};
        RangeResult r;
        parseRange(ctx, from, to, 0, failed, r);
        if (r.error)
            return CsvChunkError{lines + r.error->line, r.error->message};
        for (int col = 0; col < columns; ++col)
            counts.textColumns[size_t(col)] |= char(r.firstText[size_t(col)].has_value());
        qint64 left = r.rows;
        for (const auto &block : r.blocks) {
            const qint64 n = std::min(left, r.blockRows);
            for (int col = 0; col < columns; ++col)
                visit(col, block.get() + col * r.blockRows, n);
            left -= n;
        }
        counts.rows += r.rows;
        counts.skippedRows += r.skipped;
        lines += r.lineBreaks;
        from = to;
    }
    return std::nullopt;
}

std::optional<CsvChunkError> readCsvChunkRecords(const CsvChunks &chunks, qint64 k, CsvChunkCounts &counts,
                                                 const std::function<void(const CsvRecord &record)> &visit)
{
    QByteArray bytes;
    if (auto error = readChunk(chunks, k, bytes))
        return error;
    const char *begin = bytes.constData();
    const char *end = begin + bytes.size();
    const int columns = int(chunks.names.size());
    const Dialect d(chunks.delimiter, chunks.maxLineBytes, begin, chunks.bounds[k]);
    Cursor c{begin, end, begin, 0};
    std::string scratch, arena; // quoted cells' contents, one record at a time
    struct Piece {
        const char *data; // nullptr: in the arena, at `offset`
        size_t offset;
        size_t size;
    };
    std::vector<Piece> pieces;
    CsvRecord record;
    ParseError error;
    while (c.p < end) {
        const char *recordStart = c.p;
        const qint64 recordLine = c.line;
        const char *recordEnd = nullptr;
        pieces.clear();
        arena.clear();
        bool firstBlank = false, anyQuoted = false;
        while (true) {
            std::string_view content;
            bool quoted = false;
            if (!scanField(c, d, scratch, content, quoted, error))
                return CsvChunkError{error.line, error.message};
            if (pieces.empty())
                firstBlank = !quoted && trimmed(content).empty();
            anyQuoted = anyQuoted || quoted;
            if (quoted) {
                pieces.push_back({nullptr, arena.size(), content.size()});
                arena.append(content);
            } else {
                pieces.push_back({content.data(), 0, content.size()});
            }
            if (c.p == end) {
                recordEnd = end;
                if (end - c.lineStart > d.maxLineBytes)
                    return CsvChunkError{c.line, d.longLine(c).message};
                break;
            }
            if (*c.p == d.delimiter) {
                ++c.p;
                continue;
            }
            if (c.p - c.lineStart > d.maxLineBytes)
                return CsvChunkError{c.line, d.longLine(c).message};
            recordEnd = c.p;
            if (*c.p == '\r' && c.p + 1 < end && c.p[1] == '\n')
                ++c.p;
            ++c.p;
            ++c.line;
            c.lineStart = c.p;
            break;
        }
        if (firstBlank && isBlank(recordStart, recordEnd))
            continue;
        if (qsizetype(pieces.size()) != columns) {
            if (chunks.onBadRow == BadRowPolicy::Error)
                return CsvChunkError{recordLine,
                                     u"row has %1 fields but the %2 has %3 (byte %4)"_s.arg(pieces.size())
                                         .arg(chunks.header ? u"header"_s : u"first row"_s)
                                         .arg(columns)
                                         .arg(d.offset(recordStart))};
            ++counts.skippedRows;
            continue;
        }
        const std::string_view raw(recordStart, size_t(recordEnd - recordStart));
        if (const size_t bad = invalidUtf8At(raw); bad != std::string_view::npos) {
            int column = 0; // the cell the byte is in: delimiters outside quotes before it
            bool inQuotes = false;
            for (size_t i = 0; i < bad; ++i) {
                if (raw[i] == '"')
                    inQuotes = !inQuotes;
                else if (raw[i] == d.delimiter && !inQuotes)
                    ++column;
            }
            return CsvChunkError{recordLine + lineBreaks(recordStart, recordStart + bad),
                                 u"invalid UTF-8 in column \"%1\" (byte %2)"_s.arg(chunks.names.value(column))
                                     .arg(d.offset(recordStart + bad))};
        }
        record.cells.clear();
        for (const Piece &piece : pieces)
            record.cells.emplace_back(piece.data ? piece.data : arena.data() + piece.offset, piece.size);
        record.plain = anyQuoted ? std::string_view() : raw;
        visit(record);
        ++counts.rows;
    }
    return std::nullopt;
}

Result<CsvTable> readCsv(const QString &path, const CsvOptions &options)
{
    auto parsed = parseFile(path, options, options.keepText);
    if (!parsed)
        return parsed.failure();
    return std::move(parsed->table);
}

Result<CsvSniff> sniffCsv(const QString &path, int previewRows)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    previewRows = std::max(previewRows, 0);
    QByteArray bytes;
    qint64 step = 64 << 10;
    bool atEof = false;
    while (true) {
        const QByteArray more = file.read(step);
        atEof = more.isEmpty();
        bytes += more;
        bool needMore = false;
        const bool final = atEof || bytes.size() >= SniffReadCap;
        auto layout = sniffBytes(path, std::string_view(bytes.constData(), size_t(bytes.size())), atEof,
                                 final, {}, previewRows, needMore);
        if (needMore) {
            step = std::min<qint64>(step * 2, 8 << 20);
            continue;
        }
        if (!layout)
            return layout.failure();
        return std::move(layout->sniff);
    }
}

Result<SharedArray> readNumericCsv(const QString &path)
{
    CsvOptions options;
    options.header = true;
    auto parsed = parseFile(path, options, false);
    if (!parsed)
        return parsed.failure();
    // The earliest cell that is not a number is the error.
    const TextCell *first = nullptr;
    qsizetype column = -1;
    for (size_t col = 0; col < parsed->firstText.size(); ++col) {
        const auto &cell = parsed->firstText[col];
        if (cell && (!first || cell->byte < first->byte))
            first = &*cell, column = qsizetype(col);
    }
    if (first) {
        const QStringList names = parsed->table.numbers.columnNames();
        return inputFailure(path, notANumber(names.value(column), first->sample, first->byte), first->line);
    }
    return std::move(parsed->table.numbers);
}

} // namespace brigade
