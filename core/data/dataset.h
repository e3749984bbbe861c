// Dataset loading: a file path or a generated table becomes a SharedArray the workers attach to.
#pragma once

#include "core/data/generated.h"
#include "core/data/sharedarray.h"

namespace brigade {

struct DatasetSource {
    QString path;             // .csv, .tsv or .npy; empty for generated data
    qint64 generatedRows = 0; // a generated table of this many rows (see generated.h)
    qint64 generatedCols = 1;
    Distribution distribution = Distribution::Range;
    quint64 seed = 1;
};

Result<SharedArray> loadDataset(const DatasetSource &source);

// True if the path names a format loadDataset reads.
bool isSupportedDatasetPath(const QString &path);

// The sample dataset bundled as a Qt resource in the brigade executable (the embedded default).
inline constexpr char16_t BundledSampleDataset[] = u":/samples/measurements.csv";

} // namespace brigade
