// stats: per-column count, mean, std (ddof=1), min and max; partial moments merged with Chan's formulas.
#include "core/jobs/builtin.h"

#include "core/data/sharedarray.h"

#include <QCborArray>

#include <cmath>
#include <limits>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

struct Moments {
    qint64 count = 0;
    double mean = 0;
    double m2 = 0; // sum of squared deviations from the mean
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    // Chan, Golub & LeVeque's pairwise update.
    void merge(const Moments &o)
    {
        if (o.count == 0)
            return;
        if (count == 0) {
            *this = o;
            return;
        }
        const double n = double(count + o.count);
        const double delta = o.mean - mean;
        mean += delta * double(o.count) / n;
        m2 += o.m2 + delta * delta * double(count) * double(o.count) / n;
        count += o.count;
        min = std::min(min, o.min);
        max = std::max(max, o.max);
    }

    QCborArray toCbor() const { return {count, mean, m2, min, max}; }
    static Moments fromCbor(const QCborValue &v)
    {
        const QCborArray a = v.toArray();
        return {a[0].toInteger(), a[1].toDouble(), a[2].toDouble(), a[3].toDouble(), a[4].toDouble()};
    }
};

// Two passes over a contiguous block: the mean first, then squared deviations (accurate, vectorisable).
Moments momentsOf(const double *x, qint64 n)
{
    Moments m;
    double sum = 0;
    for (qint64 i = 0; i < n; ++i) {
        const double v = x[i];
        if (std::isnan(v))
            continue;
        ++m.count;
        sum += v;
        m.min = std::min(m.min, v);
        m.max = std::max(m.max, v);
    }
    if (m.count == 0)
        return m;
    m.mean = sum / double(m.count);
    double m2 = 0;
    for (qint64 i = 0; i < n; ++i) {
        const double v = x[i];
        if (!std::isnan(v))
            m2 += (v - m.mean) * (v - m.mean);
    }
    m.m2 = m2;
    return m;
}

QCborValue finiteOrNull(double v)
{
    return std::isfinite(v) ? QCborValue(v) : QCborValue(QCborValue::Null);
}

class StatsReducer final : public Reducer
{
public:
    void add(qint64, qint64, const QCborValue &part) override
    {
        const QCborArray columns = part.toArray();
        if (m_columns.size() < size_t(columns.size()))
            m_columns.resize(columns.size());
        for (qsizetype c = 0; c < columns.size(); ++c)
            m_columns[c].merge(Moments::fromCbor(columns[c]));
    }

    Result<QCborMap> finish(const RunContext &context) override
    {
        const QStringList names = context.data->columnNames();
        m_columns.resize(context.data->cols());
        QCborArray columns;
        for (size_t c = 0; c < m_columns.size(); ++c) {
            const Moments &m = m_columns[c];
            QCborMap column;
            column.insert(u"name"_s, c < size_t(names.size()) ? names[qsizetype(c)] : u"c%1"_s.arg(c));
            column.insert(u"count"_s, m.count);
            column.insert(u"mean"_s, m.count > 0 ? QCborValue(m.mean) : QCborValue(QCborValue::Null));
            column.insert(u"std"_s, m.count > 1 ? finiteOrNull(std::sqrt(m.m2 / double(m.count - 1)))
                                                : QCborValue(QCborValue::Null));
            column.insert(u"min"_s, m.count > 0 ? finiteOrNull(m.min) : QCborValue(QCborValue::Null));
            column.insert(u"max"_s, m.count > 0 ? finiteOrNull(m.max) : QCborValue(QCborValue::Null));
            columns.append(column);
        }
        QCborMap result;
        result.insert(u"columns"_s, columns);
        if (!context.outputPath.isEmpty())
            if (auto failure = writeStandardOutput(context.outputPath, result, nullptr))
                return *failure;
        return result;
    }

private:
    std::vector<Moments> m_columns;
};

class Stats final : public Job
{
public:
    QString name() const override { return u"stats"_s; }
    QString summary() const override
    {
        return u"Per-column count, mean, standard deviation, minimum and maximum"_s;
    }
    QList<ParamSpec> params() const override { return {}; }
    InputUse input() const override { return InputUse::Read; }
    bool acceptsGeneratedRows() const override { return true; }
    QList<OutputFormat> outputFormats() const override { return {OutputFormat::Csv, OutputFormat::Json}; }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (context.data->dtype() != Dtype::Float64)
            return usageFailure(u"stats needs a float64 table"_s);
        return context.data->rows();
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const SharedArray &data = *context.data();
        const double *base = data.data<double>();
        QCborArray columns;
        for (qint64 c = 0; c < data.cols(); ++c) {
            columns.append(momentsOf(base + c * data.rows() + begin, end - begin).toCbor());
            if (context.cancelled())
                break;
        }
        return columns;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<StatsReducer>();
    }
};

} // namespace

std::unique_ptr<Job> makeStats()
{
    return std::make_unique<Stats>();
}

} // namespace brigade::jobs
