// Dataset loading: a file path or a generated table becomes a SharedArray the workers attach to.
#pragma once

#include "core/data/csv.h"
#include "core/data/generated.h"
#include "core/data/sharedarray.h"

#include <functional>

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

// Reads a folder of images into an image set (see core/data/images.h). Registered by the front end's main(),
// since brigade_core links no image codecs; without one, a folder is an input failure.
using ImageFolderReader = std::function<Result<SharedArray>(const QString &folder)>;
void setImageFolderReader(ImageFolderReader reader);

// True if the path names a format loadDataset reads (a folder: of images).
bool isSupportedDatasetPath(const QString &path);

// The sample dataset bundled as a Qt resource in the brigade executable (the embedded default).
inline constexpr char16_t BundledSampleDataset[] = u":/samples/measurements.csv";

} // namespace brigade
