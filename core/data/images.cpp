// Image folders decoded into image sets, image files encoded from pixels, and their dataset format.
#include "core/data/images.h"

#include "core/base/filekind.h"

#include "core/data/datasetformat.h"

#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QImageWriter>
#include <QSaveFile>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

// The format a file name claims, spelled as QImageReader::format() spells content ("jpg" is "jpeg").
QByteArray formatOfSuffix(const QString &suffix)
{
    const QByteArray s = suffix.toLower().toLatin1();
    if (s == "jpg" || s == "jpe")
        return "jpeg";
    if (s == "tif")
        return "tiff";
    return s;
}

bool sameFormat(const QByteArray &named, const QByteArray &content)
{
    static const QList<QByteArray> netpbm{"pbm", "pgm", "ppm"}; // one Qt handler reads all three
    return named == content || (netpbm.contains(named) && netpbm.contains(content));
}

// The suffixes read as images: the formats and Qt's other raster formats, where Qt has the plugin.
const QStringList &imageSuffixes()
{
    static const QStringList suffixes = [] {
        const QList<QByteArray> supported = QImageReader::supportedImageFormats();
        QStringList list;
        for (const char *s :
             {"png", "jpg", "jpeg", "jpe", "bmp", "gif", "webp", "tif", "tiff", "pbm", "pgm", "ppm"})
            if (supported.contains(formatOfSuffix(QString::fromLatin1(s))))
                list << QString::fromLatin1(s);
        return list;
    }();
    return suffixes;
}

QImage::Format storedFormat(qint64 channels)
{
    return channels == 1   ? QImage::Format_Grayscale8
           : channels == 3 ? QImage::Format_RGB888
                           : QImage::Format_RGBA8888;
}

// Channels stored for a QImage format: gray stays one channel, alpha keeps four, the rest is RGB.
qint64 channelsOf(QImage::Format format)
{
    switch (format) {
    case QImage::Format_Grayscale8:
    case QImage::Format_Grayscale16:
    case QImage::Format_Alpha8:
        return 1;
    case QImage::Format_Invalid:
        return 4; // unknown before decoding: room for the most
    default:
        return QImage::toPixelFormat(format).alphaUsage() == QPixelFormat::UsesAlpha ? 4 : 3;
    }
}

qint64 channelsOf(const QImage &image)
{
    if ((image.format() == QImage::Format_Indexed8 || image.format() == QImage::Format_Mono ||
         image.format() == QImage::Format_MonoLSB) &&
        !image.hasAlphaChannel() && image.isGrayscale()) // a gray colour table: cheap to check
        return 1;
    return channelsOf(image.format());
}

struct Candidate {
    QString path;
    QString name;
    ImageEntry shape{};
};

// Checks one file without decoding it: the reason to skip it, or its shape (channels as an upper bound).
std::optional<QString> inspect(const QString &folder, const QFileInfo &info, qint64 limitBytes,
                               Candidate &out)
{
    if (info.isSymLink()) {
        const QString target = info.canonicalFilePath();
        if (target.isEmpty())
            return u"broken symbolic link"_s;
        if (!target.startsWith(folder + u'/'))
            return u"symbolic link leading out of the folder (not followed)"_s;
    }
    if (!info.isFile())
        return u"not a regular file"_s;
    if (info.size() == 0)
        return u"empty file"_s;
    QImageReader reader(info.filePath());
    reader.setDecideFormatFromContent(true);
    const QByteArray content = reader.format();
    const QByteArray named = formatOfSuffix(info.suffix());
    if (content.isEmpty())
        return u"not a readable %1 image (%2)"_s.arg(QString::fromLatin1(named.toUpper()),
                                                     reader.errorString());
    if (!sameFormat(named, content))
        return u"mislabelled: named .%1 but the content is %2"_s.arg(info.suffix(),
                                                                     QString::fromLatin1(content.toUpper()));
    const QSize size = reader.size();
    if (!size.isValid() || size.isEmpty())
        return u"corrupt %1: no valid image size in its header (%2)"_s.arg(
            QString::fromLatin1(named.toUpper()), reader.errorString());
    const qint64 channels = channelsOf(reader.imageFormat());
    // QImage decodes to 32 bits a pixel for most formats: judge the bomb by that, before any allocation.
    const qint64 decoded = qint64(size.width()) * size.height() * 4;
    if (decoded > limitBytes)
        return u"image of %1 x %2 pixels would take %3 MB decoded, over the limit of %4 MB "
               "(refused as a possible decompression bomb)"_s.arg(size.width())
                   .arg(size.height())
                   .arg(decoded >> 20)
                   .arg(limitBytes >> 20);
    out.path = info.filePath();
    out.name = info.fileName();
    out.shape = {0, size.width(), size.height(), channels};
    return std::nullopt;
}

// Decodes one candidate into its place in the image set: the entry to keep, or the reason to drop it.
std::variant<ImageEntry, QString> decode(const Candidate &c, const ImageEntry &slot, std::uint8_t *into)
{
    QImageReader reader(c.path);
    reader.setDecideFormatFromContent(true);
    QImage image;
    if (!reader.read(&image))
        return u"corrupt %1: %2"_s.arg(QString::fromLatin1(reader.format().toUpper()), reader.errorString());
    qint64 channels = std::min(channelsOf(image), slot.channels);
    if (image.width() * qint64(image.height()) * channels > slot.bytes())
        return u"corrupt: decoded to %1 x %2 pixels, not the %3 x %4 its header says"_s.arg(image.width())
            .arg(image.height())
            .arg(slot.width)
            .arg(slot.height);
    image.convertTo(storedFormat(channels));
    const ImageEntry entry{slot.offset, image.width(), image.height(), channels};
    const size_t rowBytes = size_t(entry.width * channels);
    for (int y = 0; y < image.height(); ++y)
        std::memcpy(into + size_t(y) * rowBytes, image.constScanLine(y), rowBytes);
    return entry;
}

} // namespace

Result<SharedArray> readImageFolder(const QString &folderPath, const ImageFolderOptions &options)
{
    const QFileInfo folderInfo(folderPath);
    if (!folderInfo.isDir())
        return inputFailure(folderPath, u"not a folder"_s);
    const QString folder = folderInfo.canonicalFilePath();
    const QDir dir(folder);
    QStringList patterns;
    for (const QString &s : imageSuffixes())
        patterns << u"*."_s + s;
    // Names matched case-insensitively; no hidden files; links are listed so they can be judged.
    const QFileInfoList files = dir.entryInfoList(patterns, QDir::Files | QDir::System, QDir::Name);
    const qint64 limitBytes = qint64(options.allocationLimitMb) << 20;
    QImageReader::setAllocationLimit(options.allocationLimitMb);

    QStringList notes;
    std::vector<Candidate> candidates;
    for (const QFileInfo &info : files) {
        Candidate c;
        if (auto reason = inspect(folder, info, limitBytes, c))
            notes << info.fileName() + u": "_s + *reason;
        else
            candidates.push_back(std::move(c));
    }
    const auto nothing = [&]() -> Failure {
        QString why = files.isEmpty() ? u"no image files (PNG, JPEG, BMP, GIF, WebP, ...) in the folder"_s
                                      : u"no readable image among %1 image files: %2"_s.arg(files.size())
                                            .arg(notes.mid(0, 5).join(u"; "_s));
        return inputFailure(folderPath, why);
    };
    if (candidates.empty())
        return nothing();

    std::vector<ImageEntry> shapes;
    QStringList names;
    for (const Candidate &c : candidates) {
        shapes.push_back(c.shape);
        names << c.name;
    }
    auto created = SharedArray::createImages(shapes, names);
    if (!created)
        return created.failure();
    SharedArray images = std::move(created).value();

    // Decoding dominates: every thread takes the next file; each writes only its own image's bytes.
    std::vector<std::variant<ImageEntry, QString>> outcomes(candidates.size());
    std::atomic<size_t> next{0};
    const auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < candidates.size();)
            outcomes[i] = decode(candidates[i], images.image(qint64(i)), images.imagePixels(qint64(i)));
    };
    const int threads = std::clamp(options.threads > 0 ? options.threads : QThread::idealThreadCount(), 1,
                                   int(candidates.size()));
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &t : pool)
        t.join();

    qint64 kept = 0;
    QStringList keptNames;
    for (size_t i = 0; i < candidates.size(); ++i) {
        if (const auto *entry = std::get_if<ImageEntry>(&outcomes[i])) {
            images.setImage(kept++, *entry);
            keptNames << candidates[i].name;
        } else {
            notes << candidates[i].name + u": "_s + std::get<QString>(outcomes[i]);
        }
    }
    if (kept == 0)
        return nothing();
    images.setImageCount(kept, keptNames);
    notes.sort(); // by file name, whichever pass found the problem
    images.setReaderNotes(notes);
    return images;
}

std::optional<Failure> writeImageFile(const QString &path, const std::uint8_t *pixels,
                                      const ImageEntry &shape)
{
    const QImage image(pixels, int(shape.width), int(shape.height), int(shape.width * shape.channels),
                       storedFormat(shape.channels));
    if (const auto kind = nonFileKind(path)) // a save would put a file in the place of the node
        return Failure{FailureCode::Output, u"is %1, not a file: nothing written"_s.arg(*kind), path, -1};
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return inputFailure(path, u"cannot write: "_s + file.errorString());
    QImageWriter writer(&file, formatOfSuffix(QFileInfo(path).suffix()));
    if (!writer.write(image)) {
        file.cancelWriting();
        return inputFailure(path, u"cannot encode the image: "_s + writer.errorString());
    }
    if (!file.commit())
        return inputFailure(path, u"cannot write: "_s + file.errorString());
    return std::nullopt;
}

void registerImageFormats()
{
    DatasetFormat folder;
    folder.name = u"image-folder"_s;
    folder.folder = true;
    folder.memberMagics = {{u"PNG"_s, QByteArrayLiteral("\x89PNG\r\n\x1a\n")},
                           {u"JPEG"_s, QByteArrayLiteral("\xFF\xD8\xFF")},
                           {u"GIF"_s, QByteArrayLiteral("GIF87a")},
                           {u"GIF"_s, QByteArrayLiteral("GIF89a")}};
    folder.inspect = [](const QString &path, int) { return inspectImageFolder(path); };
    folder.load = [](const DatasetSource &source) -> Result<Dataset> {
        auto images = readImageFolder(source.path);
        if (!images)
            return images.failure();
        return Dataset{std::move(images).value(), {}, 0, {}};
    };
    folder.writeImage = writeImageFile;
    registerDatasetFormat(std::move(folder));
}

void registerImageCodecs()
{
    registerImageFormats();
}

} // namespace brigade
