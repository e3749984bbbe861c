// Result writers: CSV, NPY and JSON chosen by the output file's extension, always atomic (QSaveFile):
// the file appears whole, or not at all. A failed write is a FailureCode::Output that names the system's
// reason ("No space left on device", "Read-only file system").
#pragma once

#include "core/base/result.h"
#include "core/run/outputformat.h"
#include "core/run/resultkind.h"

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

// The kind a result declares (its resultKindKey() entry); Scalars for a result without one (a run recorded
// before results declared their kind).
ResultKind resultKindOf(const QCborMap &result);

// What an output file of a result holds beyond the result map: the array an Array result changed, the
// values of a List result. The window keeps neither, so its Save As offers what the map alone gives.
struct ResultData {
    const SharedArray *array = nullptr;
    const QCborArray *list = nullptr;
};

// A result as the one table its CSV holds, one layout per kind: Scalars (and Array, List, Rows without
// their data) key,value rows of the scalars; ColumnStats one row per column; Histogram its bins (name,
// left, right, count); Matrix the correlation matrix (name, then one column per column); ImageFeatures one
// row per image (name, width, ..., hist_k). Empty header for an empty result.
struct ResultTable {
    QStringList header;
    QList<QCborArray> rows;
};
ResultTable resultTable(const QCborMap &result);

// The formats a result can be written in: JSON (the result map) for any result; CSV (its table) for all
// but Array, List and Rows, which need their data (an Array's CSV and NPY are the array, a List's CSV or
// text its values one a line); NPY for a numeric matrix (Matrix, Histogram counts) or an Array's array.
QList<OutputFormat> resultFormats(const QCborMap &result, const ResultData &data = {});

// Writes a result in the format the extension picks (one of resultFormats()), atomically: the one writer of
// both --output (the engine, after the run) and the window's Save As. A List result writes its values one a
// line whatever the extension but .json.
Result<void> writeResult(const QString &path, const QCborMap &result, const ResultData &data = {});

} // namespace brigade
