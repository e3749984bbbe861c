// Numeric CSV/TSV with a header row, read into a column-major SharedArray of float64.
#pragma once

#include "core/data/sharedarray.h"

namespace brigade {

// The delimiter is a tab for .tsv/.tab files and a comma otherwise. Quoted fields are unquoted;
// empty cells and "nan" become NaN (missing). Errors name the file and the line.
Result<SharedArray> readNumericCsv(const QString &path);

} // namespace brigade
