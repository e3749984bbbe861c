// CSV/TSV reader: sniffs the dialect, parses byte ranges in parallel into a column-major SharedArray.
#pragma once

#include "core/data/sharedarray.h"

#include <QList>
#include <QStringList>

#include <optional>

namespace brigade {

enum class BadRowPolicy { Error, Skip };

struct CsvOptions {
    std::optional<char> delimiter; // nullopt: detected among , ; tab | (tab first for .tsv/.tab)
    std::optional<bool> header;    // nullopt: detected from the first rows
    BadRowPolicy onBadRow = BadRowPolicy::Error; // for rows whose field count differs from the first row's
    qint64 maxLineBytes = 16 << 20;              // a longer physical line is an error
    int threads = 0;                             // 0: QThread::idealThreadCount(), fewer for small files
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

} // namespace brigade
