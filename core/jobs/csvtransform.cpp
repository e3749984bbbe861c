// csv-transform: keeps the rows where a column passes a condition, adds a derived column, writes the rows
// to CSV in input order. The input is always streamed: each worker reads its chunks of the file.
#include "core/jobs/builtin.h"

#include "core/jobs/csvchunkjob.h"
#include "core/jobs/reducers.h"

#include <QCborArray>
#include <QRegularExpression>
#include <QSaveFile>

#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

enum class Op { Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual };

struct Condition {
    QString column;
    Op op = Op::Greater;
    double value = 0;

    bool holds(double v) const
    {
        switch (op) {
        case Op::Greater:
            return v > value;
        case Op::GreaterEqual:
            return v >= value;
        case Op::Less:
            return v < value;
        case Op::LessEqual:
            return v <= value;
        case Op::Equal:
            return v == value;
        case Op::NotEqual:
            return v != value;
        }
        return false;
    }
};

Result<Condition> parseWhere(const QString &text)
{
    static const QRegularExpression pattern(uR"(^\s*(.*?)\s*(>=|<=|==|!=|=|>|<)\s*(.*?)\s*$)"_s);
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return usageFailure(u"--where: \"%1\" has no operator (expected COLUMN OP NUMBER, OP one of "
                            "> >= < <= == !=)"_s.arg(text));
    Condition c;
    c.column = match.captured(1);
    if (c.column.isEmpty())
        return usageFailure(u"--where: \"%1\" names no column (expected COLUMN OP NUMBER)"_s.arg(text));
    static const QMap<QString, Op> ops{
        {u">"_s, Op::Greater}, {u">="_s, Op::GreaterEqual}, {u"<"_s, Op::Less},     {u"<="_s, Op::LessEqual},
        {u"=="_s, Op::Equal},  {u"="_s, Op::Equal},         {u"!="_s, Op::NotEqual}};
    c.op = ops.value(match.captured(2));
    const QByteArray number = match.captured(3).toUtf8();
    if (!csvNumber(std::string_view(number.constData(), size_t(number.size())), c.value))
        return usageFailure(u"--where: \"%1\" is not a number (in \"%2\")"_s.arg(match.captured(3), text));
    return c;
}

enum class Derive { Sqrt, Log, Square, Scale };

Derive deriveOf(const QString &name)
{
    if (name == u"log"_s)
        return Derive::Log;
    if (name == u"square"_s)
        return Derive::Square;
    if (name == u"scale"_s)
        return Derive::Scale;
    return Derive::Sqrt;
}

// The column the derived one is computed from: --column, else the --where column.
QString sourceColumn(const QVariantMap &params, const Condition &where)
{
    const QString column = params.value(u"column"_s).toString();
    return column.isEmpty() ? where.column : column;
}

void appendCell(std::string &out, std::string_view cell, char delimiter)
{
    const bool quote = std::any_of(cell.begin(), cell.end(), [delimiter](char ch) {
        return ch == delimiter || ch == '"' || ch == '\n' || ch == '\r';
    });
    if (!quote) {
        out.append(cell);
        return;
    }
    out.push_back('"');
    for (char ch : cell) {
        if (ch == '"')
            out.push_back('"');
        out.push_back(ch);
    }
    out.push_back('"');
}

// The shortest text that reads back as the same double (nan and inf as Python prints them).
void appendNumber(std::string &out, double v)
{
    if (std::isnan(v)) {
        out.append("nan");
        return;
    }
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
    out.append(buffer, end);
}

// A reducer of its own: the rows go to the output file as their turn comes (bounded memory, atomic).
class TransformReducer final : public Reducer
{
public:
    explicit TransformReducer(const RunContext &context)
    {
        if (context.chunks)
            m_chunks = *context.chunks;
        if (context.outputPath.isEmpty())
            return;
        m_file = std::make_unique<QSaveFile>(context.outputPath);
        if (!m_file->open(QIODevice::WriteOnly)) {
            m_failure = Failure{FailureCode::Output, u"cannot write: "_s + m_file->errorString(),
                                context.outputPath, -1};
            return;
        }
        auto where = parseWhere(context.params.value(u"where"_s).toString());
        const QString derived = context.params.value(u"derive"_s).toString() + u'_' +
                                (where ? sourceColumn(context.params, where.value()) : QString());
        std::string header;
        const QStringList names = QStringList(m_chunks.names) << derived;
        for (const QString &name : names) {
            appendCell(header, name.toStdString(), ',');
            header.push_back(',');
        }
        header.back() = '\n';
        write(QByteArray::fromStdString(header));
    }

    ~TransformReducer() override
    {
        if (m_file)
            m_file->cancelWriting(); // nothing is left behind unless finish() committed
    }

    void add(qint64 begin, qint64 end, const QCborValue &part) override
    {
        if (failed())
            return;
        if (isChunkError(part)) {
            m_error = part;
            return;
        }
        // Parts arrive in order from an ordered run; any that arrive early wait for their turn.
        m_parts.add(begin, end, part);
        m_parts.drain([this](const QCborValue &next) {
            const QCborMap map = next.toMap();
            m_rows += map.value(u"rows"_s).toInteger();
            m_kept += map.value(u"kept"_s).toInteger();
            m_skipped += map.value(u"skipped"_s).toInteger();
            if (m_file)
                write(map.value(u"text"_s).toByteArray());
        });
    }

    bool failed() const override { return m_error.isMap() || m_failure.has_value(); }

    Result<JobResult> finish(const RunContext &context) override
    {
        if (m_error.isMap())
            return chunkFailure(m_chunks, m_error);
        if (m_failure)
            return *m_failure;
        if (m_file && !context.outputPath.isEmpty()) {
            if (!m_file->commit())
                return Failure{FailureCode::Output, u"cannot write: "_s + m_file->errorString(),
                               context.outputPath, -1};
            m_file.reset();
        }
        QCborMap result;
        result.insert(u"rows"_s, m_rows);
        result.insert(u"kept_rows"_s, m_kept);
        if (m_skipped > 0)
            result.insert(u"skipped_rows"_s, m_skipped);
        if (!context.outputPath.isEmpty())
            result.insert(u"output"_s, context.outputPath);
        return JobResult{result, nullptr, {}};
    }

private:
    void write(const QByteArray &bytes)
    {
        if (m_file->write(bytes) != bytes.size())
            m_failure = Failure{FailureCode::Output, u"cannot write: "_s + m_file->errorString(),
                                m_file->fileName(), -1};
    }

    CsvChunks m_chunks;
    std::unique_ptr<QSaveFile> m_file;
    reducers::Concatenate m_parts; // in item order
    qint64 m_rows = 0, m_kept = 0, m_skipped = 0;
    QCborValue m_error;
    std::optional<Failure> m_failure;
};

class CsvTransform final : public Job
{
public:
    QString name() const override { return u"csv-transform"_s; }
    QString summary() const override
    {
        return u"Keeps the CSV rows that pass --where, adds a derived column, writes them in order"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {{u"where"_s,
                 ParamType::String,
                 u"value > 0"_s,
                 {},
                 {},
                 {},
                 u"keep the rows where COLUMN OP NUMBER holds (OP: > >= < <= == !=)"_s},
                {u"derive"_s,
                 ParamType::Choice,
                 u"sqrt"_s,
                 {},
                 {},
                 {u"sqrt"_s, u"log"_s, u"square"_s, u"scale"_s},
                 u"the derived column, named e.g. sqrt_value"_s},
                {u"column"_s,
                 ParamType::String,
                 QString(),
                 {},
                 {},
                 {},
                 u"the column to derive from (default: the --where column)"_s},
                {u"factor"_s, ParamType::Double, 2.0, {}, {}, {}, u"the factor of --derive scale"_s}};
    }
    ResultKind resultKind() const override { return ResultKind::Rows; }
    InputUse input() const override { return InputUse::Read; }
    StreamUse streaming() const override { return StreamUse::Always; }
    QList<OutputFormat> outputFormats() const override { return {OutputFormat::Csv}; }

    Result<void> checkParams(const QVariantMap &params) const override
    {
        auto where = parseWhere(params.value(u"where"_s).toString());
        if (!where)
            return where.failure();
        return {};
    }

    Result<qint64> plan(const RunContext &context) const override
    {
        if (!context.chunks)
            return usageFailure(u"--input: csv-transform reads CSV or TSV files"_s);
        if (context.outputPath.endsWith(u".tsv"_s, Qt::CaseInsensitive))
            return usageFailure(u"--output: csv-transform writes comma-separated .csv files"_s);
        auto where = parseWhere(context.params.value(u"where"_s).toString());
        if (!where)
            return where.failure();
        const QStringList &names = context.chunks->names;
        if (!names.contains(where->column))
            return usageFailure(u"--where: no column \"%1\" in %2 (columns: %3)"_s.arg(
                where->column, context.chunks->path, names.join(u", "_s)));
        const QString source = sourceColumn(context.params, *where);
        if (!names.contains(source))
            return usageFailure(u"--column: no column \"%1\" in %2 (columns: %3)"_s.arg(
                source, context.chunks->path, names.join(u", "_s)));
        return context.chunks->count();
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const auto chunks = streamedChunks(context.params());
        if (!chunks)
            throw std::runtime_error("csv-transform: the run's input is not streamed");
        auto where = parseWhere(context.params().value(u"where"_s).toString());
        if (!where)
            throw std::runtime_error(where.failure().message.toStdString());
        const qsizetype whereColumn = chunks->names.indexOf(where->column);
        const qsizetype sourceIndex = chunks->names.indexOf(sourceColumn(context.params(), *where));
        if (whereColumn < 0 || sourceIndex < 0)
            throw std::runtime_error("csv-transform: a column is not in the file");
        const Derive derive = deriveOf(context.params().value(u"derive"_s).toString());
        const double factor = context.params().value(u"factor"_s).toDouble();
        const bool writes = context.writesOutput();

        std::string text;
        if (writes &&
            begin < end) // the rows plus their derived cells: growing by doubling would take twice that
            text.reserve(size_t((chunks->bounds[end] - chunks->bounds[begin]) * 5 / 4 + 4096));
        qint64 kept = 0;
        CsvChunkCounts counts;
        const bool commas = chunks->delimiter == ',';
        for (qint64 k = begin; k < end && !context.cancelled(); ++k) {
            auto error = readCsvChunkRecords(*chunks, k, counts, [&](const CsvRecord &record) {
                const auto &cells = record.cells;
                double value;
                if (!csvNumber(cells[size_t(whereColumn)], value) || !where->holds(value))
                    return;
                ++kept;
                if (!writes)
                    return;
                if (commas && !record.plain.empty()) { // nothing to quote: the row as it is in the file
                    text.append(record.plain);
                    text.push_back(',');
                } else {
                    for (const std::string_view cell : cells) {
                        appendCell(text, cell, ',');
                        text.push_back(',');
                    }
                }
                double x = value;
                if (sourceIndex == whereColumn || csvNumber(cells[size_t(sourceIndex)], x)) {
                    switch (derive) {
                    case Derive::Sqrt:
                        x = std::sqrt(x);
                        break;
                    case Derive::Log:
                        x = std::log(x);
                        break;
                    case Derive::Square:
                        x = x * x;
                        break;
                    case Derive::Scale:
                        x = x * factor;
                        break;
                    }
                    appendNumber(text, x);
                }
                text.push_back('\n');
            });
            if (error)
                return chunkErrorValue(k, *error);
        }
        return QCborMap{{u"rows"_s, counts.rows},
                        {u"kept"_s, kept},
                        {u"skipped"_s, counts.skippedRows},
                        {u"end"_s, end},
                        {u"text"_s, QByteArray::fromStdString(text)}};
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &context) const override
    {
        return std::make_unique<TransformReducer>(context);
    }
};

} // namespace

std::unique_ptr<Job> makeCsvTransform()
{
    return std::make_unique<CsvTransform>();
}

} // namespace brigade::jobs
