// What a front end needs to know of datasets and shared memory, through the engine: the window reads no
// file format and walks no segment registry itself.
#pragma once

#include "core/data/inspect.h"
#include "core/data/segmentregistry.h"

#include <QString>
#include <QStringList>

namespace brigade::datasets {

// The sample bundled as a Qt resource in the brigade executable.
QString bundledSample();
bool isBundled(const QString &path);
// True if a run can read the path (a file of a known format, or a folder of images).
bool isSupported(const QString &path);
// The data files a dropped folder holds (csv, tsv, tab, npy), by name; empty if none.
QStringList dataFilesIn(const QString &folder);
// What a dataset holds, without loading it (a CSV's records are counted: a pass over the file).
Result<DatasetInfo> inspect(const QString &path, int previewRows = 5);

using Segment = SegmentRegistry::Segment;
// Every shared-memory segment of this user's Brigade processes, live or left over.
QList<Segment> sharedSegments();
// Removes the segments of dead owners; never a live owner's.
void reclaimLeftoverSegments();

} // namespace brigade::datasets
