// The file formats a result is written in, chosen by the output file's extension.
#pragma once

#include <QString>

#include <optional>

namespace brigade {

enum class OutputFormat { Csv, Npy, Json, Text };

// By extension: .csv/.tsv, .npy, .json, .txt; nullopt for anything else.
std::optional<OutputFormat> outputFormatOf(const QString &path);
// ".csv", ".npy", ".json", ".txt".
QString outputFormatName(OutputFormat format);

} // namespace brigade
