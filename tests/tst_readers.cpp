// Readers: .npy and numeric CSV/TSV into shared memory, and clear errors naming file, place and reason.
#include "core/data/csv.h"
#include "core/data/dataset.h"
#include "core/data/npy.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

QByteArray npyBytes(const QByteArray &dict, const QByteArray &data)
{
    QByteArray header = dict;
    const qsizetype unpadded = 10 + header.size() + 1;
    header.append(QByteArray((64 - unpadded % 64) % 64, ' ')).append('\n');
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    char len[2];
    qToLittleEndian<quint16>(quint16(header.size()), len);
    bytes.append(len, 2).append(header).append(data);
    return bytes;
}

QByteArray doubles(std::initializer_list<double> values)
{
    QByteArray out;
    for (double v : values)
        out.append(reinterpret_cast<const char *>(&v), sizeof v);
    return out;
}

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

} // namespace

class TestReaders final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void npyCOrderIsTransposed()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"c.npy"_s,
                                       npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }",
                                                doubles({1, 2, 3, 4, 5, 6})));
        auto a = readNpy(path);
        QVERIFY2(a.ok(), a.ok() ? "" : qPrintable(a.failure().describe()));
        QCOMPARE(a->rows(), 2);
        QCOMPARE(a->cols(), 3);
        const auto m = a->matrix<double>();
        QCOMPARE(m(0, 0), 1.0);
        QCOMPARE(m(0, 2), 3.0);
        QCOMPARE(m(1, 0), 4.0);
        QCOMPARE(m(1, 2), 6.0);
    }

    void npyFortranAndOneDimensional()
    {
        QTemporaryDir dir;
        auto f = readNpy(writeFile(dir, u"f.npy"_s,
                                   npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                                            doubles({1, 4, 2, 5, 3, 6}))));
        QVERIFY(f.ok());
        QCOMPARE(f->matrix<double>()(1, 2), 6.0);
        auto v = readNpy(writeFile(
            dir, u"v.npy"_s,
            npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", doubles({1, 2, 3, 4}))));
        QVERIFY(v.ok());
        QCOMPARE(v->rows(), 4);
        QCOMPARE(v->cols(), 1);
        QCOMPARE(v->columnNames(), QStringList{u"value"_s});
    }

    void npyErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        QTest::newRow("bad magic") << QByteArray("PK\x03\x04 not numpy at all") << u"bad magic"_s;
        QTest::newRow("object dtype")
            << npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", QByteArray(8, 0))
            << u"dtype '|O'"_s;
        QTest::newRow("truncated data")
            << npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (10,), }", doubles({1, 2}))
            << u"needs 80"_s;
        QTest::newRow("3-D") << npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1, 1), }",
                                         doubles({1}))
                             << u"3-D"_s;
        QTest::newRow("garbled header") << npyBytes("{'descr': '<f8', 'shape': [", {}) << u"malformed"_s;
    }

    void npyErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"bad.npy"_s, bytes);
        auto a = readNpy(path);
        QVERIFY(!a.ok());
        QCOMPARE(a.failure().file, path);
        QVERIFY2(a.failure().message.contains(reason), qPrintable(a.failure().message));
    }

    void npyWrittenFileReadsInNumpy()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"out.npy"_s);
        auto a = SharedArray::create(Dtype::Float64, 3, 2);
        QVERIFY(a.ok());
        a->matrix<double>() << 1, 2, 3, 4, 5, 6; // comma initializer is row-wise
        QVERIFY(!writeNpy(path, *a));
        auto back = readNpy(path);
        QVERIFY(back.ok());
        QVERIFY(back->matrix<double>() == a->matrix<double>());
        // And numpy itself agrees (Debian's python3-numpy, installed by the setup command).
        QProcess python;
        python.start(
            u"/usr/bin/python3"_s,
            {u"-c"_s, u"import numpy, sys; a = numpy.load(sys.argv[1]); print(a.shape, a.tolist())"_s, path});
        QVERIFY(python.waitForFinished(30000));
        QCOMPARE(python.exitCode(), 0);
        QCOMPARE(python.readAllStandardOutput().trimmed(),
                 QByteArray("(3, 2) [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]"));
    }

    void csvNumeric()
    {
        QTemporaryDir dir;
        const QString path = writeFile(
            dir, u"d.csv"_s, "\xEF\xBB\xBFid,\"value, in m\",w\r\n1,2.5,\r\n2,-1e3,nan\r\n3,\"4\",7\r\n");
        auto a = readNumericCsv(path);
        QVERIFY2(a.ok(), a.ok() ? "" : qPrintable(a.failure().describe()));
        QCOMPARE(a->columnNames(), (QStringList{u"id"_s, u"value, in m"_s, u"w"_s}));
        QCOMPARE(a->rows(), 3);
        const auto m = a->matrix<double>();
        QCOMPARE(m(1, 1), -1000.0);
        QCOMPARE(m(2, 1), 4.0);
        QVERIFY(std::isnan(m(0, 2))); // empty is missing, not zero
        QVERIFY(std::isnan(m(1, 2)));
    }

    void tsvByExtension()
    {
        QTemporaryDir dir;
        auto a = readNumericCsv(writeFile(dir, u"d.tsv"_s, "a\tb\n1\t2\n3\t4\n"));
        QVERIFY(a.ok());
        QCOMPARE(a->cols(), 2);
        QCOMPARE(a->matrix<double>()(1, 1), 4.0);
    }

    void csvErrors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qint64>("line");
        QTest::addColumn<QString>("reason");
        QTest::newRow("ragged") << QByteArray("a,b\n1,2\n3\n") << qint64(3)
                                << u"1 fields but the header has 2"_s;
        QTest::newRow("text") << QByteArray("a,b\n1,2\n3,oops\n") << qint64(3)
                              << u"\"oops\" is not a number"_s;
        QTest::newRow("empty") << QByteArray() << qint64(1) << u"empty"_s;
    }

    void csvErrors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qint64, line);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"bad.csv"_s, bytes);
        auto a = readNumericCsv(path);
        QVERIFY(!a.ok());
        QCOMPARE(a.failure().file, path);
        QCOMPARE(a.failure().position, line);
        QVERIFY2(a.failure().message.contains(reason), qPrintable(a.failure().message));
    }

    void datasetDispatch()
    {
        QVERIFY(!loadDataset({u"/no/such/file.csv"_s, 0}).ok());
        QVERIFY(loadDataset({u"/no/such/file.csv"_s, 0}).failure().message.contains(u"no such file"_s));
        QTemporaryDir dir;
        auto xls = loadDataset({writeFile(dir, u"sheet.xlsx"_s, "PK"), 0});
        QVERIFY(!xls.ok());
        QVERIFY(xls.failure().message.contains(u"unsupported file type"_s));
        auto generated = loadDataset({{}, 10});
        QVERIFY(generated.ok());
        QCOMPARE(generated->matrix<double>().sum(), 45.0);
    }
};

QTEST_APPLESS_MAIN(TestReaders)
#include "tst_readers.moc"
