// Result writers: CSV, NPY and JSON chosen by the output file's extension, always atomic (QSaveFile):
// the file appears whole, or not at all. A failed write is a FailureCode::Output that names the system's
// reason ("No space left on device", "Read-only file system").
#pragma once

#include "core/base/result.h"
#include "core/run/outputformat.h"

#include <QCborArray>
#include <QCborMap>

#include <optional>

namespace brigade {

class SharedArray;
struct ErrorReport;

Result<void> writeJson(const QString &path, const QCborMap &value);
// UTF-8 text as it is.
Result<void> writeText(const QString &path, const QString &text);
// Error reports: .json as {"errors": [...]} (each as in --json), anything else as text, one block each.
Result<void> writeErrorReports(const QString &path, const QList<ErrorReport> &reports);
// A header line, then one line a row; cells are quoted when they need it (RFC 4180); tab for .tsv.
Result<void> writeCsvRows(const QString &path, const QStringList &header, const QList<QCborArray> &rows);
// Every row of a float64 array, the column names as header.
Result<void> writeArrayCsv(const QString &path, const SharedArray &array);

// The standard outputs of a result: .json the result itself; .csv the result's "columns" table (one row
// per column map) when it has one, else the array when there is one, else key,value rows; .npy the array.
Result<void> writeStandardOutput(const QString &path, const QCborMap &result, const SharedArray *array);

// A result as the one table its CSV holds, the same layout its job writes for --output: a histogram's
// bins (name, left, right, count), a correlation matrix (name, then one column per column), image
// features (name, width, ..., hist_k), any other "columns" table one row per column map, else key,value
// rows of the scalars. Empty header for an empty result.
struct ResultTable {
    QStringList header;
    QList<QCborArray> rows;
};
ResultTable resultTable(const QCborMap &result);

// The formats a result can be saved in: JSON and CSV for any result, NPY only for a numeric matrix
// (a correlation matrix; histogram counts, one column per column).
QList<OutputFormat> resultFormats(const QCborMap &result);

// Writes a result in the format its extension picks (one of resultFormats()), atomically.
Result<void> writeResult(const QString &path, const QCborMap &result);

} // namespace brigade
