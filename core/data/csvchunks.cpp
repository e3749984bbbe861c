// CSV streaming: the parent's chunker (record-aligned byte chunks found in one bounded-memory pass),
// CsvChunks as run parameters, and the worker-side readers of one chunk.
#include "core/data/csv.h"

#include "core/data/csvlex.h"
#include "core/data/csvparse.h"
#include "core/data/csvsniff.h"

#include <QFile>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

using namespace csv;

namespace {

constexpr qint64 ScanBlockBytes = 1 << 20;  // the parent's scan reads the file in blocks of this size
constexpr qint64 SubRangeBytes = 256 << 10; // a worker parses its chunk in ranges of about this size

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

    // The dialect, from the start of the file.
    QByteArray head;
    auto layout = sniffFileStart(file, path, options, 0, head);
    if (!layout)
        return layout.failure();
    // Rows in what was read, for the estimate of the table's size.
    qint64 rows = 0;
    bool inQuotes = false;
    const char *from = head.constData() + std::min<qint64>(layout->dataStart, head.size());
    const char *to = head.constData() + head.size();
    scanUnquotedEndings(from, to, inQuotes, [&](const char *q) {
        rows += *q == '\n' || q + 1 == to || q[1] != '\n';
        return true;
    });
    const double bytesPerRow =
        rows > 0 ? double(to - from) / double(rows) : double(std::max<qint64>(to - from, 1));

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
            // The first line ending outside quotes, but no further than the maximum line past the nominal.
            const char *cut = b + std::min(n, nominal + chunks.maxLineBytes + 1 - pos);
            const char *ending = scanUnquotedEndings(b + i, cut, quoted, [](const char *) { return false; });
            i = ending - b;
            if (ending == cut) {
                if (pos + i - nominal > chunks.maxLineBytes)
                    boundary(pos + i); // no record ends here: its parser reports the line or the quote
                continue;
            }
            if (*ending == '\r' && i + 1 == n) { // a CRLF may be cut in two
                pendingCR = true;
                ++i;
                continue;
            }
            i += 1 + (*ending == '\r' && b[i + 1] == '\n');
            boundary(pos + i);
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
            const FieldEnd ended = endField(c, end, d.delimiter, d.maxLineBytes, recordEnd);
            if (ended == FieldEnd::Delimiter)
                continue;
            if (ended == FieldEnd::TooLong)
                return CsvChunkError{c.line, d.longLine(c).message};
            break;
        }
        if (firstBlank && isBlank(recordStart, recordEnd))
            continue;
        if (qsizetype(pieces.size()) != columns) {
            if (chunks.onBadRow == BadRowPolicy::Error)
                return CsvChunkError{recordLine, raggedRowMessage(qint64(pieces.size()), chunks.header,
                                                                  columns, d.offset(recordStart))};
            ++counts.skippedRows;
            continue;
        }
        const std::string_view raw(recordStart, size_t(recordEnd - recordStart));
        if (const size_t bad = invalidUtf8At(raw); bad != std::string_view::npos) {
            const int column =
                countFields(recordStart, recordStart + bad, d.delimiter) - 1; // the byte's cell
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

} // namespace brigade
