// CSV/TSV reader: sniffs the dialect, parses byte ranges in parallel into a column-major SharedArray.
#pragma once

#include "core/data/sharedarray.h"
#include "core/run/datasetsource.h"

#include <QList>
#include <QStringList>
#include <QVariantMap>

#include <algorithm>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

namespace brigade {

struct CsvOptions {
    std::optional<char> delimiter; // nullopt: detected among , ; tab | (tab first for .tsv/.tab)
    std::optional<bool> header;    // nullopt: detected from the first rows
    BadRowPolicy onBadRow = BadRowPolicy::Error; // for rows whose field count differs from the first row's
    qint64 maxLineBytes = 16 << 20;              // a longer physical line is an error
    int threads = 0;                             // 0: QThread::idealThreadCount(), fewer for small files
    bool keepText = true;                        // false: text columns' cells are not kept (kinds still are)
};

enum class ColumnKind { Number, Text };

struct CsvTable {
    SharedArray numbers;        // every column; text columns hold NaN
    QList<ColumnKind> kinds;    // Number when every non-empty cell of the column parses
    QList<QStringList> text;    // per column: the cells of text columns, empty list for numeric ones
    QList<qint64> missing;      // per column: empty (or "NA") cells, NaN in `numbers`
    qint64 skippedRows = 0;     // ragged rows dropped under BadRowPolicy::Skip
    QList<qint64> skippedLines; // the lines of the first few of them
    char delimiter = ',';
    bool hadHeader = false;
    qint64 bytes = 0; // of the file
};

// Reads the whole file. Quoting follows RFC 4180 (a quote toggles quoting wherever it appears, "" inside
// quotes is a quote); LF, CRLF and CR end lines; a UTF-8 BOM is skipped; blank lines are ignored.
// Numbers are read locale-independently (nan, inf, Infinity, exponents, a leading +, surrounding
// spaces). Failures name the file and the line (Failure::position) and give the byte offset in the message.
Result<CsvTable> readCsv(const QString &path, const CsvOptions &options = {});

struct CsvSniff {
    char delimiter = ',';
    bool header = false;
    QStringList names; // the header's cells, or c0, c1, ... without one
    QList<ColumnKind> kinds;
    QList<QStringList> preview; // the first data rows, cells unquoted
};

// Looks at the first lines only (reading at most a few megabytes) to guess the dialect and the columns.
Result<CsvSniff> sniffCsv(const QString &path, int previewRows = 10);

// Numeric CSV/TSV with a header row; a non-numeric cell is an error naming its column and line.
Result<SharedArray> readNumericCsv(const QString &path);

// ---- streaming: files larger than memory, parsed chunk by chunk (each chunk by a worker) ----------

// A CSV file's dialect and its record-aligned byte chunks, found with bounded memory: a sequential scan
// of the quote parity in fixed-size blocks. Chunk k is [bounds[k], bounds[k + 1]).
struct CsvChunks {
    QString path;
    char delimiter = ',';
    bool header = false;
    QStringList names;
    QList<ColumnKind> kinds; // from the sniffed rows only
    BadRowPolicy onBadRow = BadRowPolicy::Error;
    qint64 maxLineBytes = 16 << 20;
    qint64 fileBytes = 0;
    double bytesPerRow = 0; // in the sniffed rows, to estimate the rows of the file
    QList<qint64> bounds;

    qint64 count() const { return std::max<qint64>(bounds.size() - 1, 0); }
    qint64 dataBytes() const { return bounds.isEmpty() ? 0 : bounds.back() - bounds.front(); }
    // For the workers: travels in the run's parameters.
    QVariantMap toVariant() const;
    static CsvChunks fromVariant(const QVariantMap &map);
};

// Sniffs the file and splits its rows into chunks of about chunkBytes, cut after a line ending outside
// quotes. A record longer than the maximum line is cut short: its chunk's parser reports it.
Result<CsvChunks> splitCsvFile(const QString &path, qint64 chunkBytes, const CsvOptions &options = {});

// The line (from 1) that byte `offset` is on, counting line breaks with bounded memory.
Result<qint64> csvLineAt(const QString &path, qint64 offset);

// A bad chunk: `line` counts the line breaks from the chunk's first byte; the message gives the byte.
struct CsvChunkError {
    qint64 line = 0;
    QString message;
};

struct CsvChunkCounts {
    qint64 rows = 0;
    qint64 skippedRows = 0;        // ragged rows dropped under BadRowPolicy::Skip
    std::vector<char> textColumns; // readCsvChunkNumbers: per column, whether a cell was text
};

// Worker: reads chunk k and hands its numbers to `visit` column by column, a block of rows at a time
// (NaN for missing and text cells; counts.textColumns says which columns had text).
std::optional<CsvChunkError>
readCsvChunkNumbers(const CsvChunks &chunks, qint64 k, CsvChunkCounts &counts,
                    const std::function<void(int column, const double *values, qint64 count)> &visit);

// One record of a chunk: its cells unquoted, and its bytes as they are in the file (without the line
// ending) when none of its cells is quoted.
struct CsvRecord {
    std::vector<std::string_view> cells;
    std::string_view plain; // empty when a cell was quoted
};

// Worker: reads chunk k and hands every record to `visit` (invalid UTF-8 is an error).
std::optional<CsvChunkError> readCsvChunkRecords(const CsvChunks &chunks, qint64 k, CsvChunkCounts &counts,
                                                 const std::function<void(const CsvRecord &record)> &visit);

// Whether a cell holds a number, read the way the parser reads numbers (NaN for missing or text).
bool csvNumber(std::string_view cell, double &value);

} // namespace brigade
