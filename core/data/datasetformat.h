// The dataset formats: each input format named once, with how to recognise it (by content where the
// content says, by name otherwise), how to inspect and load it, and whether it streams.
#pragma once

#include "core/data/dataset.h"
#include "core/data/imagewriter.h"
#include "core/data/inspect.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace brigade {

// How a format knows a path, weakest first.
enum class FormatMatch { None, Text, Name, Content };

struct DatasetFormat {
    QString name;           // "csv", "tsv", "npy", "image-folder": DatasetInfo::kind
    QStringList extensions; // lower case, without the dot: what the name says
    QByteArray magic;       // the content's first bytes, for a format whose content says what it is
    bool folder = false;    // a directory, not a file
    // Delimited text: a file whose name says nothing is this format when its first line holds one of these.
    QByteArray textDelimiters;
    // Files inside a folder format, by content (a single such file given as a dataset is named as such).
    QList<std::pair<QString, QByteArray>> memberMagics;
    bool streams = false; // parsed chunk by chunk by the workers (splitCsvFile), for files larger than memory

    std::function<Result<DatasetInfo>(const QString &path, int previewRows)> inspect;
    std::function<Result<Dataset>(const DatasetSource &source)> load;
    // An image format's encoder, for the jobs that write image files (see core/data/imagewriter.h).
    ImageFileWriter writeImage;
};

// Adds a format, or replaces the one of the same name. The built-in formats (csv, tsv, npy) are there from
// the start; brigade_images adds the image folder (registerImageFormats, core/data/images.h).
void registerDatasetFormat(DatasetFormat format);

// Every registered format, in the order they were registered.
QList<std::shared_ptr<const DatasetFormat>> datasetFormats();
std::shared_ptr<const DatasetFormat> datasetFormat(QStringView name);

// The format of an existing path: a folder format for a directory; for a regular file the format its
// first bytes name, else the one its extension names, else a text format when the file is delimited text.
// Failures name the path: it does not exist, is neither a regular file nor a directory (a FIFO, a socket,
// a device: never opened, so never waited on), or no registered format reads it.
Result<std::shared_ptr<const DatasetFormat>> recogniseDataset(const QString &path);

// Whether a path names a format that streams (CSV/TSV files), judged as recogniseDataset judges it.
bool datasetStreams(const QString &path);

} // namespace brigade
