// correlation: covariance (ddof=1) and Pearson correlation of all columns over the rows with no missing
// value; per-task co-moments merged with Chan's pairwise formula.
#include "core/jobs/builtin.h"

#include "core/data/sharedarray.h"
#include "core/jobs/reducers.h"

#include <QCborArray>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

// One task's part: the complete rows' count, mean and co-moments.
struct CoMoments {
    qint64 count = 0;
    Eigen::VectorXd mean;
    Eigen::MatrixXd m; // Σ (x − mean)(x − mean)ᵀ over the complete rows

    // [count, mean..., lower triangle of M by columns...]
    QCborArray toCbor() const
    {
        QCborArray a{count};
        for (Eigen::Index i = 0; i < mean.size(); ++i)
            a.append(mean[i]);
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            for (Eigen::Index i = j; i < m.rows(); ++i)
                a.append(m(i, j));
        return a;
    }
    static CoMoments fromCbor(const QCborValue &v, Eigen::Index p)
    {
        const QCborArray a = v.toArray();
        CoMoments c;
        c.count = a[0].toInteger();
        c.mean.resize(p);
        c.m.resize(p, p);
        qsizetype k = 1;
        for (Eigen::Index i = 0; i < p; ++i)
            c.mean[i] = a[k++].toDouble();
        for (Eigen::Index j = 0; j < p; ++j)
            for (Eigen::Index i = j; i < p; ++i)
                c.m(i, j) = c.m(j, i) = a[k++].toDouble();
        return c;
    }
};

// Two passes over the complete rows of a block: the mean, then the co-moments of the centred rows.
CoMoments coMomentsOf(const Eigen::Ref<const Eigen::MatrixXd> &block)
{
    const Eigen::Index p = block.cols();
    CoMoments c;
    c.mean = Eigen::VectorXd::Zero(p);
    c.m = Eigen::MatrixXd::Zero(p, p);
    const Eigen::Array<bool, Eigen::Dynamic, 1> complete = !block.array().isNaN().rowwise().any();
    c.count = complete.count();
    if (c.count == 0)
        return c;
    Eigen::MatrixXd centred(c.count, p);
    if (c.count == block.rows()) {
        centred = block;
    } else {
        for (Eigen::Index j = 0; j < p; ++j)
            for (Eigen::Index r = 0, k = 0; r < block.rows(); ++r)
                if (complete[r])
                    centred(k++, j) = block(r, j);
    }
    c.mean = centred.colwise().mean().transpose();
    centred.rowwise() -= c.mean.transpose();
    // The corrected two-pass mean: the centred rows' own mean is the first pass's rounding error.
    const Eigen::VectorXd correction = centred.colwise().mean().transpose();
    c.mean += correction;
    centred.rowwise() -= correction.transpose();
    c.m.selfadjointView<Eigen::Lower>().rankUpdate(centred.transpose());
    c.m.triangularView<Eigen::StrictlyUpper>() = c.m.transpose(); // exactly symmetric
    return c;
}

QCborValue finiteOrNull(double v)
{
    return std::isfinite(v) ? QCborValue(v) : QCborValue(QCborValue::Null);
}

QCborArray matrixToCbor(const Eigen::MatrixXd &m)
{
    QCborArray rows;
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
        QCborArray row;
        for (Eigen::Index j = 0; j < m.cols(); ++j)
            row.append(finiteOrNull(m(i, j)));
        rows.append(row);
    }
    return rows;
}

// The co-moments merged so far.
class CoMomentsSum
{
public:
    explicit CoMomentsSum(Eigen::Index columns)
        : m_columns(columns)
    {}

    // Chan, Golub & LeVeque's pairwise update (reducers::chanMerge), for vectors: M = Ma + Mb + δδᵀ·na·nb/n.
    // The running mean is kept relative to the first part's mean, so δ never carries the rounding of a
    // large running mean (values with a large offset, thousands of one-row parts).
    void add(const QCborValue &value)
    {
        const CoMoments part = CoMoments::fromCbor(value, m_columns);
        if (part.count == 0)
            return;
        if (m_count == 0) {
            m_count = part.count;
            m_shift = part.mean;
            m_mean = Eigen::VectorXd::Zero(m_columns);
            m_m = part.m;
            return;
        }
        reducers::chanMerge(m_count, m_mean, m_m, part.count, Eigen::VectorXd(part.mean - m_shift), part.m);
    }

    Result<JobResult> finish(const RunContext &context) const
    {
        const Eigen::Index p = m_columns;
        const qint64 n = m_count;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        // numpy.cov: M·(1/(n−1)); numpy.corrcoef: cov / σᵢ / σⱼ, clipped to [−1, 1].
        Eigen::MatrixXd covariance = Eigen::MatrixXd::Constant(p, p, nan);
        if (n > 1)
            covariance = m_m * (1.0 / double(n - 1));
        const Eigen::VectorXd sd = covariance.diagonal().cwiseSqrt();
        Eigen::MatrixXd correlation(p, p);
        for (Eigen::Index j = 0; j < p; ++j) // one triangle, mirrored: exactly symmetric
            for (Eigen::Index i = 0; i <= j; ++i)
                correlation(i, j) = correlation(j, i) =
                    std::clamp(covariance(i, j) / sd[i] / sd[j], -1.0, 1.0);

        const QStringList names = context.data->columnNames();
        QCborArray columns;
        for (Eigen::Index c = 0; c < p; ++c)
            columns.append(c < names.size() ? names[qsizetype(c)] : u"c%1"_s.arg(c));
        QCborMap result;
        result.insert(u"columns"_s, columns);
        result.insert(u"count"_s, n);
        result.insert(u"covariance"_s, matrixToCbor(covariance));
        result.insert(u"correlation"_s, matrixToCbor(correlation));
        return JobResult{result, nullptr, {}};
    }

private:
    Eigen::Index m_columns;
    qint64 m_count = 0;
    Eigen::VectorXd m_shift; // the first part's mean
    Eigen::VectorXd m_mean;  // the mean so far, less m_shift
    Eigen::MatrixXd m_m;
};

class Correlation final : public Job
{
public:
    QString name() const override { return u"correlation"_s; }
    QString summary() const override
    {
        return u"Covariance and Pearson correlation matrices of all columns (rows with a missing value "
               u"are left out)"_s;
    }
    QList<ParamSpec> params() const override { return {}; }
    ResultKind resultKind() const override { return ResultKind::Matrix; }
    InputUse input() const override { return InputUse::Read; }
    bool acceptsGeneratedRows() const override { return true; }
    QList<OutputFormat> outputFormats() const override { return {OutputFormat::Csv, OutputFormat::Json}; }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (context.data->dtype() != Dtype::Float64)
            return usageFailure(u"correlation needs a float64 table"_s);
        return context.data->rows();
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const SharedArray &data = *context.data();
        return coMomentsOf(data.matrix<double>().middleRows(begin, end - begin)).toCbor();
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &context) const override
    {
        return std::make_unique<reducers::Fold<CoMomentsSum>>(
            CoMomentsSum(context.data->cols()),
            [](CoMomentsSum &sum, qint64, qint64, const QCborValue &part) { sum.add(part); },
            [](CoMomentsSum &sum, const RunContext &context) { return sum.finish(context); });
    }
};

} // namespace

std::unique_ptr<Job> makeCorrelation()
{
    return std::make_unique<Correlation>();
}

} // namespace brigade::jobs
