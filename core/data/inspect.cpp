#include "core/data/inspect.h"

#include "core/data/csv.h"
#include "core/data/csvlex.h"
#include "core/data/datasetformat.h"
#include "core/data/npy.h"
#include "core/data/sharedarray.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>

#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr qint64 ScanBlockBytes = 4 << 20;

// The non-blank records of a CSV file, as readCsv counts them (see csv::RecordCounter).
Result<qint64> countCsvRecords(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    std::vector<char> block(size_t{ScanBlockBytes});
    csv::RecordCounter counter;
    while (true) {
        const qint64 n = file.read(block.data(), ScanBlockBytes);
        if (n < 0)
            return inputFailure(path, u"cannot read: "_s + file.errorString());
        if (n == 0)
            break;
        counter.feed(block.data(), n);
    }
    return counter.records();
}

QString delimiterName(char d)
{
    return d == '\t' ? u"tab"_s : QString(QChar::fromLatin1(d));
}

} // namespace

Result<DatasetInfo> inspectCsvFile(const QString &path, int previewRows)
{
    auto sniff = sniffCsv(path, previewRows);
    if (!sniff)
        return sniff.failure();
    auto records = countCsvRecords(path);
    if (!records)
        return records.failure();
    DatasetInfo info;
    info.path = path;
    const QString suffix = QFileInfo(path).suffix().toLower();
    const bool named = suffix == u"csv"_s || suffix == u"tsv"_s || suffix == u"tab"_s;
    info.kind = (named ? suffix == u"csv"_s : sniff->delimiter != '\t') ? u"csv"_s : u"tsv"_s;
    info.fileBytes = QFileInfo(path).size();
    info.rows = std::max<qint64>(0, *records - (sniff->header ? 1 : 0));
    info.delimiter = delimiterName(sniff->delimiter);
    info.header = sniff->header;
    info.dtype = u"float64"_s;
    qint64 numeric = 0;
    for (qsizetype c = 0; c < sniff->names.size(); ++c) {
        const bool text = c < sniff->kinds.size() && sniff->kinds[c] == ColumnKind::Text;
        info.columns.append({sniff->names[c], text ? u"text"_s : u"number"_s});
        numeric += text ? 0 : 1;
    }
    info.cols = numeric; // a run computes over the numeric columns
    info.preview = sniff->preview;
    // The reader parses into blocks, then copies them into the segment, with the file mapped meanwhile.
    info.runBytes = info.rows * numeric * qint64(sizeof(double));
    info.peakBytes = 2 * info.runBytes + info.fileBytes;
    return info;
}

Result<DatasetInfo> inspectNpyFile(const QString &path, int previewRows)
{
    auto header = readNpyHeader(path);
    if (!header)
        return header.failure();
    DatasetInfo info;
    info.path = path;
    info.kind = u"npy"_s;
    info.fileBytes = QFileInfo(path).size();
    info.rows = header->rows;
    info.cols = header->cols;
    info.dtype = u"float64"_s; // every dtype is read as float64
    for (qint64 c = 0; c < header->cols; ++c)
        info.columns.append({header->oneDimensional ? u"value"_s : u"c%1"_s.arg(c), header->descr});
    info.runBytes = header->rows * header->cols * qint64(sizeof(double));
    info.peakBytes = info.runBytes; // read straight into the segment, in bounded blocks
    // A preview of small arrays only: it is not worth reading a large one.
    const qint64 shown = std::min<qint64>(previewRows, header->rows);
    if (shown > 0 && header->cols > 0 && header->cols <= 64 && header->rows * header->cols <= (1 << 20)) {
        if (auto array = readNpy(path)) {
            const auto m = array->matrix<double>();
            for (qint64 r = 0; r < shown; ++r) {
                QStringList row;
                for (qint64 c = 0; c < header->cols; ++c)
                    row << QString::number(m(r, c), 'g', 10);
                info.preview << row;
            }
        }
    }
    return info;
}

Result<DatasetInfo> inspectImageFolder(const QString &path)
{
    static const QStringList patterns{u"*.png"_s, u"*.jpg"_s, u"*.jpeg"_s,
                                      u"*.bmp"_s, u"*.gif"_s, u"*.webp"_s};
    const QDir dir(path);
    DatasetInfo info;
    info.path = path;
    info.kind = u"image-folder"_s;
    info.dtype = u"uint8"_s;
    QFileInfoList images;
    for (const QFileInfo &f : dir.entryInfoList(QDir::Files | QDir::Readable, QDir::Name)) {
        if (f.isSymLink() && !f.canonicalFilePath().startsWith(dir.canonicalPath() + u'/'))
            continue; // never followed out of the folder
        if (QDir::match(patterns, f.fileName().toLower()))
            images << f;
    }
    if (images.isEmpty())
        return inputFailure(path, u"no image files (.png, .jpg, .jpeg, .bmp, .gif, .webp) in the folder"_s);
    for (const QFileInfo &f : images) {
        info.fileBytes += f.size();
        if (info.preview.size() < 5)
            info.preview << QStringList{f.fileName(), QLocale::c().formattedDataSize(f.size())};
    }
    info.rows = images.size();
    info.columns = {{u"file"_s, u"text"_s}, {u"size"_s, u"text"_s}};
    return info;
}

Result<DatasetInfo> inspectDataset(const QString &path, int previewRows)
{
    auto format = recogniseDataset(path);
    if (!format)
        return format.failure();
    if (!(*format)->inspect)
        return inputFailure(path, u"the %1 format has no inspection"_s.arg((*format)->name));
    return (*format)->inspect(path, previewRows);
}

QCborMap DatasetInfo::toCbor() const
{
    QCborArray columnList;
    for (const ColumnInfo &c : columns)
        columnList.append(QCborMap{{u"name"_s, c.name}, {u"type"_s, c.type}});
    QCborArray rowsShown;
    for (const QStringList &row : preview)
        rowsShown.append(QCborArray::fromStringList(row));
    QCborMap map{{u"path"_s, path},
                 {u"kind"_s, kind},
                 {u"bytes"_s, fileBytes},
                 {u"shape"_s, QCborArray{rows, cols}},
                 {u"dtype"_s, dtype},
                 {u"columns"_s, columnList},
                 {u"preview"_s, rowsShown},
                 {u"memory"_s, QCborMap{{u"shared_bytes"_s, runBytes}, {u"peak_bytes"_s, peakBytes}}}};
    if (kind == u"csv"_s || kind == u"tsv"_s) {
        map.insert(u"delimiter"_s, delimiter);
        map.insert(u"header"_s, header);
    }
    return map;
}

QString DatasetInfo::toText() const
{
    const QLocale c = QLocale::c();
    QString text;
    text += u"%1\n"_s.arg(path);
    text += u"  kind      %1\n"_s.arg(kind);
    text += fileBytes >= 1024
                ? u"  size      %1 (%2 bytes)\n"_s.arg(c.formattedDataSize(fileBytes)).arg(fileBytes)
                : u"  size      %1 bytes\n"_s.arg(fileBytes);
    if (kind == u"image-folder"_s)
        text += u"  images    %1\n"_s.arg(rows);
    else
        text +=
            u"  shape     %1 rows x %2 numeric columns, computed as %3\n"_s.arg(rows).arg(cols).arg(dtype);
    if (kind == u"csv"_s || kind == u"tsv"_s)
        text +=
            u"  dialect   delimiter \"%1\", %2\n"_s.arg(delimiter, header ? u"header row"_s : u"no header"_s);
    if (!columns.isEmpty() && kind != u"image-folder"_s) {
        text += u"  columns\n"_s;
        for (const ColumnInfo &col : columns)
            text += u"    %1 %2\n"_s.arg(col.name.leftJustified(24), col.type);
    }
    if (!preview.isEmpty()) {
        text += u"  first rows\n"_s;
        for (const QStringList &row : preview)
            text += u"    "_s + row.join(u"  "_s) + u'\n';
    }
    if (runBytes > 0)
        text += u"  memory    %1 shared by the workers; %2 at most while loading\n"_s.arg(
            c.formattedDataSize(runBytes), c.formattedDataSize(peakBytes));
    return text;
}

} // namespace brigade
