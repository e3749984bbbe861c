#include "core/data/csv.h"

#include <QFile>

#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

// Splits one line into fields, honouring double quotes ("" inside quotes is a quote).
std::vector<std::string_view> splitFields(std::string_view line, char delimiter, std::string &scratch)
{
    std::vector<std::string_view> fields;
    if (line.find('"') == std::string_view::npos) {
        size_t start = 0;
        while (true) {
            const size_t at = line.find(delimiter, start);
            fields.push_back(
                line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
            if (at == std::string_view::npos)
                break;
            start = at + 1;
        }
        return fields;
    }
    scratch.clear();
    scratch.reserve(line.size());
    std::vector<std::pair<size_t, size_t>> spans;
    size_t fieldStart = 0;
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char ch = line[i];
        if (quoted) {
            if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                scratch.push_back('"');
                ++i;
            } else if (ch == '"') {
                quoted = false;
            } else {
                scratch.push_back(ch);
            }
        } else if (ch == '"') {
            quoted = true;
        } else if (ch == delimiter) {
            spans.emplace_back(fieldStart, scratch.size() - fieldStart);
            fieldStart = scratch.size();
        } else {
            scratch.push_back(ch);
        }
    }
    spans.emplace_back(fieldStart, scratch.size() - fieldStart);
    for (auto [at, n] : spans)
        fields.push_back(std::string_view(scratch).substr(at, n));
    return fields;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool parseNumber(std::string_view s, double &out)
{
    s = trim(s);
    if (s.empty() || s == "nan" || s == "NaN" || s == "NA") {
        out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (s.front() == '+')
        s.remove_prefix(1);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size();
}

} // namespace

Result<SharedArray> readNumericCsv(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    const QByteArray bytes = file.readAll();
    const char delimiter =
        (path.endsWith(u".tsv"_s, Qt::CaseInsensitive) || path.endsWith(u".tab"_s, Qt::CaseInsensitive))
            ? '\t'
            : ',';
    std::string_view text(bytes.constData(), bytes.size());
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);

    std::string scratch;
    QStringList names;
    std::vector<std::vector<double>> columns;
    qint64 lineNo = 0;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string_view::npos)
            eol = text.size();
        const std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        ++lineNo;
        if (trim(line).empty())
            continue;
        const auto fields = splitFields(line, delimiter, scratch);
        if (names.isEmpty()) {
            for (size_t c = 0; c < fields.size(); ++c) {
                const auto name = trim(fields[c]);
                names << (name.empty() ? u"c%1"_s.arg(c)
                                       : QString::fromUtf8(name.data(), qsizetype(name.size())));
            }
            columns.resize(fields.size());
            continue;
        }
        if (fields.size() != columns.size())
            return inputFailure(
                path, u"row has %1 fields but the header has %2"_s.arg(fields.size()).arg(columns.size()),
                lineNo);
        for (size_t c = 0; c < fields.size(); ++c) {
            double v = 0;
            if (!parseNumber(fields[c], v))
                return inputFailure(path,
                                    u"column \"%1\": \"%2\" is not a number"_s.arg(names[c]).arg(
                                        QString::fromUtf8(fields[c].data(), qsizetype(fields[c].size()))),
                                    lineNo);
            columns[c].push_back(v);
        }
    }
    if (names.isEmpty())
        return inputFailure(path, u"file is empty: a header row is expected"_s, 1);
    const qint64 rows = columns.empty() ? 0 : qint64(columns[0].size());
    auto array = SharedArray::create(Dtype::Float64, rows, qint64(columns.size()), names);
    if (!array)
        return array.failure();
    double *out = array->data<double>();
    for (size_t c = 0; c < columns.size(); ++c)
        std::copy(columns[c].begin(), columns[c].end(), out + c * rows);
    return array;
}

} // namespace brigade
