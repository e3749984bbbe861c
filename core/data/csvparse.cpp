// CSV parsing of a whole file in memory: the file mapped, split into record-aligned ranges by quote parity,
// each range parsed on its own thread, the blocks joined column by column into one SharedArray.
#include "core/data/csvparse.h"

#include "core/data/csv.h"
#include "core/data/csvsniff.h"

#include <QFile>
#include <QThread>

#include <algorithm>
#include <charconv>
#include <system_error>
#include <thread>

using namespace Qt::StringLiterals;

namespace brigade::csv {

namespace {

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

} // namespace

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
            const FieldEnd ended = endField(c, end, delimiter, d.maxLineBytes, recordEnd);
            if (ended == FieldEnd::Delimiter)
                continue;
            if (ended == FieldEnd::TooLong)
                return fail(d.longLine(c));
            break;
        }
        if (firstBlank && isBlank(recordStart, recordEnd))
            continue; // blank lines separate nothing
        if (field != columns) {
            if (ctx.onBadRow == BadRowPolicy::Error)
                return fail(
                    {recordLine, raggedRowMessage(field, ctx.header, columns, d.offset(recordStart))});
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

} // namespace brigade::csv

namespace brigade {

using namespace csv;

namespace {

constexpr qint64 MinRangeBytes = 1 << 20; // automatic parallelism gives each range at least this
constexpr int MaxThreads = 256;

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
    if (auto failure = checkOptions(path, options))
        return *failure;
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

QString notANumber(const QString &column, const std::string &sample, qint64 byte)
{
    QString shown = QString::fromUtf8(sample.data(), qsizetype(sample.size()));
    if (shown.size() > QuotedCellChars)
        shown = shown.left(QuotedCellChars) + u"…"_s;
    return u"column \"%1\": \"%2\" is not a number (byte %3)"_s.arg(column, shown).arg(byte);
}

} // namespace

Result<CsvTable> readCsv(const QString &path, const CsvOptions &options)
{
    auto parsed = parseFile(path, options, options.keepText);
    if (!parsed)
        return parsed.failure();
    return std::move(parsed->table);
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
