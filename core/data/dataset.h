// Dataset loading: a file path (read by its dataset format) or a generated table becomes a SharedArray the
// workers attach to.
#pragma once

#include "core/data/csv.h"
#include "core/data/generated.h"
#include "core/data/sharedarray.h"

namespace brigade {

// A loaded dataset: its numeric columns in one SharedArray, and what was left out of it.
struct Dataset {
    SharedArray array;
    QStringList textColumns;    // CSV columns that are not numeric: not in `array`
    qint64 skippedRows = 0;     // CSV rows skipped under BadRowPolicy::Skip
    QList<qint64> skippedLines; // the first few of them
};

Result<Dataset> openDataset(const DatasetSource &source);

// openDataset's array alone.
Result<SharedArray> loadDataset(const DatasetSource &source);

// A CSV's numeric columns; its text columns are named in the result and left out of the array.
Result<Dataset> openCsvDataset(const QString &path, BadRowPolicy onBadRow);

// True if the path names a format loadDataset reads, judged by the dataset-format registry
// (core/data/datasetformat.h): a folder (of images), or a file recognised by its content or its name.
bool isSupportedDatasetPath(const QString &path);

// The sample dataset bundled as a Qt resource in the brigade executable (the embedded default).
inline constexpr char16_t BundledSampleDataset[] = u":/samples/measurements.csv";

} // namespace brigade
