// Result writers: CSV, NPY and JSON chosen by the output file's extension, always atomic (QSaveFile):
// the file appears whole, or not at all.
#pragma once

#include "core/result.h"

#include <QCborArray>
#include <QCborMap>

#include <optional>

namespace brigade {

class SharedArray;
struct ErrorReport;

enum class OutputFormat { Csv, Npy, Json, Text };

// By extension: .csv/.tsv, .npy, .json, .txt; nullopt for anything else.
std::optional<OutputFormat> outputFormatOf(const QString &path);
QString outputFormatName(OutputFormat format);

std::optional<Failure> writeJson(const QString &path, const QCborMap &value);
// UTF-8 text as it is.
std::optional<Failure> writeText(const QString &path, const QString &text);
// Error reports: .json as {"errors": [...]} (each as in --json), anything else as text, one block each.
std::optional<Failure> writeErrorReports(const QString &path, const QList<ErrorReport> &reports);
// A header line, then one line a row; cells are quoted when they need it (RFC 4180); tab for .tsv.
std::optional<Failure> writeCsvRows(const QString &path, const QStringList &header,
                                    const QList<QCborArray> &rows);
// Every row of a float64 array, the column names as header.
std::optional<Failure> writeArrayCsv(const QString &path, const SharedArray &array);

// The standard outputs of a result: .json the result itself; .csv the result's "columns" table (one row
// per column map) when it has one, else the array when there is one, else key,value rows; .npy the array.
std::optional<Failure> writeStandardOutput(const QString &path, const QCborMap &result,
                                           const SharedArray *array);

} // namespace brigade
