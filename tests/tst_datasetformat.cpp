// The dataset-format registry: a path is read by what its content is, not only by what its name says, and
// paths no format reads (a FIFO, a folder without images) fail at once with the path named.
#include "core/data/datasetformat.h"
#include "core/data/images.h"
#include "core/data/imagewriter.h"

#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <chrono>
#include <future>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

// A 3 x 2 float64 array in C order: [[1, 2], [3, 4], [5, 6]].
QByteArray npyBytes()
{
    QByteArray header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }";
    const qsizetype unpadded = 10 + header.size() + 1;
    header.append(QByteArray((64 - unpadded % 64) % 64, ' ')).append('\n');
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    char len[2];
    qToLittleEndian<quint16>(quint16(header.size()), len);
    bytes.append(len, 2).append(header);
    for (double v : {1.0, 2.0, 3.0, 4.0, 5.0, 6.0})
        bytes.append(reinterpret_cast<const char *>(&v), sizeof v);
    return bytes;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

// Runs `read` with a deadline; on expiry opens the FIFO's write end so that a blocked reader returns.
template<typename Read> auto withDeadline(const QString &fifo, Read read)
{
    auto future = std::async(std::launch::async, read);
    if (future.wait_for(std::chrono::seconds(10)) == std::future_status::timeout) {
        const int fd = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0)
            ::close(fd);
        qWarning("the read of the FIFO blocked");
    }
    return future.get();
}

} // namespace

class TestDatasetFormat final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // Before the image formats are registered a folder names the missing reader.
        QTemporaryDir dir;
        auto folder = loadDataset({dir.path(), 0});
        QVERIFY(!folder.ok());
        QCOMPARE(folder.failure().file, dir.path());
        QVERIFY2(folder.failure().message.contains(u"is a folder"_s), qPrintable(folder.failure().message));
        QVERIFY(!imageFileWriter());
        registerImageFormats();
        QVERIFY(bool(imageFileWriter()));
    }

    void builtInFormats()
    {
        QStringList names;
        for (const auto &format : datasetFormats())
            names << format->name;
        QCOMPARE(names, (QStringList{u"csv"_s, u"tsv"_s, u"npy"_s, u"image-folder"_s}));
        QVERIFY(datasetFormat(u"npy") && datasetFormat(u"npy")->extensions.contains(u"npy"_s));
        QVERIFY(!datasetFormat(u"xlsx"));
        QVERIFY(isSupportedDatasetPath(u"/no/such/data.npy"_s));
        QVERIFY(isSupportedDatasetPath(u"/no/such/data.TSV"_s));
        QVERIFY(!isSupportedDatasetPath(u"/no/such/data.xlsx"_s));
    }

    void npyNamedCsvIsReadAsNpy()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"data.csv"_s, npyBytes());
        auto format = recogniseDataset(path);
        QVERIFY(format.ok());
        QCOMPARE((*format)->name, u"npy"_s);
        QVERIFY(!datasetStreams(path));
        auto array = loadDataset({path, 0});
        QVERIFY2(array.ok(), array.ok() ? "" : qPrintable(array.failure().describe()));
        QCOMPARE(array->rows(), 3);
        QCOMPARE(array->cols(), 2);
        QCOMPARE(array->matrix<double>()(2, 1), 6.0);
        auto info = inspectDataset(path);
        QVERIFY(info.ok());
        QCOMPARE(info->kind, u"npy"_s);
    }

    void csvNamedTxtIsReadAsCsv_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("kind");
        QTest::newRow("comma") << u"data.txt"_s << QByteArray("a,b\n1,2\n3,4\n") << u"csv"_s;
        QTest::newRow("tab, BOM") << u"data.txt"_s
                                  << QByteArray("\xEF\xBB\xBF"
                                                "a\tb\n1\t2\n3\t4\n")
                                  << u"tsv"_s;
        QTest::newRow("semicolon, no extension") << u"data"_s << QByteArray("1;2\n3;4\n") << u"csv"_s;
    }

    void csvNamedTxtIsReadAsCsv()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(QString, kind);
        QTemporaryDir dir;
        const QString path = writeFile(dir, name, bytes);
        QVERIFY(datasetStreams(path));
        auto array = loadDataset({path, 0});
        QVERIFY2(array.ok(), array.ok() ? "" : qPrintable(array.failure().describe()));
        QCOMPARE(array->rows(), 2);
        QCOMPARE(array->cols(), 2);
        QCOMPARE(array->matrix<double>().sum(), 10.0);
        auto info = inspectDataset(path);
        QVERIFY(info.ok());
        QCOMPARE(info->kind, kind);
        QCOMPARE(info->rows, 2);
    }

    void unrecognisedContentIsUnsupported_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("one word") << u"sheet.xlsx"_s << QByteArray("PK");
        QTest::newRow("zip") << u"sheet.xlsx"_s << QByteArray("PK\x03\x04\x14\x00\x06\x00", 8);
        QTest::newRow("binary") << u"blob.dat"_s << QByteArray("a,b\x00\x01\x02", 7);
    }

    void unrecognisedContentIsUnsupported()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        const QString path = writeFile(dir, name, bytes);
        for (const Failure &failure : {loadDataset({path, 0}).failure(), inspectDataset(path).failure()}) {
            QCOMPARE(failure.file, path);
            QVERIFY2(failure.message.contains(u"unsupported file type"_s), qPrintable(failure.message));
        }
    }

    void imageFileIsNamedAsAnImage()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"data.csv"_s, QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
        auto array = loadDataset({path, 0});
        QVERIFY(!array.ok());
        QCOMPARE(array.failure().file, path);
        QVERIFY2(array.failure().message.contains(u"PNG image"_s), qPrintable(array.failure().message));
    }

    void fifoFailsAtOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"data.csv"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
        const Failure load = withDeadline(path, [&] { return loadDataset({path, 0}).failure(); });
        const Failure inspect = withDeadline(path, [&] { return inspectDataset(path).failure(); });
        for (const Failure &failure : {load, inspect}) {
            QCOMPARE(failure.file, path);
            QVERIFY2(failure.message.contains(u"FIFO"_s), qPrintable(failure.message));
        }
        QVERIFY(!datasetStreams(path));
        QVERIFY(!isSupportedDatasetPath(path));
    }

    void folderWithoutImagesFails()
    {
        QTemporaryDir dir;
        writeFile(dir, u"notes.txt"_s, "not an image");
        QCOMPARE(recogniseDataset(dir.path()).value()->name, u"image-folder"_s);
        for (const Failure &failure :
             {loadDataset({dir.path(), 0}).failure(), inspectDataset(dir.path()).failure()}) {
            QCOMPARE(failure.file, dir.path());
            QVERIFY2(failure.message.contains(u"no image files"_s), qPrintable(failure.message));
        }
    }

    void missingPathIsNamed()
    {
        auto format = recogniseDataset(u"/no/such/dir/data.csv"_s);
        QVERIFY(!format.ok());
        QCOMPARE(format.failure().file, u"/no/such/dir/data.csv"_s);
        QVERIFY(format.failure().message.contains(u"no such file"_s));
    }
};

QTEST_GUILESS_MAIN(TestDatasetFormat)
#include "tst_datasetformat.moc"
