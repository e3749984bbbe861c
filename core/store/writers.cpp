#include "core/store/writers.h"

#include "core/data/npy.h"
#include "core/data/sharedarray.h"
#include "core/pool/errorreport.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

Failure writeFailure(const QString &path, const QString &why)
{
    return Failure{FailureCode::Input, u"cannot write: "_s + why, path, -1};
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

std::optional<Failure> commit(QSaveFile &file)
{
    if (!file.commit())
        return writeFailure(file.fileName(), file.errorString());
    return std::nullopt;
}

} // namespace

std::optional<OutputFormat> outputFormatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"csv"_s || suffix == u"tsv"_s)
        return OutputFormat::Csv;
    if (suffix == u"npy"_s)
        return OutputFormat::Npy;
    if (suffix == u"json"_s)
        return OutputFormat::Json;
    if (suffix == u"txt"_s)
        return OutputFormat::Text;
    return std::nullopt;
}

QString outputFormatName(OutputFormat format)
{
    switch (format) {
    case OutputFormat::Csv:
        return u".csv"_s;
    case OutputFormat::Npy:
        return u".npy"_s;
    case OutputFormat::Json:
        return u".json"_s;
    case OutputFormat::Text:
        return u".txt"_s;
    }
    return {};
}

std::optional<Failure> writeJson(const QString &path, const QCborMap &value)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return writeFailure(path, file.errorString());
    file.write(QJsonDocument(value.toJsonObject()).toJson(QJsonDocument::Indented));
    return commit(file);
}

std::optional<Failure> writeText(const QString &path, const QString &text)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return writeFailure(path, file.errorString());
    file.write(text.toUtf8());
    return commit(file);
}

std::optional<Failure> writeErrorReports(const QString &path, const QList<ErrorReport> &reports)
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

std::optional<Failure> writeCsvRows(const QString &path, const QStringList &header,
                                    const QList<QCborArray> &rows)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return writeFailure(path, file.errorString());
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

std::optional<Failure> writeArrayCsv(const QString &path, const SharedArray &array)
{
    if (array.dtype() != Dtype::Float64)
        return writeFailure(path, u"only float64 arrays can be written as CSV"_s);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return writeFailure(path, file.errorString());
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

std::optional<Failure> writeStandardOutput(const QString &path, const QCborMap &result,
                                           const SharedArray *array)
{
    const auto format = outputFormatOf(path);
    if (format == OutputFormat::Json)
        return writeJson(path, result);
    if (format == OutputFormat::Npy) {
        if (!array)
            return writeFailure(path, u"this result has no array to write as .npy"_s);
        return writeNpy(path, *array);
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

} // namespace brigade
