// affine: x = a·x + b over a shared float64 array, in place; `scale` is the same job with b = 0, its factor
// named --factor (one code path, one handling of missing values for both names).
#include "core/jobs/builtin.h"

#include "core/data/sharedarray.h"
#include "core/jobs/reducers.h"

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

// How a name of the job presents it: which parameter holds a, and whether b is a parameter.
struct AffineName {
    QString name;
    QString summary;
    ParamSpec factor; // a
    bool hasOffset;   // b: --offset, else 0
};

class Affine final : public Job
{
public:
    explicit Affine(AffineName flavour)
        : m_flavour(std::move(flavour))
    {}

    QString name() const override { return m_flavour.name; }
    QString summary() const override { return m_flavour.summary; }
    QList<ParamSpec> params() const override
    {
        QList<ParamSpec> specs{m_flavour.factor};
        if (m_flavour.hasOffset)
            specs.append({u"offset"_s, ParamType::Double, 0.0, {}, {}, {}, u"The offset b in a·x + b"_s});
        return specs;
    }
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
            return usageFailure(u"%1 needs a float64 array"_s.arg(name()));
        return context.data->rows();
    }

    // Returns the sum of the new values; missing (NaN) values stay missing and are left out of it.
    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const double a = context.params().value(m_flavour.factor.name).toDouble();
        const double b = m_flavour.hasOffset ? context.params().value(u"offset"_s).toDouble() : 0.0;
        auto m = context.data()->matrix<double>();
        double sum = 0;
        // In blocks that stay in cache between the transform and the checksum: one pass over memory.
        constexpr qint64 BlockRows = 8192; // 64 KiB of float64
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            for (qint64 r = begin; r < end; r += BlockRows) {
                auto block = m.col(c).segment(r, std::min(BlockRows, end - r)).array();
                block = block * a + b;
                sum += block.isNaN().select(0.0, block).sum();
            }
        return sum;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<reducers::Sum<double>>(
            [](qint64, qint64, const QCborValue &part) { return part.toDouble(); },
            [](const double &sum, const RunContext &context) -> Result<JobResult> {
                QCborMap result;
                result.insert(u"rows"_s, context.data ? context.data->rows() : 0);
                result.insert(u"sum"_s, sum);
                return JobResult{result, context.data, {}};
            });
    }

private:
    AffineName m_flavour;
};

} // namespace

std::unique_ptr<Job> makeAffine()
{
    return std::make_unique<Affine>(
        AffineName{u"affine"_s,
                   u"Replace every value x of a shared array in place by scale·x + offset"_s,
                   {u"scale"_s, ParamType::Double, 1.0, {}, {}, {}, u"The factor a in a·x + b"_s},
                   true});
}

std::unique_ptr<Job> makeScale()
{
    return std::make_unique<Affine>(AffineName{
        u"scale"_s,
        u"Multiply every value of a shared array in place by a factor"_s,
        {u"factor"_s, ParamType::Double, 2.0, {}, {}, {}, u"The factor every value is multiplied by"_s},
        false});
}

} // namespace brigade::jobs
