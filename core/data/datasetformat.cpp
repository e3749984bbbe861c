// The dataset-format registry: the built-in CSV, TSV and NPY formats, registration of others, and the
// recognition of a path by its type, its first bytes and its name.
#include "core/data/datasetformat.h"

#include "core/base/filekind.h"
#include "core/data/csv.h"
#include "core/data/npy.h"

#include <QFile>
#include <QFileInfo>

#include <mutex>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr qint64 HeadBytes = 4096; // read to recognise a file by its content

Result<Dataset> loadNpyDataset(const DatasetSource &source)
{
    auto array = readNpy(source.path);
    if (!array)
        return array.failure();
    return Dataset{std::move(array).value(), {}, 0, {}};
}

QList<std::shared_ptr<const DatasetFormat>> builtInFormats()
{
    const auto csvFamily = [](QString name, QStringList extensions, QByteArray delimiters) {
        DatasetFormat f;
        f.name = std::move(name);
        f.extensions = std::move(extensions);
        f.textDelimiters = std::move(delimiters);
        f.streams = true;
        f.inspect = inspectCsvFile;
        f.load = [](const DatasetSource &source) { return openCsvDataset(source.path, source.onBadRow); };
        return std::make_shared<const DatasetFormat>(std::move(f));
    };
    DatasetFormat npy;
    npy.name = u"npy"_s;
    npy.extensions = {u"npy"_s};
    npy.magic = QByteArrayLiteral("\x93NUMPY");
    npy.inspect = [](const QString &path, int previewRows) { return inspectNpyFile(path, previewRows); };
    npy.load = loadNpyDataset;
    return {csvFamily(u"csv"_s, {u"csv"_s}, ",;|"), csvFamily(u"tsv"_s, {u"tsv"_s, u"tab"_s}, "\t"),
            std::make_shared<const DatasetFormat>(std::move(npy))};
}

struct Registry {
    std::mutex mutex;
    QList<std::shared_ptr<const DatasetFormat>> formats = builtInFormats();
};

Registry &registry()
{
    static Registry r;
    return r;
}

// The first line of `head` when it is text (no NUL, no control byte but tab, CR and LF).
std::optional<QByteArrayView> firstTextLine(QByteArrayView head)
{
    if (head.startsWith("\xEF\xBB\xBF"))
        head = head.sliced(3);
    for (char ch : head) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte < 0x20 && ch != '\t' && ch != '\r' && ch != '\n')
            return std::nullopt;
    }
    while (!head.isEmpty() && (head.front() == '\n' || head.front() == '\r'))
        head = head.sliced(1);
    qsizetype end = 0;
    while (end < head.size() && head[end] != '\n' && head[end] != '\r')
        ++end;
    return head.first(end);
}

QString expectedList(const QList<std::shared_ptr<const DatasetFormat>> &formats)
{
    QStringList names;
    bool folder = false;
    for (const auto &f : formats) {
        folder = folder || f->folder;
        for (const QString &e : f->extensions)
            names << u"."_s + e;
    }
    QString list = names.join(u", "_s);
    if (folder)
        list += u" or a folder of images"_s;
    return list;
}

} // namespace

void registerDatasetFormat(DatasetFormat format)
{
    auto added = std::make_shared<const DatasetFormat>(std::move(format));
    Registry &r = registry();
    const std::lock_guard lock(r.mutex);
    for (auto &f : r.formats) {
        if (f->name == added->name) {
            f = std::move(added);
            return;
        }
    }
    r.formats.append(std::move(added));
}

QList<std::shared_ptr<const DatasetFormat>> datasetFormats()
{
    Registry &r = registry();
    const std::lock_guard lock(r.mutex);
    return r.formats;
}

std::shared_ptr<const DatasetFormat> datasetFormat(QStringView name)
{
    for (const auto &f : datasetFormats())
        if (f->name == name)
            return f;
    return nullptr;
}

Result<std::shared_ptr<const DatasetFormat>> recogniseDataset(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return inputFailure(path, u"no such file"_s);
    const auto formats = datasetFormats();
    if (info.isDir()) {
        for (const auto &f : formats)
            if (f->folder)
                return f;
        return inputFailure(path, u"is a folder: image folders are read by the brigade application, "
                                  "which registers the image reader"_s);
    }
    if (!info.isFile())
        return inputFailure(path, u"is %1, not a dataset: give a file or a folder"_s.arg(
                                      nonFileKind(path).value_or(u"not a regular file"_s)));

    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot open: "_s + file.errorString());
    const QByteArray head = file.read(HeadBytes);
    for (const auto &f : formats)
        if (!f->magic.isEmpty() && head.startsWith(f->magic))
            return f;
    for (const auto &f : formats)
        for (const auto &[member, magic] : f->memberMagics)
            if (head.startsWith(magic))
                return inputFailure(
                    path, u"holds a %1 image, not a table: give the folder that holds it"_s.arg(member));
    const QString suffix = info.suffix().toLower();
    for (const auto &f : formats)
        if (!f->folder && f->extensions.contains(suffix))
            return f;
    if (const auto line = firstTextLine(head)) {
        for (const auto &f : formats)
            for (char d : f->textDelimiters)
                if (line->contains(d))
                    return f;
    }
    return inputFailure(
        path, u"unsupported file type \".%1\" (expected %2)"_s.arg(info.suffix(), expectedList(formats)));
}

bool datasetStreams(const QString &path)
{
    auto format = recogniseDataset(path);
    return format && (*format)->streams;
}

bool isSupportedDatasetPath(const QString &path)
{
    if (QFileInfo(path).isDir())
        return true;                // an image folder, read once the image formats are registered
    if (!QFileInfo::exists(path)) { // by its name alone
        const QString suffix = QFileInfo(path).suffix().toLower();
        for (const auto &f : datasetFormats())
            if (!f->folder && f->extensions.contains(suffix))
                return true;
        return false;
    }
    return recogniseDataset(path).ok();
}

} // namespace brigade
