// CSV dialect sniffing (internal to the CSV reader): the delimiter, the header and the column kinds, from
// the first records of a file.
#pragma once

#include "core/data/csv.h"

#include <QByteArray>
#include <QFile>

#include <string_view>

namespace brigade::csv {

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
                          const CsvOptions &options, int previewRows, bool &needMore);

// Sniffs an open file from its current position, reading a little more at a time (up to a cap) until the
// sample is complete; `head` is left holding what was read.
Result<Layout> sniffFileStart(QFile &file, const QString &path, const CsvOptions &options, int previewRows,
                              QByteArray &head);

// Usage failures of the options themselves (a quote as the delimiter, a non-positive line maximum).
std::optional<Failure> checkOptions(const QString &path, const CsvOptions &options);

} // namespace brigade::csv
