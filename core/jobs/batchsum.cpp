// batch-sum: the sum of the integers in [start, end), or of one column of a table (the seeds' batching).
#include "core/jobs/builtin.h"

#include "core/data/sharedarray.h"
#include "core/jobs/reducers.h"

#include <QCborArray>

#include <optional>
#include <stdexcept>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

// |start|, |end| up to 4e9: every partial sum stays below 8e18, exact in 64 bits.
constexpr qint64 RangeBound = 4'000'000'000;

// A column by name first, then by 0-based index.
std::optional<qint64> columnIndex(const SharedArray &data, const QString &column)
{
    const qsizetype named = data.columnNames().indexOf(column);
    if (named >= 0)
        return named;
    bool ok = false;
    const qint64 index = column.toLongLong(&ok);
    if (ok && index >= 0 && index < data.cols())
        return index;
    return std::nullopt;
}

// The values summed so far: integers of the range, or the present values of a table's column.
struct Totals {
    qint64 count = 0;
    qint64 sum = 0;     // the range form
    double realSum = 0; // the table form
    Totals &operator+=(const Totals &o)
    {
        count += o.count;
        sum += o.sum;
        realSum += o.realSum;
        return *this;
    }
};

Result<JobResult> finishSum(const Totals &total, const RunContext &context)
{
    QCborMap result;
    if (context.data) {
        const qint64 column =
            columnIndex(*context.data, context.params.value(u"column"_s).toString()).value_or(0);
        const QStringList names = context.data->columnNames();
        result.insert(u"column"_s, column < names.size() ? names[column] : u"c%1"_s.arg(column));
        result.insert(u"count"_s, total.count);
        result.insert(u"missing"_s, context.data->rows() - total.count);
        result.insert(u"sum"_s, total.realSum);
    } else {
        result.insert(u"count"_s, total.count);
        result.insert(u"sum"_s, total.sum);
    }
    return JobResult{result, nullptr, {}};
}

class BatchSum final : public Job
{
public:
    QString name() const override { return u"batch-sum"_s; }
    QString summary() const override
    {
        return u"Sum the integers in [start, end), or with --input one column of a table"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {
            {u"start"_s,
             ParamType::Int,
             qint64(0),
             -RangeBound,
             RangeBound,
             {},
             u"First integer of the range (without --input)"_s},
            {u"end"_s,
             ParamType::Int,
             qint64(100000),
             -RangeBound,
             RangeBound,
             {},
             u"End of the range, excluded (without --input)"_s},
            {u"column"_s,
             ParamType::String,
             u"0"_s,
             {},
             {},
             {},
             u"With --input: the column to sum, by name or 0-based index; missing values are skipped"_s},
        };
    }
    ResultKind resultKind() const override { return ResultKind::Scalars; }
    InputUse input() const override { return InputUse::None; }
    bool inputOptional() const override { return true; }
    QList<OutputFormat> outputFormats() const override { return {OutputFormat::Csv, OutputFormat::Json}; }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (const SharedArray *data = context.data) {
            if (data->dtype() != Dtype::Float64)
                return usageFailure(u"batch-sum needs a float64 table"_s);
            const QString column = context.params.value(u"column"_s).toString();
            if (!columnIndex(*data, column))
                return usageFailure(u"--column: no column \"%1\" (names: %2; or an index below %3)"_s.arg(
                    column, data->columnNames().join(u", "_s), QString::number(data->cols())));
            return data->rows();
        }
        const qint64 start = context.params.value(u"start"_s).toLongLong();
        const qint64 end = context.params.value(u"end"_s).toLongLong();
        if (end < start)
            return usageFailure(u"--end: %1 is below --start %2"_s.arg(end).arg(start));
        return end - start;
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        if (const SharedArray *data = context.data())
            return columnSum(*data, context.params().value(u"column"_s).toString(), begin, end);
        // The range form: the tiny-task case, so no allocation; the count is end - begin.
        const qint64 start = context.params().value(u"start"_s).toLongLong();
        qint64 sum = 0;
        for (qint64 i = start + begin; i < start + end; ++i)
            sum += i;
        return sum;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &context) const override
    {
        const bool table = context.data != nullptr;
        return std::make_unique<reducers::Sum<Totals>>(
            [table](qint64 begin, qint64 end, const QCborValue &part) {
                return table ? Totals{part[0].toInteger(), 0, part[1].toDouble()}
                             : Totals{end - begin, part.toInteger(), 0};
            },
            finishSum);
    }

private:
    // [count of present values, their sum]
    static QCborArray columnSum(const SharedArray &data, const QString &column, qint64 begin, qint64 end)
    {
        const auto index = columnIndex(data, column);
        if (!index)
            throw std::invalid_argument("batch-sum: no such column: " + column.toStdString());
        const auto m = data.matrix<double>();
        const auto x = m.col(*index).segment(begin, end - begin).array();
        const auto present = !x.isNaN();
        return {qint64(present.count()), present.select(x, 0.0).sum()};
    }
};

} // namespace

std::unique_ptr<Job> makeBatchSum()
{
    return std::make_unique<BatchSum>();
}

} // namespace brigade::jobs
