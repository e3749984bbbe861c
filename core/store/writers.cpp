#include "core/store/writers.h"

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

Result<void> writeStandardOutput(const QString &path, const QCborMap &result, const SharedArray *array)
{
    const auto format = outputFormatOf(path);
    if (format == OutputFormat::Json)
        return writeJson(path, result);
    if (format == OutputFormat::Npy) {
        if (!array)
            return writeFailure(path, u"this result has no array to write as .npy"_s);
        return writeNpyFile(path, *array);
    }
    if (format == OutputFormat::Csv) {
        const QCborValue columns = result.value(u"columns"_s);
        if (columns.isArray() && columns.toArray().first().isMap()) {
            QStringList header;
            QList<QCborArray> rows;
            for (const QCborValue &column : columns.toArray()) {
                const QCborMap map = column.toMap();
                if (header.isEmpty())
                    for (auto it = map.constBegin(); it != map.constEnd(); ++it)
                        header << it.key().toString();
                QCborArray row;
                for (const QString &key : std::as_const(header))
                    row.append(map.value(key));
                rows << row;
            }
            return writeCsvRows(path, header, rows);
        }
        if (array)
            return writeArrayCsv(path, *array);
        QList<QCborArray> rows;
        for (auto it = result.constBegin(); it != result.constEnd(); ++it)
            rows << QCborArray{it.key(), it.value()};
        return writeCsvRows(path, {u"key"_s, u"value"_s}, rows);
    }
    return writeFailure(path, u"unsupported output type (expected .csv, .tsv, .npy or .json)"_s);
}

namespace {

bool isMapList(const QCborValue &value)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return false;
    const QCborArray list = value.toArray();
    return std::all_of(list.cbegin(), list.cend(), [](const QCborValue &v) { return v.isMap(); });
}

bool isHistogram(const QCborMap &result)
{
    return isMapList(result.value(u"columns"_s)) &&
           result.value(u"columns"_s).toArray().first().toMap().value(u"counts"_s).isArray();
}

bool isCorrelation(const QCborMap &result)
{
    return result.value(u"columns"_s).isArray() && result.value(u"correlation"_s).isArray();
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
    if (isCorrelation(result)) {
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
    } else if (isHistogram(result)) {
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

} // namespace

ResultTable resultTable(const QCborMap &result)
{
    ResultTable table;
    if (result.isEmpty())
        return table;
    if (isHistogram(result)) {
        table.header = {u"name"_s, u"left"_s, u"right"_s, u"count"_s};
        for (const QCborValue &value : result.value(u"columns"_s).toArray()) {
            const QCborMap column = value.toMap();
            const QCborArray edges = column.value(u"edges"_s).toArray();
            const QCborArray counts = column.value(u"counts"_s).toArray();
            for (qsizetype k = 0; k < counts.size(); ++k)
                table.rows.append({column.value(u"name"_s), edges[k], edges[k + 1], counts[k]});
        }
        return table;
    }
    if (isCorrelation(result)) {
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
    const QString listKey = isMapList(result.value(u"features"_s)) ? u"features"_s : u"columns"_s;
    if (isMapList(result.value(listKey))) {
        // The keys in order of first appearance; a list of numbers (an image's histogram) becomes one
        // column per entry, key_0, key_1, ...
        const QCborArray list = result.value(listKey).toArray();
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
    table.header = {u"key"_s, u"value"_s};
    for (auto it = result.cbegin(); it != result.cend(); ++it)
        if (!it.value().isArray() && !it.value().isMap())
            table.rows.append({it.key(), it.value()});
    return table;
}

QList<OutputFormat> resultFormats(const QCborMap &result)
{
    if (result.isEmpty())
        return {};
    QList<OutputFormat> formats{OutputFormat::Csv, OutputFormat::Json};
    if (!resultMatrix(result).values.empty())
        formats.append(OutputFormat::Npy);
    return formats;
}

Result<void> writeResult(const QString &path, const QCborMap &result)
{
    const auto format = outputFormatOf(path);
    const QList<OutputFormat> formats = resultFormats(result);
    if (!format || !formats.contains(*format)) {
        QStringList names;
        for (OutputFormat f : formats)
            names << outputFormatName(f);
        return writeFailure(
            path, u"this result is saved as %1 (the extension picks the format)"_s.arg(names.join(u", "_s)));
    }
    if (format == OutputFormat::Json)
        return writeJson(path, result);
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
