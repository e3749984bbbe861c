// Generated datasets: integer ranges and seeded random matrices, made straight into shared memory.
#pragma once

#include "core/data/sharedarray.h"

namespace brigade {

enum class Distribution {
    Range,   // value = row index: 0, 1, 2, ... (every column alike), exact in float64 up to 2^53
    Uniform, // uniform on [0, 1)
    Normal,  // standard normal
};

struct GeneratedSpec {
    qint64 rows = 0;
    qint64 cols = 1;
    Distribution distribution = Distribution::Range;
    quint64 seed = 1; // the same seed gives the same matrix, whatever the machine
};

Result<SharedArray> generateTable(const GeneratedSpec &spec);

// "range", "uniform", "normal"; nullopt for another name.
std::optional<Distribution> distributionFromName(const QString &name);
QString distributionName(Distribution distribution);

} // namespace brigade
