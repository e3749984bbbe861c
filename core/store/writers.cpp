// Result writers: the file formats, and one layout per result kind for --output and Save As alike.
#include "core/store/writers.h"

#include "core/base/filekind.h"
#include "core/data/npy.h"
#include "core/data/sharedarray.h"
#include "core/run/errorreport.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

Failure writeFailure(const QString &path, const QString &why)
{
    return Failure{FailureCode::Output, u"cannot write: "_s + why, path, -1};
}

// Why a save failed, as the system says it: QSaveFile's own text is at times only "Unknown error", while
// errno, read right after the failed call, holds the reason.
Failure saveFailure(const QSaveFile &file, int error)
{
    const QString qtReason = file.errorString();
    const bool generic = qtReason.isEmpty() || qtReason == u"Unknown error"_s;
    return writeFailure(file.fileName(),
                        generic && error != 0 ? QString::fromLocal8Bit(std::strerror(error)) : qtReason);
}

// Opens `file` for writing; the failure says why.
Result<void> open(QSaveFile &file)
{
    // A save renames a new file into place: over a device, FIFO or socket it would replace the node itself.
    if (const auto kind = nonFileKind(file.fileName()))
        return Failure{FailureCode::Output, u"is %1, not a file: nothing written"_s.arg(*kind),
                       file.fileName(), -1};
    errno = 0;
    if (!file.open(QIODevice::WriteOnly))
        return saveFailure(file, errno);
    return {};
}

char delimiterFor(const QString &path)
{
    return QFileInfo(path).suffix().compare(u"tsv"_s, Qt::CaseInsensitive) == 0 ? '\t' : ',';
}

void appendNumber(QByteArray &out, double v)
{
    char buffer[32];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v); // shortest round-trip form
    if (ec == std::errc())
        out.append(buffer, end - buffer);
}

void appendCell(QByteArray &out, const QCborValue &v, char delimiter)
{
    if (v.isDouble()) {
        appendNumber(out, v.toDouble());
        return;
    }
    if (v.isInteger()) {
        out.append(QByteArray::number(v.toInteger()));
        return;
    }
    if (v.isNull() || v.isUndefined())
        return; // missing
    const QByteArray text = v.isString() ? v.toString().toUtf8() : v.toVariant().toString().toUtf8();
    if (text.contains(delimiter) || text.contains('"') || text.contains('\n') || text.contains('\r')) {
        QByteArray quoted = text;
        quoted.replace('"', "\"\"");
        out.append('"').append(quoted).append('"');
    } else {
        out.append(text);
    }
}

// Writes what is still buffered and renames the file into place; nothing is left behind on failure.
Result<void> commit(QSaveFile &file)
{
    errno = 0;
    if (file.error() != QFileDevice::NoError) { // a write failed before: its reason, not commit's
        Failure failure = saveFailure(file, errno);
        file.cancelWriting();
        return failure;
    }
    if (!file.flush()) {
        Failure failure = saveFailure(file, errno);
        file.cancelWriting();
        return failure;
    }
    errno = 0;
    if (!file.commit())
        return saveFailure(file, errno);
    return {};
}

// data/npy's writer, its failure an output failure.
Result<void> writeNpyFile(const QString &path, const SharedArray &array)
{
    if (auto failure = writeNpy(path, array)) {
        failure->code = FailureCode::Output;
        return *failure;
    }
    return {};
}

} // namespace

Result<void> writeJson(const QString &path, const QCborMap &value)
{
    QSaveFile file(path);
    if (auto opened = open(file); !opened)
        return opened;
    file.write(QJsonDocument(value.toJsonObject()).toJson(QJsonDocument::Indented));
    return commit(file);
}

Result<void> writeText(const QString &path, const QString &text)
{
    QSaveFile file(path);
    if (auto opened = open(file); !opened)
        return opened;
    file.write(text.toUtf8());
    return commit(file);
}

Result<void> writeErrorReports(const QString &path, const QList<ErrorReport> &reports)
{
    if (outputFormatOf(path) == OutputFormat::Json) {
        QCborArray list;
        for (const ErrorReport &report : reports)
            list.append(report.toCbor());
        return writeJson(path, QCborMap{{u"errors"_s, list}});
    }
    QStringList blocks;
    blocks.reserve(reports.size());
    for (const ErrorReport &report : reports)
        blocks.append(report.text());
    return writeText(path, blocks.join(u'\n'));
}

Result<void> writeCsvRows(const QString &path, const QStringList &header, const QList<QCborArray> &rows)
{
    QSaveFile file(path);
    if (auto opened = open(file); !opened)
        return opened;
    const char delimiter = delimiterFor(path);
    QByteArray line;
    for (qsizetype c = 0; c < header.size(); ++c) {
        if (c)
            line.append(delimiter);
        appendCell(line, QCborValue(header[c]), delimiter);
    }
    line.append('\n');
    file.write(line);
    for (const QCborArray &row : rows) {
        line.clear();
        for (qsizetype c = 0; c < row.size(); ++c) {
            if (c)
                line.append(delimiter);
            appendCell(line, row[c], delimiter);
        }
        line.append('\n');
        file.write(line);
    }
    return commit(file);
}

Result<void> writeArrayCsv(const QString &path, const SharedArray &array)
{
    if (array.dtype() != Dtype::Float64)
        return writeFailure(path, u"only float64 arrays can be written as CSV"_s);
    QSaveFile file(path);
    if (auto opened = open(file); !opened)
        return opened;
    const char delimiter = delimiterFor(path);
    QByteArray block;
    const QStringList names = array.columnNames();
    for (qsizetype c = 0; c < names.size(); ++c) {
        if (c)
            block.append(delimiter);
        appendCell(block, QCborValue(names[c]), delimiter);
    }
    block.append('\n');
    const double *data = array.data<double>();
    const qint64 rows = array.rows();
    for (qint64 r = 0; r < rows; ++r) {
        for (qint64 c = 0; c < array.cols(); ++c) {
            if (c)
                block.append(delimiter);
            const double v = data[c * rows + r];
            if (!std::isnan(v))
                appendNumber(block, v);
        }
        block.append('\n');
        if (block.size() > (1 << 20)) { // write in blocks: bounded memory for any size
            file.write(block);
            block.clear();
        }
    }
    file.write(block);
    return commit(file);
}

namespace {

bool isMapList(const QCborValue &value)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return false;
    const QCborArray list = value.toArray();
    return std::all_of(list.cbegin(), list.cend(), [](const QCborValue &v) { return v.isMap(); });
}

// A numeric matrix of the result, column-major, with a name per column; empty when it has none.
struct ResultMatrix {
    qint64 rows = 0;
    QStringList names;
    std::vector<double> values;
};

double numberOrNan(const QCborValue &v)
{
    return v.isDouble() || v.isInteger() ? v.toDouble() : std::numeric_limits<double>::quiet_NaN();
}

ResultMatrix resultMatrix(const QCborMap &result)
{
    ResultMatrix m;
    const ResultKind kind = resultKindOf(result);
    if (kind == ResultKind::Matrix) {
        const QCborArray names = result.value(u"columns"_s).toArray();
        const QCborArray rows = result.value(u"correlation"_s).toArray();
        m.rows = rows.size();
        for (qsizetype j = 0; j < names.size(); ++j) {
            m.names << names[j].toString();
            for (qsizetype i = 0; i < rows.size(); ++i)
                m.values.push_back(numberOrNan(rows[i].toArray()[j]));
        }
        if (m.rows != names.size())
            return {};
    } else if (kind == ResultKind::Histogram && isMapList(result.value(u"columns"_s))) {
        const QCborArray columns = result.value(u"columns"_s).toArray();
        m.rows = columns.first().toMap().value(u"counts"_s).toArray().size();
        for (const QCborValue &column : columns) {
            const QCborArray counts = column.toMap().value(u"counts"_s).toArray();
            if (counts.size() != m.rows)
                return {}; // ragged: no matrix
            m.names << column.toMap().value(u"name"_s).toString();
            for (const QCborValue &count : counts)
                m.values.push_back(numberOrNan(count));
        }
    }
    return m;
}

// One row per map of the list, the keys in order of first appearance; a list of numbers (an image's
// histogram) becomes one column per entry, key_0, key_1, ... (hist_0, ... for "histogram").
ResultTable mapListTable(const QCborArray &list)
{
    ResultTable table;
    QList<std::pair<QString, qsizetype>> keys; // key, and for a list its length (else -1)
    for (const QCborValue &value : list) {
        const QCborMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            const QString key = it.key().toString();
            const qsizetype width = it.value().isArray() ? it.value().toArray().size() : -1;
            auto known =
                std::find_if(keys.begin(), keys.end(), [&](const auto &k) { return k.first == key; });
            if (known == keys.end())
                keys.append({key, width});
            else
                known->second = std::max(known->second, width);
        }
    }
    for (const auto &[key, width] : std::as_const(keys)) {
        if (width < 0)
            table.header << key;
        for (qsizetype k = 0; k < width; ++k)
            table.header << (key == u"histogram"_s ? u"hist_%1"_s.arg(k) : u"%1_%2"_s.arg(key).arg(k));
    }
    for (const QCborValue &value : list) {
        const QCborMap map = value.toMap();
        QCborArray row;
        for (const auto &[key, width] : std::as_const(keys)) {
            if (width < 0) {
                row.append(map.value(key));
                continue;
            }
            const QCborArray cells = map.value(key).toArray();
            for (qsizetype k = 0; k < width; ++k)
                row.append(k < cells.size() ? cells[k] : QCborValue(QCborValue::Null));
        }
        table.rows.append(row);
    }
    return table;
}

ResultTable histogramTable(const QCborMap &result)
{
    ResultTable table{{u"name"_s, u"left"_s, u"right"_s, u"count"_s}, {}};
    for (const QCborValue &value : result.value(u"columns"_s).toArray()) {
        const QCborMap column = value.toMap();
        const QCborArray edges = column.value(u"edges"_s).toArray();
        const QCborArray counts = column.value(u"counts"_s).toArray();
        for (qsizetype k = 0; k < counts.size(); ++k)
            table.rows.append({column.value(u"name"_s), edges[k], edges[k + 1], counts[k]});
    }
    return table;
}

ResultTable matrixTable(const QCborMap &result)
{
    ResultTable table;
    const QCborArray names = result.value(u"columns"_s).toArray();
    const QCborArray matrix = result.value(u"correlation"_s).toArray();
    table.header << u"name"_s;
    for (const QCborValue &name : names)
        table.header << name.toString();
    for (qsizetype i = 0; i < matrix.size(); ++i) {
        QCborArray row{names[i]};
        for (const QCborValue &v : matrix[i].toArray())
            row.append(v);
        table.rows.append(row);
    }
    return table;
}

ResultTable scalarsTable(const QCborMap &result)
{
    ResultTable table{{u"key"_s, u"value"_s}, {}};
    for (auto it = result.cbegin(); it != result.cend(); ++it)
        if (!it.value().isArray() && !it.value().isMap() && it.key().toString() != resultKindKey())
            table.rows.append({it.key(), it.value()});
    return table;
}

// A List's values, one a line.
Result<void> writeLines(const QString &path, const QCborArray &values)
{
    QSaveFile file(path);
    if (auto opened = open(file); !opened)
        return opened;
    QByteArray block;
    for (const QCborValue &v : values) {
        appendCell(block, v, '\n');
        block.append('\n');
        if (block.size() > (1 << 20)) {
            file.write(block);
            block.clear();
        }
    }
    file.write(block);
    return commit(file);
}

} // namespace

ResultKind resultKindOf(const QCborMap &result)
{
    return resultKindFromName(result.value(resultKindKey()).toString()).value_or(ResultKind::Scalars);
}

ResultTable resultTable(const QCborMap &result)
{
    if (result.isEmpty())
        return {};
    switch (resultKindOf(result)) {
    case ResultKind::ColumnStats:
        return mapListTable(result.value(u"columns"_s).toArray());
    case ResultKind::Histogram:
        return histogramTable(result);
    case ResultKind::Matrix:
        return matrixTable(result);
    case ResultKind::ImageFeatures:
        return mapListTable(result.value(u"features"_s).toArray());
    case ResultKind::Scalars:
    case ResultKind::Array:
    case ResultKind::List:
    case ResultKind::Rows:
        break;
    }
    return scalarsTable(result);
}

QList<OutputFormat> resultFormats(const QCborMap &result, const ResultData &data)
{
    if (result.isEmpty())
        return {};
    QList<OutputFormat> formats{OutputFormat::Json};
    switch (resultKindOf(result)) {
    case ResultKind::Scalars:
    case ResultKind::ColumnStats:
    case ResultKind::ImageFeatures:
        formats.prepend(OutputFormat::Csv);
        break;
    case ResultKind::Histogram:
    case ResultKind::Matrix:
        formats.prepend(OutputFormat::Csv);
        if (!resultMatrix(result).values.empty())
            formats.append(OutputFormat::Npy);
        break;
    case ResultKind::Array:
        if (data.array)
            formats = {OutputFormat::Npy, OutputFormat::Csv, OutputFormat::Json};
        break;
    case ResultKind::List:
        if (data.list)
            formats = {OutputFormat::Text, OutputFormat::Csv, OutputFormat::Json};
        break;
    case ResultKind::Rows:
        break;
    }
    return formats;
}

Result<void> writeResult(const QString &path, const QCborMap &result, const ResultData &data)
{
    const ResultKind kind = resultKindOf(result);
    const auto format = outputFormatOf(path);
    if (kind == ResultKind::List && format != OutputFormat::Json && data.list)
        return writeLines(path, *data.list);
    const QList<OutputFormat> formats = resultFormats(result, data);
    if (!format || !formats.contains(*format)) {
        QStringList names;
        for (OutputFormat f : formats)
            names << outputFormatName(f);
        return Failure{
            FailureCode::Usage,
            u"this result is saved as %1 (the extension picks the format)"_s.arg(names.join(u", "_s)), path,
            -1};
    }
    if (format == OutputFormat::Json)
        return writeJson(path, result);
    if (kind == ResultKind::Array)
        return format == OutputFormat::Npy ? writeNpyFile(path, *data.array)
                                           : writeArrayCsv(path, *data.array);
    if (format == OutputFormat::Csv) {
        const ResultTable table = resultTable(result);
        return writeCsvRows(path, table.header, table.rows);
    }
    const ResultMatrix m = resultMatrix(result);
    auto array = SharedArray::create(Dtype::Float64, m.rows, qint64(m.names.size()), m.names);
    if (!array)
        return array.failure();
    std::copy(m.values.cbegin(), m.values.cend(), array->data<double>());
    return writeNpyFile(path, *array);
}

} // namespace brigade
