#include "core/data/dataset.h"

#include "core/data/csv.h"
#include "core/data/npy.h"

#include <QFileInfo>

#include <numeric>

using namespace Qt::StringLiterals;

namespace brigade {

bool isSupportedDatasetPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"csv"_s || suffix == u"tsv"_s || suffix == u"tab"_s || suffix == u"npy"_s;
}

Result<SharedArray> loadDataset(const DatasetSource &source)
{
    if (source.path.isEmpty())
        return generateTable({source.generatedRows, source.generatedCols, source.distribution, source.seed});
    const QFileInfo info(source.path);
    if (!info.exists())
        return inputFailure(source.path, u"no such file"_s);
    if (info.isDir())
        return inputFailure(source.path, u"is a folder, not a data file"_s);
    if (info.suffix().compare(u"npy"_s, Qt::CaseInsensitive) == 0)
        return readNpy(source.path);
    if (!isSupportedDatasetPath(source.path))
        return inputFailure(
            source.path, u"unsupported file type \".%1\" (expected .csv, .tsv or .npy)"_s.arg(info.suffix()));
    return readNumericCsv(source.path);
}

} // namespace brigade
