// The CSV parser's range parse (internal to the CSV reader): records of a byte range into column blocks,
// used for the in-memory file (ranges in parallel) and for a worker's chunk (ranges in sequence).
#pragma once

#include "core/data/csvlex.h"

#include "core/run/datasetsource.h"

#include <QStringList>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace brigade::csv {

inline constexpr qint64 BlockValues = 1
                                      << 18; // values are parsed into blocks of about this many, all columns

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

// Parses the records in [begin, end), which starts and ends at record boundaries. Ranges are numbered by
// `index`: a range stops early once a range before it failed (failedRange, the lowest failed index).
void parseRange(const ParseContext &ctx, const char *begin, const char *end, int index,
                std::atomic<int> &failedRange, RangeResult &out);

} // namespace brigade::csv
