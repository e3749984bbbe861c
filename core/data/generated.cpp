#include "core/data/generated.h"

#include <numeric>
#include <random>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {
constexpr qint64 MaxGeneratedCols = 100000; // each is named: the names are made before the table
}

Result<SharedArray> generateTable(const GeneratedSpec &spec)
{
    if (spec.rows < 0 || spec.cols < 1)
        return usageFailure(u"--rows and --cols: a generated table needs at least one column"_s);
    if (spec.cols > MaxGeneratedCols)
        return usageFailure(u"--cols: at most %1 columns, not %2"_s.arg(MaxGeneratedCols).arg(spec.cols));
    QStringList names;
    if (spec.cols == 1)
        names << u"value"_s;
    else
        for (qint64 c = 0; c < spec.cols; ++c)
            names << u"c%1"_s.arg(c);
    auto array = SharedArray::create(Dtype::Float64, spec.rows, spec.cols, names);
    if (!array)
        return array;
    double *data = array->data<double>();
    for (qint64 c = 0; c < spec.cols; ++c) {
        double *column = data + c * spec.rows;
        // One engine per column, seeded from (seed, column): columns are independent and reproducible.
        std::seed_seq seq{spec.seed, quint64(c)};
        std::mt19937_64 engine(seq);
        switch (spec.distribution) {
        case Distribution::Range:
            std::iota(column, column + spec.rows, 0.0);
            break;
        case Distribution::Uniform: {
            std::uniform_real_distribution<double> uniform(0.0, 1.0);
            for (qint64 r = 0; r < spec.rows; ++r)
                column[r] = uniform(engine);
            break;
        }
        case Distribution::Normal: {
            std::normal_distribution<double> normal(0.0, 1.0);
            for (qint64 r = 0; r < spec.rows; ++r)
                column[r] = normal(engine);
            break;
        }
        }
    }
    return array;
}

} // namespace brigade
