// stats: per-column count, mean, std (ddof=1), min and max; partial moments merged with Chan's formulas.
#include "core/jobs/builtin.h"

#include "core/data/sharedarray.h"
#include "core/jobs/csvchunkjob.h"
#include "core/jobs/reducers.h"

#include <QCborArray>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

using reducers::Moments;
using reducers::momentsOf;

QCborValue finiteOrNull(double v)
{
    return std::isfinite(v) ? QCborValue(v) : QCborValue(QCborValue::Null);
}

// The moments merged so far and, streamed, what the chunks said of text cells, skipped rows and errors.
class StatsState
{
public:
    void add(const QCborValue &part)
    {
        if (isChunkError(part)) {
            m_error = part;
            return;
        }
        QCborArray columns = part.toArray();
        if (part.isMap()) { // a streamed chunk: its moments, which columns had text, the rows it skipped
            const QCborArray text = part[u"text"_s].toArray();
            m_text.resize(std::max(m_text.size(), size_t(text.size())));
            for (qsizetype c = 0; c < text.size(); ++c)
                m_text[size_t(c)] |= char(text[c].toBool());
            m_skipped += part[u"skipped"_s].toInteger();
            columns = part[u"moments"_s].toArray();
        }
        m_moments.add(columns);
    }

    bool failed() const { return m_error.isMap(); }

    Result<JobResult> finish(const RunContext &context)
    {
        std::vector<Moments> &merged = m_moments.columns();
        if (m_error.isMap())
            return chunkFailure(*context.chunks, m_error);
        QStringList names = context.chunks ? context.chunks->names : context.data->columnNames();
        merged.resize(context.chunks ? size_t(names.size()) : size_t(context.data->cols()));
        QStringList textColumns = context.textColumns;
        qint64 skippedRows = context.skippedRows;
        if (context.chunks) { // streamed: a column with a text cell anywhere is a text column, as when loaded
            m_text.resize(merged.size());
            for (qsizetype c = names.size() - 1; c >= 0; --c) {
                if (!m_text[size_t(c)])
                    continue;
                textColumns.prepend(names.takeAt(c));
                merged.erase(merged.begin() + c);
            }
            if (names.isEmpty())
                return inputFailure(context.chunks->path,
                                    u"no numeric column (text columns: %1)"_s.arg(textColumns.join(u", "_s)));
            skippedRows = m_skipped;
        }
        QCborArray columns;
        for (size_t c = 0; c < merged.size(); ++c) {
            const Moments &m = merged[c];
            QCborMap column;
            column.insert(u"name"_s, c < size_t(names.size()) ? names[qsizetype(c)] : u"c%1"_s.arg(c));
            column.insert(u"count"_s, m.count);
            column.insert(u"mean"_s, m.count > 0 ? QCborValue(m.mean) : QCborValue(QCborValue::Null));
            column.insert(u"std"_s, m.count > 1 ? finiteOrNull(m.sampleStd()) : QCborValue(QCborValue::Null));
            // The extremes are values of the column, infinities included (printed "inf"; JSON has no
            // infinity: null there).
            column.insert(u"min"_s, m.count > 0 ? QCborValue(m.min) : QCborValue(QCborValue::Null));
            column.insert(u"max"_s, m.count > 0 ? QCborValue(m.max) : QCborValue(QCborValue::Null));
            columns.append(column);
        }
        QCborMap result;
        result.insert(u"columns"_s, columns);
        if (!textColumns.isEmpty())
            result.insert(u"text_columns"_s, QCborArray::fromStringList(textColumns));
        if (skippedRows > 0)
            result.insert(u"skipped_rows"_s, skippedRows);
        return JobResult{result, nullptr, {}};
    }

private:
    reducers::ColumnMoments m_moments;
    std::vector<char> m_text; // streamed: per column, whether any chunk had a text cell in it
    qint64 m_skipped = 0;
    QCborValue m_error; // streamed: the first bad chunk
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
    ResultKind resultKind() const override { return ResultKind::ColumnStats; }
    InputUse input() const override { return InputUse::Read; }
    bool acceptsGeneratedRows() const override { return true; }
    QList<OutputFormat> outputFormats() const override { return {OutputFormat::Csv, OutputFormat::Json}; }
    StreamUse streaming() const override { return StreamUse::WhenLarge; }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (context.chunks)
            return context.chunks->count();
        if (context.data->dtype() != Dtype::Float64)
            return usageFailure(u"stats needs a float64 table"_s);
        return context.data->rows();
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        if (const auto chunks = streamedChunks(context.params()))
            return runStreamed(context, *chunks, begin, end);
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
        return std::make_unique<reducers::Fold<StatsState>>(
            StatsState{}, [](StatsState &state, qint64, qint64, const QCborValue &part) { state.add(part); },
            [](StatsState &state, const RunContext &context) { return state.finish(context); },
            [](const StatsState &state) { return state.failed(); });
    }

private:
    // Chunks [begin, end) of a streamed CSV: moments per block of rows, merged.
    static QCborValue runStreamed(const TaskContext &context, const CsvChunks &chunks, qint64 begin,
                                  qint64 end)
    {
        std::vector<Moments> moments(size_t(chunks.names.size()));
        std::vector<char> text(moments.size(), 0);
        qint64 skipped = 0;
        for (qint64 k = begin; k < end && !context.cancelled(); ++k) {
            CsvChunkCounts counts;
            auto error =
                readCsvChunkNumbers(chunks, k, counts, [&](int column, const double *values, qint64 n) {
                    moments[size_t(column)].merge(momentsOf(values, n));
                });
            if (error)
                return chunkErrorValue(k, *error);
            for (size_t c = 0; c < text.size() && c < counts.textColumns.size(); ++c)
                text[c] |= counts.textColumns[c];
            skipped += counts.skippedRows;
        }
        QCborArray columns, textFlags;
        for (size_t c = 0; c < moments.size(); ++c) {
            columns.append(moments[c].toCbor());
            textFlags.append(text[c] != 0);
        }
        return QCborMap{{u"moments"_s, columns}, {u"text"_s, textFlags}, {u"skipped"_s, skipped}};
    }
};

} // namespace

std::unique_ptr<Job> makeStats()
{
    return std::make_unique<Stats>();
}

} // namespace brigade::jobs
