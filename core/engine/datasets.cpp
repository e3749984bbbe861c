// The engine's dataset service for front ends: recognising, inspecting, listing shared segments.
#include "core/engine/datasets.h"

#include "core/data/dataset.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace brigade::datasets {

QString bundledSample()
{
    return QString::fromUtf16(BundledSampleDataset);
}

bool isBundled(const QString &path)
{
    return path.startsWith(u":/"_s);
}

bool isSupported(const QString &path)
{
    return isSupportedDatasetPath(path);
}

QStringList dataFilesIn(const QString &folder)
{
    QStringList found;
    const QFileInfoList files = QDir(folder).entryInfoList({u"*.csv"_s, u"*.tsv"_s, u"*.tab"_s, u"*.npy"_s},
                                                           QDir::Files | QDir::Readable, QDir::Name);
    for (const QFileInfo &f : files)
        found << f.absoluteFilePath();
    return found;
}

Result<DatasetInfo> inspect(const QString &path, int previewRows)
{
    return inspectDataset(path, previewRows);
}

QList<Segment> sharedSegments()
{
    return SegmentRegistry::segments();
}

void reclaimLeftoverSegments()
{
    SegmentRegistry::reclaimLeftovers();
}

} // namespace brigade::datasets
