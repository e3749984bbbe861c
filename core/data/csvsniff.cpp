// CSV dialect sniffing: records found by quote-aware line ends, then the delimiter whose field count is the
// most consistent, a header when a first-row text cell stands over numbers, and the column kinds.
#include "core/data/csvsniff.h"

#include "core/data/csvlex.h"

#include <QFileInfo>

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade::csv {

namespace {

constexpr std::array<char, 4> CandidateDelimiters{',', '\t', ';', '|'};
constexpr int SniffRecords = 64;          // records looked at for the delimiter, the header and the kinds
constexpr qint64 SniffBytes = 1 << 20;    // ...but no more bytes than this after the first record
constexpr qint64 SniffReadCap = 64 << 20; // sniffFileStart gives up waiting for a complete record here

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
            counts.push_back(countFields(s.begin, s.end, candidate));
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
} // namespace

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

Result<Layout> sniffFileStart(QFile &file, const QString &path, const CsvOptions &options, int previewRows,
                              QByteArray &head)
{
    qint64 step = 64 << 10;
    while (true) {
        const QByteArray more = file.read(step);
        head += more;
        const bool atEof = more.isEmpty() || (!file.isSequential() && head.size() >= file.size());
        bool needMore = false;
        auto layout = sniffBytes(path, std::string_view(head.constData(), size_t(head.size())), atEof,
                                 atEof || head.size() >= SniffReadCap, options, previewRows, needMore);
        if (needMore) {
            step = std::min<qint64>(step * 2, 8 << 20);
            continue;
        }
        return layout;
    }
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

} // namespace brigade::csv

namespace brigade {

Result<CsvSniff> sniffCsv(const QString &path, int previewRows)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    QByteArray head;
    auto layout = csv::sniffFileStart(file, path, {}, std::max(previewRows, 0), head);
    if (!layout)
        return layout.failure();
    return std::move(layout->sniff);
}

} // namespace brigade
