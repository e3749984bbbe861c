// histogram: per-column counts in N equal bins between the column's minimum and maximum, as numpy does.
#include "core/jobs/builtin.h"

#include "core/data/sharedarray.h"
#include "core/jobs/reducers.h"

#include <QCborArray>

#include <cmath>
#include <limits>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

// numpy.histogram(x[isfinite(x)], bins=N): the outer edges of one column and its N+1 bin edges.
struct Bins {
    double minimum; // of the finite values; +inf (and maximum -inf) when there is none
    double maximum;
    double first = 0;
    double last = 1;
    double norm = 0; // N / (last - first), numpy's scaling factor
    std::vector<double> edges;

    Bins(double min, double max, qint64 bins)
        : minimum(min)
        , maximum(max)
    {
        if (minimum <= maximum) { // else the column had no finite value: numpy's empty range [0, 1]
            first = minimum;
            last = maximum;
        }
        if (first == last) {
            first -= 0.5;
            last += 0.5;
        }
        // numpy.linspace(first, last, N + 1): i * step + first, the last edge exactly `last`.
        edges.resize(size_t(bins + 1));
        const double delta = last - first;
        const double step = delta / double(bins);
        for (qint64 i = 0; i <= bins; ++i)
            edges[size_t(i)] =
                step == 0 ? double(i) / double(bins) * delta + first : double(i) * step + first;
        edges[size_t(bins)] = last;
        norm = double(bins) / delta;
    }

    qint64 count() const { return qint64(edges.size()) - 1; }

    // numpy's bin index: the scaled offset, then corrected against the edges (every bin half-open but the
    // last, which is closed).
    qint64 binOf(double v) const
    {
        const qint64 n = count();
        const double f = (v - first) * norm;
        qint64 k = f >= double(n) ? n - 1 : f > 0 ? qint64(f) : 0;
        if (v < edges[size_t(k)])
            --k;
        else if (k != n - 1 && v >= edges[size_t(k + 1)])
            ++k;
        return k;
    }
};

// The binning of every column of one dataset, computed once per worker. Every worker finds the columns'
// ranges itself (one vectorised read of the shared array) so that tasks need nothing from the parent.
const std::vector<Bins> &binsOf(const SharedArray &data, qint64 bins)
{
    static QString cachedKey;
    static qint64 cachedCols = -1;
    static qint64 cachedBins = -1;
    static std::vector<Bins> cached;
    const QString key = data.key();
    if (key == cachedKey && cachedCols == data.cols() && cachedBins == bins)
        return cached;
    cached.clear();
    const auto m = data.matrix<double>();
    constexpr double inf = std::numeric_limits<double>::infinity();
    for (qint64 c = 0; c < data.cols(); ++c) {
        const auto x = m.col(c).array();
        const auto finite = x.isFinite();
        cached.emplace_back(finite.select(x, inf).minCoeff(), finite.select(x, -inf).maxCoeff(), bins);
    }
    cachedKey = key;
    cachedCols = data.cols();
    cachedBins = bins;
    return cached;
}

struct ColumnCounts {
    double minimum = std::numeric_limits<double>::infinity(); // as for Bins: no finite value (or no rows)
    double maximum = -std::numeric_limits<double>::infinity();
    qint64 missing = 0;
    std::vector<qint64> counts;
};

// A part into the counts so far: per column its range (the same in every part), missing values and counts,
// added bin by bin.
void addPart(std::vector<ColumnCounts> &into, const QCborValue &part)
{
    const QCborArray columns = part.toArray();
    if (into.size() < size_t(columns.size()))
        into.resize(size_t(columns.size()));
    for (qsizetype c = 0; c < columns.size(); ++c) {
        const QCborArray column = columns[c].toArray();
        ColumnCounts &counts = into[size_t(c)];
        counts.minimum = column[0].toDouble();
        counts.maximum = column[1].toDouble();
        counts.missing += column[2].toInteger();
        reducers::addCounts(counts.counts, column[3].toArray());
    }
}

Result<JobResult> finishHistogram(std::vector<ColumnCounts> &merged, const RunContext &context)
{
    const qint64 binCount = context.params.value(u"bins"_s).toLongLong();
    const QStringList names = context.data->columnNames();
    merged.resize(size_t(context.data->cols()));
    QCborArray columns;
    for (size_t c = 0; c < merged.size(); ++c) {
        ColumnCounts &column = merged[c];
        column.counts.resize(size_t(binCount));
        const QString name = c < size_t(names.size()) ? names[qsizetype(c)] : u"c%1"_s.arg(c);
        const Bins bins(column.minimum, column.maximum, binCount);
        QCborArray edges;
        for (double e : bins.edges)
            edges.append(e);
        QCborArray counts;
        for (qint64 k = 0; k < binCount; ++k)
            counts.append(column.counts[size_t(k)]);
        columns.append(QCborMap{
            {u"name"_s, name}, {u"edges"_s, edges}, {u"counts"_s, counts}, {u"missing"_s, column.missing}});
    }
    QCborMap result;
    result.insert(u"columns"_s, columns);
    return JobResult{result, nullptr, {}};
}

class Histogram final : public Job
{
public:
    QString name() const override { return u"histogram"_s; }
    QString summary() const override
    {
        return u"Per-column counts in equal bins between the column's minimum and maximum"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {{u"bins"_s,
                 ParamType::Int,
                 qint64(20),
                 qint64(1),
                 qint64(10000),
                 {},
                 u"Number of equal-width bins per column (missing and infinite values are not binned)"_s}};
    }
    ResultKind resultKind() const override { return ResultKind::Histogram; }
    InputUse input() const override { return InputUse::Read; }
    bool acceptsGeneratedRows() const override { return true; }
    QList<OutputFormat> outputFormats() const override { return {OutputFormat::Csv, OutputFormat::Json}; }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (context.data->dtype() != Dtype::Float64)
            return usageFailure(u"histogram needs a float64 table"_s);
        return context.data->rows();
    }

    void initialize(const TaskContext &context) const override
    {
        binsOf(*context.data(), context.params().value(u"bins"_s).toLongLong());
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const SharedArray &data = *context.data();
        const qint64 binCount = context.params().value(u"bins"_s).toLongLong();
        const std::vector<Bins> &bins = binsOf(data, binCount);
        const double *base = data.data<double>();
        std::vector<qint64> counts(static_cast<size_t>(binCount));
        QCborArray columns;
        for (qint64 c = 0; c < data.cols(); ++c) {
            const Bins &b = bins[size_t(c)];
            const double *x = base + c * data.rows();
            std::fill(counts.begin(), counts.end(), 0);
            qint64 missing = 0;
            for (qint64 r = begin; r < end; ++r) {
                const double v = x[r];
                if (!std::isfinite(v)) {
                    ++missing;
                    continue;
                }
                ++counts[size_t(b.binOf(v))];
            }
            QCborArray list;
            for (qint64 k : counts)
                list.append(k);
            columns.append(QCborArray{b.minimum, b.maximum, missing, list});
            if (context.cancelled())
                break;
        }
        return columns;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<reducers::Fold<std::vector<ColumnCounts>>>(
            std::vector<ColumnCounts>{},
            [](std::vector<ColumnCounts> &into, qint64, qint64, const QCborValue &part) {
                addPart(into, part);
            },
            finishHistogram);
    }
};

} // namespace

std::unique_ptr<Job> makeHistogram()
{
    return std::make_unique<Histogram>();
}

} // namespace brigade::jobs
