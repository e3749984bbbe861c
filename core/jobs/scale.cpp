// scale: multiply a shared float64 array in place (the seeds' shared-memory NumPy example).
#include "core/jobs/builtin.h"
#include "core/store/writers.h" // TODO(layers): jobs return values; the store writes them

#include "core/data/sharedarray.h"

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

constexpr qint64 BlockRows = 8192; // 64 KiB of float64: a block stays in L2 between its two uses

class ScaleReducer final : public Reducer
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

class Scale final : public Job
{
public:
    QString name() const override { return u"scale"_s; }
    QString summary() const override
    {
        return u"Multiply every value of a shared array in place by a factor"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {
            {u"factor"_s, ParamType::Double, 2.0, {}, {}, {}, u"The factor every value is multiplied by"_s}};
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
            return usageFailure(u"scale needs a float64 array"_s);
        return context.data->rows();
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const double factor = context.params().value(u"factor"_s).toDouble();
        auto m = context.data()->matrix<double>();
        double sum = 0;
        // In blocks that stay in cache between the scaling and the checksum: one pass over memory.
        for (Eigen::Index c = 0; c < m.cols(); ++c)
            for (qint64 b = begin; b < end; b += BlockRows) {
                auto block = m.col(c).segment(b, std::min(BlockRows, end - b));
                block *= factor;
                sum += block.sum();
            }
        return sum;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<ScaleReducer>();
    }
};

} // namespace

std::unique_ptr<Job> makeScale()
{
    return std::make_unique<Scale>();
}

} // namespace brigade::jobs
