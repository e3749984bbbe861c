// affine: x = a·x + b over a shared float64 array, in place (scale's sibling with an offset).
#include "core/jobs/builtin.h"
#include "core/store/writers.h" // TODO(layers): jobs return values; the store writes them

#include "core/data/sharedarray.h"

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

class AffineReducer final : public Reducer
{
public:
    void add(qint64, qint64, const QCborValue &part) override { m_sum += part.toDouble(); }

    Result<QCborMap> finish(const RunContext &context) override
    {
        QCborMap result;
        result.insert(u"rows"_s, context.data ? context.data->rows() : 0);
        result.insert(u"sum"_s, m_sum);
        if (!context.outputPath.isEmpty())
            if (auto written = writeStandardOutput(context.outputPath, result, context.data); !written)
                return written.failure();
        return result;
    }

private:
    double m_sum = 0;
};

class Affine final : public Job
{
public:
    QString name() const override { return u"affine"_s; }
    QString summary() const override
    {
        return u"Replace every value x of a shared array in place by scale·x + offset"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {
            {u"scale"_s, ParamType::Double, 1.0, {}, {}, {}, u"The factor a in a·x + b"_s},
            {u"offset"_s, ParamType::Double, 0.0, {}, {}, {}, u"The offset b in a·x + b"_s},
        };
    }
    InputUse input() const override { return InputUse::ReadWrite; }
    bool acceptsGeneratedRows() const override { return true; }
    QList<OutputFormat> outputFormats() const override
    {
        return {OutputFormat::Npy, OutputFormat::Csv, OutputFormat::Json};
    }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (context.data->dtype() != Dtype::Float64)
            return usageFailure(u"affine needs a float64 array"_s);
        return context.data->rows();
    }

    // Returns the sum of the new values, missing (NaN) ones left out.
    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const double a = context.params().value(u"scale"_s).toDouble();
        const double b = context.params().value(u"offset"_s).toDouble();
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
        return std::make_unique<AffineReducer>();
    }
};

} // namespace

std::unique_ptr<Job> makeAffine()
{
    return std::make_unique<Affine>();
}

} // namespace brigade::jobs
