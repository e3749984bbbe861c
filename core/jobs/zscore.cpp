// zscore: every column of a shared float64 array normalised in place to (x − mean) / std; the moments
// come first, per column, by Chan's merge (core/jobs/reducers.h).
#include "core/jobs/builtin.h"

#include "core/data/sharedarray.h"
#include "core/jobs/reducers.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

// The spread a column is divided by: its standard deviation (ddof = 1, as stats reports it), or 1 when it
// has none (fewer than two values, or all equal): such a column is only centred.
double divisorOf(const reducers::Moments &m)
{
    const double sd = m.sampleStd();
    return std::isfinite(sd) && sd > 0 ? sd : 1.0;
}

class ZScore final : public Job
{
public:
    QString name() const override { return u"zscore"_s; }
    QString summary() const override
    {
        return u"Normalise every column of a shared array in place to (x - mean) / std"_s;
    }
    QList<ParamSpec> params() const override { return {}; }
    ResultKind resultKind() const override { return ResultKind::Array; }
    InputUse input() const override { return InputUse::ReadWrite; }
    bool acceptsGeneratedRows() const override { return true; }
    QList<OutputFormat> outputFormats() const override
    {
        return {OutputFormat::Npy, OutputFormat::Csv, OutputFormat::Json};
    }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (context.data->dtype() != Dtype::Float64)
            return usageFailure(u"zscore needs a float64 array"_s);
        return context.data->rows();
    }

    // The first pass, in the parent before any worker changes a value: each column's mean and divisor, in a
    // small shared array (2 rows, one column per column) that every worker reads.
    Result<std::optional<SharedArray>> createOutput(const RunContext &context) const override
    {
        const SharedArray &data = *context.data;
        auto moments = SharedArray::create(Dtype::Float64, 2, data.cols(), data.columnNames());
        if (!moments)
            return moments.failure();
        auto m = moments->matrix<double>();
        for (qint64 c = 0; c < data.cols(); ++c) {
            const reducers::Moments column =
                reducers::momentsOf(data.data<double>() + c * data.rows(), data.rows());
            m(0, c) = column.count > 0 ? column.mean : 0.0;
            m(1, c) = divisorOf(column);
        }
        return std::optional<SharedArray>(std::move(moments).value());
    }

    // Returns the number of values changed (missing ones stay missing).
    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const auto moments = context.output()->matrix<double>();
        auto m = context.data()->matrix<double>();
        qint64 changed = 0;
        for (Eigen::Index c = 0; c < m.cols(); ++c) {
            auto x = m.col(c).segment(begin, end - begin).array();
            x = (x - moments(0, c)) / moments(1, c);
            changed += (x == x).count();
        }
        return changed;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<reducers::Sum<qint64>>(
            [](qint64, qint64, const QCborValue &part) { return part.toInteger(); },
            [](const qint64 &changed, const RunContext &context) -> Result<JobResult> {
                const auto moments = context.output->matrix<double>();
                const QStringList names = context.data->columnNames();
                QCborArray columns;
                for (Eigen::Index c = 0; c < moments.cols(); ++c)
                    columns.append(QCborMap{{u"name"_s, names.value(qsizetype(c), u"c%1"_s.arg(c))},
                                            {u"mean"_s, moments(0, c)},
                                            {u"divisor"_s, moments(1, c)}});
                QCborMap result{
                    {u"rows"_s, context.data->rows()}, {u"values"_s, changed}, {u"columns"_s, columns}};
                return JobResult{result, context.data, {}};
            });
    }
};

} // namespace

std::unique_ptr<Job> makeZScore()
{
    return std::make_unique<ZScore>();
}

} // namespace brigade::jobs
