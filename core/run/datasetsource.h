// Where a run's input comes from: a file or folder, or a generated table, and how to read it.
#pragma once

#include "core/base/enumnames.h"

#include <QString>

namespace brigade {

// Generated tables (see core/data/generated.h).
enum class Distribution {
    Range,   // value = row index: 0, 1, 2, ... (every column alike), exact in float64 up to 2^53
    Uniform, // uniform on [0, 1)
    Normal,  // standard normal
};

inline constexpr EnumName<Distribution> DistributionNames[] = {
    {Distribution::Range, u"range"}, {Distribution::Uniform, u"uniform"}, {Distribution::Normal, u"normal"}};

inline QString distributionName(Distribution distribution)
{
    return enumName(DistributionNames, distribution);
}
inline std::optional<Distribution> distributionFromName(QStringView name)
{
    return enumFromName(DistributionNames, name);
}

// CSV rows whose field count differs from the first row's.
enum class BadRowPolicy { Error, Skip };

struct DatasetSource {
    QString path;             // a file or folder a dataset format reads; empty for generated data
    qint64 generatedRows = 0; // a generated table of this many rows (see generated.h)
    qint64 generatedCols = 1;
    Distribution distribution = Distribution::Range;
    quint64 seed = 1;
    BadRowPolicy onBadRow = BadRowPolicy::Error; // CSV rows with the wrong number of fields
};

} // namespace brigade
