// Inspection of a dataset without loading it: what `brigade inspect` prints and the window's preview shows.
#pragma once

#include "core/base/result.h"

#include <QCborMap>
#include <QList>
#include <QStringList>

namespace brigade {

struct ColumnInfo {
    QString name;
    QString type; // "number" or "text" for tables; numpy's dtype string for .npy files
};

struct DatasetInfo {
    QString path;
    QString kind;         // "csv", "tsv", "npy" or "image-folder"
    qint64 fileBytes = 0; // of the file, or of the folder's image files
    qint64 rows = 0;      // records, arrays' first dimension, or images
    qint64 cols = 0;
    QString dtype; // the element type a run computes in ("float64", "uint8")
    QList<ColumnInfo> columns;
    QList<QStringList> preview; // the first rows' cells as text
    QString delimiter;          // CSV only: ",", "tab", ";" or "|"
    bool header = false;        // CSV only
    qint64 runBytes = 0;        // shared memory a run over it allocates (the dataset's SharedArray)
    qint64 peakBytes = 0;       // the loading's peak: runBytes plus the reader's temporary buffers

    QCborMap toCbor() const; // the --json object
    QString toText() const;  // the human-readable report
};

// Reads only what it needs: a CSV's first lines plus one quote-aware pass counting its records, a .npy's
// header, a folder's listing; the format is the registry's (core/data/datasetformat.h). Failures are the
// readers' own (file, position, reason).
Result<DatasetInfo> inspectDataset(const QString &path, int previewRows = 5);

// The formats' inspections, for the registry. The kind of a CSV/TSV file follows its delimiter when its
// name says neither.
Result<DatasetInfo> inspectCsvFile(const QString &path, int previewRows);
Result<DatasetInfo> inspectNpyFile(const QString &path, int previewRows);
Result<DatasetInfo> inspectImageFolder(const QString &path);

} // namespace brigade
