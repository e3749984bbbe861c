// Generated datasets: integer ranges and seeded random matrices, made straight into shared memory.
#pragma once

#include "core/run/datasetsource.h"

#include "core/data/sharedarray.h"

namespace brigade {

struct GeneratedSpec {
    qint64 rows = 0;
    qint64 cols = 1;
    Distribution distribution = Distribution::Range;
    quint64 seed = 1; // the same seed gives the same matrix, whatever the machine
};

Result<SharedArray> generateTable(const GeneratedSpec &spec);

// "range", "uniform", "normal"; nullopt for another name.

} // namespace brigade
