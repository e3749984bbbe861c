// Image folders as datasets and the image-pipeline job: the reader's skips, the image set, real CLI runs.
#include "core/data/images.h"
#include "core/data/segmentregistry.h"
#include "helpers/cliprocess.h"
#include "helpers/procfs.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace testhelpers;

namespace {

constexpr int RunTimeoutMs = 120000; // a CLI run of the image pipeline, on a busy machine

// A deterministic colourful picture.
QImage pattern(int w, int h, int seed, QImage::Format format = QImage::Format_RGB888)
{
    QImage image(w, h, QImage::Format_RGBA8888);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            image.setPixel(x, y,
                           qRgba((x * 7 + seed * 31) % 256, (y * 11 + seed * 17) % 256,
                                 ((x ^ y) * 5 + seed) % 256, (x + y * 3 + 40) % 256));
    return image.convertToFormat(format);
}

quint32 crc32(const QByteArray &data)
{
    quint32 crc = 0xffffffffu;
    for (char ch : data) {
        crc ^= quint8(ch);
        for (int k = 0; k < 8; ++k)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

QByteArray bigEndian(quint32 v)
{
    const char bytes[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    return QByteArray(bytes, 4);
}

// A PNG whose header claims width x height pixels (and whose data is a few bytes): a decompression bomb.
QByteArray pngClaiming(quint32 width, quint32 height)
{
    const auto chunk = [](const QByteArray &type, const QByteArray &body) -> QByteArray {
        return bigEndian(quint32(body.size())) + type + body + bigEndian(crc32(type + body));
    };
    const QByteArray ihdr = bigEndian(width) + bigEndian(height) + QByteArray("\x08\x02\x00\x00\x00", 5);
    return QByteArray("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) +
           chunk("IDAT", QByteArray("\x78\x9c\x03\x00\x00\x00\x00\x01", 8)) + chunk("IEND", {});
}

// A GIF (Qt reads GIF but cannot write it): 256 colours, the image data as LZW literals only.
QByteArray gif(int w, int h)
{
    QByteArray out("GIF89a");
    const auto le16 = [&](int v) { out.append(char(v & 0xff)).append(char(v >> 8)); };
    le16(w);
    le16(h);
    out.append(char(0xf7)).append(char(0)).append(char(0)); // a global table of 256 colours
    for (int i = 0; i < 256; ++i)
        out.append(char(i)).append(char(255 - i)).append(char(i * 7));
    out.append(char(0x2c));
    le16(0);
    le16(0);
    le16(w);
    le16(h);
    out.append(char(0)).append(char(8)); // no local table; LZW minimum code size 8
    QByteArray data;
    quint32 bits = 0;
    int count = 0;
    const auto emit = [&](int code) { // 9-bit codes, LSB first; a clear code before the table would grow
        bits |= quint32(code) << count;
        for (count += 9; count >= 8; count -= 8, bits >>= 8)
            data.append(char(bits & 0xff));
    };
    for (int i = 0; i < w * h; ++i) {
        if (i % 254 == 0)
            emit(256);
        emit((i % w * 13 + i / w * 7) % 256);
    }
    emit(257);
    if (count > 0)
        data.append(char(bits & 0xff));
    for (qsizetype at = 0; at < data.size(); at += 255) {
        const QByteArray block = data.mid(at, 255);
        out.append(char(block.size())).append(block);
    }
    out.append(char(0)).append(char(0x3b));
    return out;
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QCOMPARE(f.write(bytes), bytes.size());
}

int luma(int r, int g, int b)
{
    return (299 * r + 587 * g + 114 * b + 500) / 1000;
}

// Features computed directly from an image of stored channels (1, 3, 4) as the job defines them.
struct Features {
    double mean[3] = {0, 0, 0};
    QList<qint64> histogram;
};
Features featuresOf(const std::uint8_t *px, qint64 w, qint64 h, qint64 c, int bins)
{
    Features f;
    f.histogram.fill(0, bins);
    double sum[3] = {0, 0, 0};
    for (qint64 i = 0; i < w * h; ++i) {
        const std::uint8_t *s = px + i * c;
        const int r = s[0], g = c >= 3 ? s[1] : s[0], b = c >= 3 ? s[2] : s[0];
        sum[0] += r, sum[1] += g, sum[2] += b;
        ++f.histogram[(c >= 3 ? luma(r, g, b) : r) * bins / 256];
    }
    for (int k = 0; k < 3; ++k)
        f.mean[k] = sum[k] / double(w * h);
    return f;
}

} // namespace

class TestImages final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    QString m_folder;
    // Kept images: name -> the picture as written (lossless formats only).
    QMap<QString, QImage> m_lossless;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        m_folder = m_tmp.filePath(u"photos"_s);
        QVERIFY(QDir().mkpath(m_folder));
        const QDir d(m_folder);
        const auto save = [&](const QString &name, const QImage &image, const char *format) {
            QVERIFY2(image.save(d.filePath(name), format), qPrintable(name));
        };
        m_lossless[u"a.png"_s] = pattern(40, 30, 1);
        save(u"a.png"_s, m_lossless[u"a.png"_s], "PNG");
        save(u"b.jpg"_s, pattern(64, 48, 2), "JPEG");
        m_lossless[u"c.bmp"_s] = pattern(17, 13, 3);
        save(u"c.bmp"_s, m_lossless[u"c.bmp"_s], "BMP");
        writeFile(d.filePath(u"d.gif"_s), gif(20, 20));
        m_lossless[u"e_gray.png"_s] = pattern(25, 15, 5, QImage::Format_Grayscale8);
        save(u"e_gray.png"_s, m_lossless[u"e_gray.png"_s], "PNG");
        m_lossless[u"f_alpha.png"_s] = pattern(10, 12, 6, QImage::Format_RGBA8888);
        save(u"f_alpha.png"_s, m_lossless[u"f_alpha.png"_s], "PNG");
        QVERIFY(QFile::link(d.filePath(u"a.png"_s), d.filePath(u"g_link_inside.png"_s)));

        // The bad ones.
        QByteArray png;
        {
            QImage big = pattern(200, 200, 7);
            QFile tmp(m_tmp.filePath(u"whole.png"_s));
            QVERIFY(big.save(&tmp, "PNG"));
        }
        QFile whole(m_tmp.filePath(u"whole.png"_s));
        QVERIFY(whole.open(QIODevice::ReadOnly));
        png = whole.readAll();
        writeFile(d.filePath(u"corrupt.png"_s), png.left(png.size() / 2)); // truncated in its data
        writeFile(d.filePath(u"empty.jpg"_s), {});
        writeFile(d.filePath(u"text.png"_s), "this is not an image, only text\n");
        writeFile(d.filePath(u"mislabelled.jpg"_s), png); // a PNG named .jpg
        writeFile(d.filePath(u"bomb.png"_s), pngClaiming(100000, 100000));
        QVERIFY(QFile::link(m_tmp.filePath(u"whole.png"_s), d.filePath(u"outside_link.png"_s)));
        writeFile(d.filePath(u"notes.txt"_s), "ignored: not an image file type\n");
    }

    void readerKeepsGoodImagesAndNamesTheBadOnes()
    {
        auto read = brigade::readImageFolder(m_folder);
        QVERIFY2(read.ok(), qPrintable(read.ok() ? QString() : read.failure().describe()));
        const brigade::SharedArray &images = *read;
        QVERIFY(images.isImageSet());
        QCOMPARE(images.columnNames(),
                 (QStringList{u"a.png"_s, u"b.jpg"_s, u"c.bmp"_s, u"d.gif"_s, u"e_gray.png"_s,
                              u"f_alpha.png"_s, u"g_link_inside.png"_s}));
        QCOMPARE(images.imageCount(), 7);
        const QList<QList<qint64>> shapes{{40, 30, 3}, {64, 48, 3}, {17, 13, 3}, {20, 20, 3},
                                          {25, 15, 1}, {10, 12, 4}, {40, 30, 3}};
        for (qint64 i = 0; i < images.imageCount(); ++i) {
            const brigade::ImageEntry e = images.image(i);
            QCOMPARE((QList<qint64>{e.width, e.height, e.channels}), shapes[i]);
            QCOMPARE(e.offset % 64, 0);
        }
        // Lossless files come back bit for bit.
        for (const QString &name : m_lossless.keys()) {
            const qint64 i = images.columnNames().indexOf(name);
            const brigade::ImageEntry e = images.image(i);
            const QImage &expected = m_lossless[name];
            for (int y = 0; y < expected.height(); ++y)
                QVERIFY2(std::memcmp(images.imagePixels(i) + y * e.width * e.channels,
                                     expected.constScanLine(y), size_t(e.width * e.channels)) == 0,
                         qPrintable(name));
        }
        const QStringList notes = images.readerNotes();
        const auto note = [&](const QString &name) {
            for (const QString &n : notes)
                if (n.startsWith(name + u": "_s))
                    return n;
            return QString();
        };
        QCOMPARE(notes.size(), 6);
        QVERIFY2(note(u"corrupt.png"_s).contains(u"corrupt"_s), qPrintable(notes.join(u'\n')));
        QVERIFY(note(u"empty.jpg"_s).contains(u"empty file"_s));
        QVERIFY(note(u"text.png"_s).contains(u"not a readable PNG image"_s));
        QVERIFY(note(u"mislabelled.jpg"_s).contains(u"mislabelled: named .jpg but the content is PNG"_s));
        QVERIFY(note(u"bomb.png"_s).contains(u"100000 x 100000"_s));
        QVERIFY(note(u"bomb.png"_s).contains(u"decompression bomb"_s));
        QVERIFY(note(u"outside_link.png"_s).contains(u"out of the folder"_s));

        // Another attachment sees the same set through the segment's header and index.
        auto attached = brigade::SharedArray::attach(images.key(), brigade::SharedArray::Access::ReadOnly);
        QVERIFY(attached.ok());
        QCOMPARE(attached->imageCount(), 7);
        QCOMPARE(attached->columnNames(), images.columnNames());
        QCOMPARE(attached->image(6).width, 40);
        QCOMPARE(std::memcmp(attached->imagePixels(0), images.imagePixels(0), 40 * 30 * 3), 0);
    }

    void folderWithoutImagesIsAnInputError()
    {
        const QString empty = m_tmp.filePath(u"nothing"_s);
        QVERIFY(QDir().mkpath(empty));
        writeFile(empty + u"/readme.txt"_s, "no images here\n");
        auto read = brigade::readImageFolder(empty);
        QVERIFY(!read.ok());
        QCOMPARE(read.failure().file, empty);
        const Ran r =
            runBrigade({u"run"_s, u"image-pipeline"_s, u"--input"_s, empty, u"--quiet"_s}, RunTimeoutMs);
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(r.err.contains(empty.toUtf8()) && r.err.contains("no image files"), r.err.constData());

        const QString bad = m_tmp.filePath(u"only-bad"_s);
        QVERIFY(QDir().mkpath(bad));
        writeFile(bad + u"/x.png"_s, "text");
        const Ran b =
            runBrigade({u"run"_s, u"image-pipeline"_s, u"--input"_s, bad, u"--quiet"_s}, RunTimeoutMs);
        QCOMPARE(b.exitCode, 3);
        QVERIFY2(b.err.contains("x.png: not a readable PNG image"), b.err.constData());
    }

    void outputDirThatIsAFileIsAnError()
    {
        const QString file = m_tmp.filePath(u"a-file"_s);
        writeFile(file, "x");
        const Ran r = runBrigade(
            {u"run"_s, u"image-pipeline"_s, u"--input"_s, m_folder, u"--output-dir"_s, file, u"--quiet"_s},
            RunTimeoutMs);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("is a file, not a folder"), r.err.constData());
    }

    // Grayscale alone is exact integer arithmetic: the features equal a direct computation over the reader's
    // pixels, and the written images hold exactly those pixels.
    void grayscaleRunEqualsDirectComputation()
    {
        auto read = brigade::readImageFolder(m_folder);
        QVERIFY(read.ok());
        const QString out = m_tmp.filePath(u"gray-out"_s);
        QVERIFY(QDir().mkpath(out)); // an existing folder is fine
        const QString table = m_tmp.filePath(u"gray.json"_s);
        const Ran r = runBrigade({u"run"_s, u"image-pipeline"_s, u"--input"_s, m_folder, u"--grayscale"_s,
                                  u"--bins"_s, u"8"_s, u"--output-dir"_s, out, u"--output"_s, table,
                                  u"--workers"_s, u"2"_s, u"--chunk-size"_s, u"2"_s, u"--json"_s},
                                 RunTimeoutMs);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(segmentsOf(r.pid).isEmpty(), qPrintable(segmentsOf(r.pid).join(u' ')));
        for (const char *name :
             {"corrupt.png", "empty.jpg", "text.png", "mislabelled.jpg", "bomb.png", "outside_link.png"})
            QVERIFY2(r.err.contains(QByteArray("brigade: skipped "_ba + name + ": ")), r.err.constData());
        const QJsonObject result = r.json()[u"result"_s].toObject();
        QCOMPARE(result[u"images"_s].toInt(), 7);
        QCOMPARE(result[u"written"_s].toInt(), 7);
        QCOMPARE(result[u"skipped"_s].toArray().size(), 6);
        const QJsonArray features = result[u"features"_s].toArray();
        QCOMPARE(features.size(), 7);
        QVERIFY(QFile::exists(table));

        for (qint64 i = 0; i < read->imageCount(); ++i) {
            const brigade::ImageEntry e = read->image(i);
            std::vector<std::uint8_t> gray(size_t(e.width * e.height));
            for (qint64 p = 0; p < e.width * e.height; ++p) {
                const std::uint8_t *s = read->imagePixels(i) + p * e.channels;
                gray[size_t(p)] = std::uint8_t(e.channels >= 3 ? luma(s[0], s[1], s[2]) : s[0]);
            }
            const Features direct = featuresOf(gray.data(), e.width, e.height, 1, 8);
            const QJsonObject row = features[i].toObject();
            const QString name = read->columnNames()[i];
            QCOMPARE(row[u"name"_s].toString(), name);
            QCOMPARE(row[u"width"_s].toInteger(), e.width);
            QCOMPARE(row[u"channels"_s].toInteger(), 1);
            QCOMPARE(row[u"mean_r"_s].toDouble(), direct.mean[0]);
            QCOMPARE(row[u"mean_b"_s].toDouble(), direct.mean[2]);
            QList<qint64> histogram;
            for (const QJsonValue &v : row[u"histogram"_s].toArray())
                histogram << v.toInteger();
            QCOMPARE(histogram, direct.histogram);

            const QImage written(QDir(out).filePath(QFileInfo(name).completeBaseName() + u".png"_s));
            QCOMPARE(written.size(), QSize(int(e.width), int(e.height)));
            const QImage g = written.convertToFormat(QImage::Format_Grayscale8);
            for (int y = 0; y < g.height(); ++y)
                QVERIFY(std::memcmp(g.constScanLine(y), gray.data() + y * e.width, size_t(e.width)) == 0);
        }
    }

    // Names travel as lists, never joined by a character a name may hold: an image whose file name holds
    // a newline keeps its name, and every image after it keeps its own (features and written files).
    void namesWithNewlinesStayWithTheirImages()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString folder = tmp.filePath(u"in"_s);
        QVERIFY(QDir().mkpath(folder));
        const QStringList names{u"a.png"_s, u"b\nc.png"_s, u"d.png"_s, u"e\n\n.png"_s, u"f.png"_s};
        for (int i = 0; i < names.size(); ++i)
            QVERIFY(pattern(4 + i, 3, i).save(QDir(folder).filePath(names[i])));
        const QString out = tmp.filePath(u"out"_s);
        const Ran r = runBrigade({u"run"_s, u"image-pipeline"_s, u"--input"_s, folder, u"--output-dir"_s, out,
                                  u"--workers"_s, u"2"_s, u"--json"_s},
                                 RunTimeoutMs);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray features = r.json()[u"result"_s].toObject()[u"features"_s].toArray();
        QCOMPARE(features.size(), names.size());
        for (int i = 0; i < names.size(); ++i) {
            const QJsonObject row = features[i].toObject();
            QCOMPARE(row[u"name"_s].toString(), names[i]); // the folder is read in name order
            QCOMPARE(row[u"width"_s].toInteger(), 4 + i);
            const QImage written(QDir(out).filePath(QFileInfo(names[i]).completeBaseName() + u".png"_s));
            QCOMPARE(written.width(), 4 + i);
        }
        QCOMPARE(QDir(out).entryList(QDir::Files).size(), names.size());
    }

    // Blur and resize in floating point: the written images are within one level of a direct computation,
    // and the features are exactly those of the written images.
    void blurAndResizeRun_data()
    {
        QTest::addColumn<QString>("blur");
        QTest::addColumn<QString>("resample");
        QTest::newRow("box-bilinear") << u"box"_s << u"bilinear"_s;
        QTest::newRow("gaussian-area") << u"gaussian"_s << u"area"_s;
    }
    void blurAndResizeRun()
    {
        QFETCH(QString, blur);
        QFETCH(QString, resample);
        auto read = brigade::readImageFolder(m_folder);
        QVERIFY(read.ok());
        const QString out = m_tmp.filePath(u"out-"_s + blur);
        const Ran r = runBrigade({u"run"_s,          u"image-pipeline"_s,
                                  u"--input"_s,      m_folder,
                                  u"--blur"_s,       blur,
                                  u"--radius"_s,     u"2"_s,
                                  u"--width"_s,      u"16"_s,
                                  u"--height"_s,     u"9"_s,
                                  u"--resample"_s,   resample,
                                  u"--output-dir"_s, out,
                                  u"--workers"_s,    u"2"_s,
                                  u"--unordered"_s,  u"--json"_s},
                                 RunTimeoutMs);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(segmentsOf(r.pid).isEmpty());
        const QJsonArray features = r.json()[u"result"_s].toObject()[u"features"_s].toArray();
        QCOMPARE(features.size(), 7);
        for (qint64 i = 0; i < read->imageCount(); ++i) {
            const brigade::ImageEntry e = read->image(i);
            const int c = int(e.channels);
            const QString name = read->columnNames()[i];
            QImage written(QDir(out).filePath(QFileInfo(name).completeBaseName() + u".png"_s));
            QCOMPARE(written.size(), QSize(16, 9));
            written.convertTo(c == 1   ? QImage::Format_Grayscale8
                              : c == 3 ? QImage::Format_RGB888
                                       : QImage::Format_RGBA8888);
            std::vector<std::uint8_t> px;
            for (int y = 0; y < 9; ++y)
                px.insert(px.end(), written.constScanLine(y), written.constScanLine(y) + 16 * c);
            const Features fromFile = featuresOf(px.data(), 16, 9, c, 16);
            const QJsonObject row = features[i].toObject();
            QCOMPARE(row[u"mean_g"_s].toDouble(), fromFile.mean[1]);
            QList<qint64> histogram;
            for (const QJsonValue &v : row[u"histogram"_s].toArray())
                histogram << v.toInteger();
            QCOMPARE(histogram, fromFile.histogram);

            // Direct: blur (borders replicated) then resize, in doubles, straight from the definitions.
            const int w = int(e.width), h = int(e.height);
            std::vector<double> k(5, 1.0);
            if (blur == u"gaussian"_s) {
                const double sigma = 0.3 * (2 - 1) + 0.8;
                for (int t = -2; t <= 2; ++t)
                    k[size_t(t + 2)] = std::exp(-t * t / (2 * sigma * sigma));
            }
            double ks = 0;
            for (double v : k)
                ks += v;
            const auto src = [&](int x, int y, int ch) {
                x = std::clamp(x, 0, w - 1), y = std::clamp(y, 0, h - 1);
                return double(
                    read->imagePixels(i)[(size_t(y) * size_t(w) + size_t(x)) * size_t(c) + size_t(ch)]);
            };
            const auto blurred = [&](int x, int y, int ch) {
                double s = 0;
                for (int dy = -2; dy <= 2; ++dy)
                    for (int dx = -2; dx <= 2; ++dx)
                        s += k[size_t(dx + 2)] * k[size_t(dy + 2)] * src(x + dx, y + dy, ch);
                return s / (ks * ks);
            };
            // Per axis: the (source index, weight) pairs of one output coordinate.
            const auto weights = [&](int o, int in, int outSize) {
                QList<QPair<int, double>> wts;
                const double scale = double(in) / outSize;
                if (resample == u"area"_s) {
                    const double from = o * scale, to = (o + 1) * scale;
                    for (int s = int(std::floor(from)); s < int(std::ceil(to)); ++s)
                        wts.append({s, (std::min(to, s + 1.0) - std::max(from, double(s))) / scale});
                } else {
                    const double p = std::clamp((o + 0.5) * scale - 0.5, 0.0, double(in - 1));
                    const int s = int(p);
                    wts.append({s, 1 - (p - s)});
                    wts.append({std::min(s + 1, in - 1), p - s});
                }
                return wts;
            };
            int worst = 0;
            for (int y = 0; y < 9; ++y)
                for (int x = 0; x < 16; ++x)
                    for (int ch = 0; ch < c; ++ch) {
                        double v = 0;
                        for (const auto &[sy, wy] : weights(y, h, 9))
                            for (const auto &[sx, wx] : weights(x, w, 16))
                                v += wy * wx * blurred(sx, sy, ch);
                        const int expected = int(std::lround(v));
                        worst = std::max(worst, std::abs(expected - int(px[size_t((y * 16 + x) * c + ch)])));
                    }
            QVERIFY2(worst <= 1, qPrintable(u"%1: differs by %2"_s.arg(name).arg(worst)));
        }
    }
};

QTEST_GUILESS_MAIN(TestImages)
#include "tst_images.moc"
