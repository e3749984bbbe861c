// The CSV reader: dialect sniffing, quoting, numbers, text columns, errors with line and byte, and
// parallel parses identical to serial ones.
#include "core/data/csv.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();
constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

QString writeFile(const QTemporaryDir &dir, const QString &name, const QByteArray &bytes)
{
    const QString path = dir.filePath(name);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

const char *why(const Failure &failure)
{
    static QByteArray text;
    text = failure.describe().toUtf8();
    return text.constData();
}

double at(const CsvTable &t, qint64 row, qint64 col)
{
    return t.numbers.data<double>()[col * t.numbers.rows() + row];
}

bool sameDouble(double a, double b)
{
    return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

// Empty when the two tables hold the same values, kinds, strings and counts, else the first difference.
QString difference(const CsvTable &a, const CsvTable &b)
{
    if (a.numbers.rows() != b.numbers.rows() || a.numbers.cols() != b.numbers.cols())
        return u"shape %1x%2 vs %3x%4"_s.arg(a.numbers.rows())
            .arg(a.numbers.cols())
            .arg(b.numbers.rows())
            .arg(b.numbers.cols());
    if (a.numbers.columnNames() != b.numbers.columnNames())
        return u"names"_s;
    const qint64 n = a.numbers.rows() * a.numbers.cols();
    if (std::memcmp(a.numbers.data<double>(), b.numbers.data<double>(), size_t(n) * sizeof(double)) != 0)
        return u"numbers"_s;
    if (a.kinds != b.kinds)
        return u"kinds"_s;
    if (a.text != b.text)
        return u"text"_s;
    if (a.missing != b.missing)
        return u"missing"_s;
    if (a.skippedRows != b.skippedRows || a.skippedLines != b.skippedLines)
        return u"skipped rows"_s;
    if (a.delimiter != b.delimiter || a.hadHeader != b.hadHeader || a.bytes != b.bytes)
        return u"dialect"_s;
    return {};
}

// The same outcome: equal tables, or the same failure.
QString differentOutcome(const Result<CsvTable> &a, const Result<CsvTable> &b)
{
    if (a.ok() != b.ok())
        return u"one failed: "_s + (a.ok() ? b.failure().describe() : a.failure().describe());
    if (!a.ok())
        return a.failure().describe() == b.failure().describe()
                   ? QString()
                   : a.failure().describe() + u" vs "_s + b.failure().describe();
    return difference(a.value(), b.value());
}

CsvOptions withThreads(int threads, CsvOptions options = {})
{
    options.threads = threads;
    return options;
}

// Rows whose quoted fields hold newlines (LF and CRLF), delimiters and doubled quotes, so that most
// bytes are inside quotes and equal-sized chunks start inside them.
QByteArray quotedNewlinesFile(int rows)
{
    QByteArray bytes = "id,note,value,label\r\n";
    QRandomGenerator random(42);
    for (int i = 0; i < rows; ++i) {
        QByteArray note = "\"first line of " + QByteArray::number(i) + ", quoted\n";
        for (int k = 0, lines = int(random.bounded(4)); k < lines; ++k)
            note += "a \"\"quoted\"\" word, then more\r\n";
        note += "last\"";
        const QByteArray value =
            i % 17 == 0 ? QByteArray() : QByteArray::number(random.generateDouble() * 1e3, 'g', 17);
        const QByteArray label = i % 5 == 0 ? "\"x\ny\"" : "plain";
        bytes += QByteArray::number(i) + ',' + note + ',' + value + ',' + label + (i % 3 ? "\n" : "\r\n");
    }
    return bytes;
}

bool insideQuotes(const QByteArray &bytes, qsizetype pos)
{
    return bytes.left(pos).count('"') % 2 == 1;
}

} // namespace

class TestCsv final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void delimiterDetection_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<char>("delimiter");
        QTest::addColumn<int>("columns");
        QTest::newRow("comma") << u"a.csv"_s << QByteArray("a,b,c\n1,2,3\n4,5,6\n") << ',' << 3;
        QTest::newRow("semicolon") << u"a.csv"_s << QByteArray("a;b\n1.5;2\n3;4\n") << ';' << 2;
        QTest::newRow("tab") << u"a.txt"_s << QByteArray("a\tb\n1\t2\n") << '\t' << 2;
        QTest::newRow("pipe") << u"a.csv"_s << QByteArray("a|b|c\n1|2|3\n") << '|' << 3;
        QTest::newRow("quoted commas are not delimiters")
            << u"a.csv"_s << QByteArray("\"a,x\";b\n\"1,5\";2\n\"3,5\";4\n") << ';' << 2;
        QTest::newRow("consistent count wins over frequency")
            << u"a.csv"_s << QByteArray("a;b\n1,2,3;4\n5;6,7\n") << ';' << 2;
        QTest::newRow("tsv prefers tab") << u"a.tsv"_s << QByteArray("a,b\tc\n1,2\t3\n") << '\t' << 2;
        QTest::newRow("csv ties go to comma") << u"a.csv"_s << QByteArray("a,b\tc\n1,2\t3\n") << ',' << 2;
        QTest::newRow("one column") << u"a.csv"_s << QByteArray("x\n1\n2\n") << ',' << 1;
        QTest::newRow("one column .tab") << u"a.tab"_s << QByteArray("x\n1\n2\n") << '\t' << 1;
    }

    void delimiterDetection()
    {
        QFETCH(QString, name);
        QFETCH(QByteArray, bytes);
        QFETCH(char, delimiter);
        QFETCH(int, columns);
        QTemporaryDir dir;
        const QString path = writeFile(dir, name, bytes);
        auto sniff = sniffCsv(path);
        QVERIFY2(sniff.ok(), sniff.ok() ? "" : why(sniff.failure()));
        QCOMPARE(sniff->delimiter, delimiter);
        QCOMPARE(sniff->names.size(), columns);
        auto table = readCsv(path);
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->delimiter, delimiter);
        QCOMPARE(table->numbers.cols(), columns);
    }

    void headerDetection_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("forced"); // -1 detect, 0 no, 1 yes
        QTest::addColumn<bool>("header");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<qint64>("rows");
        QTest::newRow("names over numbers")
            << QByteArray("a,b\n1,2\n3,4\n") << -1 << true << QStringList{u"a"_s, u"b"_s} << qint64(2);
        QTest::newRow("numbers only")
            << QByteArray("1,2\n3,4\n") << -1 << false << QStringList{u"c0"_s, u"c1"_s} << qint64(2);
        QTest::newRow("one text column is enough") << QByteArray("name,v\nbob,1\nann,2\n") << -1 << true
                                                   << QStringList{u"name"_s, u"v"_s} << qint64(2);
        QTest::newRow("text below too: data")
            << QByteArray("1,x\n2,y\n") << -1 << false << QStringList{u"c0"_s, u"c1"_s} << qint64(2);
        QTest::newRow("header only") << QByteArray("a,b\n") << -1 << true << QStringList{u"a"_s, u"b"_s}
                                     << qint64(0);
        QTest::newRow("header only, no newline")
            << QByteArray("a,b") << -1 << true << QStringList{u"a"_s, u"b"_s} << qint64(0);
        QTest::newRow("empty and spaced names") << QByteArray(" a ,,\"c\"\n1,2,3\n") << -1 << true
                                                << QStringList{u"a"_s, u"c1"_s, u"c"_s} << qint64(1);
        QTest::newRow("blank lines before the header")
            << QByteArray("\n  \na,b\n\n1,2\n") << -1 << true << QStringList{u"a"_s, u"b"_s} << qint64(1);
        QTest::newRow("forced header")
            << QByteArray("1,2\n3,4\n") << 1 << true << QStringList{u"1"_s, u"2"_s} << qint64(1);
        QTest::newRow("forced no header")
            << QByteArray("a,b\n1,2\n") << 0 << false << QStringList{u"c0"_s, u"c1"_s} << qint64(2);
    }

    void headerDetection()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, forced);
        QFETCH(bool, header);
        QFETCH(QStringList, names);
        QFETCH(qint64, rows);
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"h.csv"_s, bytes);
        CsvOptions options;
        if (forced >= 0)
            options.header = forced == 1;
        auto table = readCsv(path, options);
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->hadHeader, header);
        QCOMPARE(table->numbers.columnNames(), names);
        QCOMPARE(table->numbers.rows(), rows);
        if (forced < 0) {
            auto sniff = sniffCsv(path);
            QVERIFY(sniff.ok());
            QCOMPARE(sniff->header, header);
            QCOMPARE(sniff->names, names);
        }
    }

    void quoting()
    {
        QTemporaryDir dir;
        // Embedded delimiters, doubled quotes, quoted LF and CRLF, an empty quoted field, quotes after text.
        const QByteArray bytes = "id,text,v\n"
                                 "1,\"a, b\",\"2\"\n"
                                 "2,\"say \"\"hi\"\"\",3\n"
                                 "3,\"two\nlines\",4\n"
                                 "4,\"crlf\r\ninside\",5\n"
                                 "5,\"\",6\n"
                                 "6,\"\"\"\",7\n"
                                 "7,x\"y,z\"w,8\n";
        auto table = readCsv(writeFile(dir, u"q.csv"_s, bytes));
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->numbers.rows(), 7);
        QCOMPARE(table->kinds, (QList<ColumnKind>{ColumnKind::Number, ColumnKind::Text, ColumnKind::Number}));
        QCOMPARE(table->text[1], (QStringList{u"a, b"_s, u"say \"hi\""_s, u"two\nlines"_s,
                                              u"crlf\r\ninside"_s, QString(), u"\""_s, u"xy,zw"_s}));
        QVERIFY(table->text[0].isEmpty());
        for (int r = 0; r < 7; ++r) {
            QCOMPARE(at(*table, r, 0), double(r + 1));
            QCOMPARE(at(*table, r, 2), double(r + 2));
            QVERIFY(std::isnan(at(*table, r, 1))); // text columns hold NaN
        }
        QCOMPARE(table->missing, (QList<qint64>{0, 1, 0}));
        // Quoted newlines count as physical lines: the two rows holding one make the ragged row line 11.
        auto bad = readCsv(writeFile(dir, u"bad.csv"_s, bytes + "9\n"));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.failure().position, 11);
        QVERIFY2(bad.failure().message.contains(u"byte %1"_s.arg(bytes.size())), why(bad.failure()));
    }

    void lineEndings_data()
    {
        QTest::addColumn<QByteArray>("eol");
        QTest::newRow("LF") << QByteArray("\n");
        QTest::newRow("CRLF") << QByteArray("\r\n");
        QTest::newRow("CR") << QByteArray("\r");
    }

    void lineEndings()
    {
        QFETCH(QByteArray, eol);
        QTemporaryDir dir;
        QByteArray bytes = "\xEF\xBB\xBF"
                           "a,b" +
                           eol + "1,2" + eol + "\"3" + eol + "\",4" + eol + "5,6";
        auto table = readCsv(writeFile(dir, u"e.csv"_s, bytes), withThreads(1));
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->numbers.columnNames(), (QStringList{u"a"_s, u"b"_s})); // the BOM is not in a name
        QCOMPARE(table->numbers.rows(), 3);
        QCOMPARE(table->text[0], (QStringList{u"1"_s, u"3"_s + QString::fromLatin1(eol), u"5"_s}));
        QCOMPARE(at(*table, 2, 1), 6.0);
        // Every kind of line ending counts as one line: the ragged row is line 6.
        bytes += eol + "7" + eol;
        auto bad = readCsv(writeFile(dir, u"bad.csv"_s, bytes), withThreads(2));
        QVERIFY(!bad.ok());
        QCOMPARE(bad.failure().position, 6);
        QVERIFY2(bad.failure().message.contains(u"(byte %1)"_s.arg(bytes.size() - 1 - eol.size())),
                 why(bad.failure()));
    }

    void numbers_data()
    {
        QTest::addColumn<QByteArray>("cell");
        QTest::addColumn<double>("value");
        QTest::addColumn<bool>("missing");
        QTest::newRow("integer") << QByteArray("42") << 42.0 << false;
        QTest::newRow("decimal") << QByteArray("-0.125") << -0.125 << false;
        QTest::newRow("exponent") << QByteArray("1e3") << 1000.0 << false;
        QTest::newRow("upper exponent") << QByteArray("2.5E-2") << 0.025 << false;
        QTest::newRow("plus exponent") << QByteArray("1e+2") << 100.0 << false;
        QTest::newRow("leading plus") << QByteArray("+5") << 5.0 << false;
        QTest::newRow("leading dot") << QByteArray("+.5") << 0.5 << false;
        QTest::newRow("trailing dot") << QByteArray("5.") << 5.0 << false;
        QTest::newRow("spaces") << QByteArray("  7 ") << 7.0 << false;
        QTest::newRow("quoted spaces") << QByteArray("\" 8\t\"") << 8.0 << false;
        QTest::newRow("nan") << QByteArray("nan") << NaN << false;
        QTest::newRow("NaN") << QByteArray("NaN") << NaN << false;
        QTest::newRow("inf") << QByteArray("inf") << Inf << false;
        QTest::newRow("-inf") << QByteArray("-inf") << -Inf << false;
        QTest::newRow("+inf") << QByteArray("+inf") << Inf << false;
        QTest::newRow("Infinity") << QByteArray("Infinity") << Inf << false;
        QTest::newRow("-Infinity") << QByteArray("-Infinity") << -Inf << false;
        QTest::newRow("overflow") << QByteArray("1e400") << Inf << false;
        QTest::newRow("negative overflow") << QByteArray("-123456e400") << -Inf << false;
        QTest::newRow("underflow") << QByteArray("1e-400") << 0.0 << false;
        QTest::newRow("negative zero") << QByteArray("-0.0") << -0.0 << false;
        QTest::newRow("empty") << QByteArray("") << NaN << true;
        QTest::newRow("only spaces") << QByteArray("   ") << NaN << true;
        QTest::newRow("quoted empty") << QByteArray("\"\"") << NaN << true;
        QTest::newRow("NA") << QByteArray("NA") << NaN << true;
    }

    void numbers()
    {
        QFETCH(QByteArray, cell);
        QFETCH(double, value);
        QFETCH(bool, missing);
        QTemporaryDir dir;
        // Two columns so that an empty cell is not a blank line; the cell is first, middle-of-line and last.
        const QByteArray bytes = "x,y\n" + cell + ",1\n2," + cell + "\n";
        auto table = readCsv(writeFile(dir, u"n.csv"_s, bytes));
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->kinds, (QList<ColumnKind>{ColumnKind::Number, ColumnKind::Number}));
        QVERIFY2(sameDouble(at(*table, 0, 0), value), qPrintable(QString::number(at(*table, 0, 0))));
        QVERIFY2(sameDouble(at(*table, 1, 1), value), qPrintable(QString::number(at(*table, 1, 1))));
        QCOMPARE(table->missing, (QList<qint64>{missing ? 1 : 0, missing ? 1 : 0}));
    }

    void decimalsAsFromChars()
    {
        // The parser's shortcut for plain decimals must give from_chars' value, bit for bit.
        QList<QByteArray> cells{"9007199254740992",
                                "9007199254740993",
                                "123456789012345678",
                                "1e22",
                                "1e23",
                                "-1e-22",
                                "1e-23",
                                "4.35e-7",
                                "00012.5000",
                                "-0",
                                "0.1",
                                "0.30000000000000004",
                                "1.7976931348623157e308",
                                "5e-324",
                                "1234567890123456789012",
                                "12e0003",
                                "12e00003"};
        QRandomGenerator random(11);
        for (int i = 0; i < 20000; ++i) {
            const double v = (random.generateDouble() - 0.5) * std::pow(10.0, random.bounded(-30, 30));
            const char format = "efg"[random.bounded(3)];
            cells << QByteArray::number(v, format, random.bounded(1, 18));
        }
        QByteArray bytes = "x\n";
        for (const QByteArray &cell : cells)
            bytes += cell + '\n';
        QTemporaryDir dir;
        auto table = readCsv(writeFile(dir, u"d.csv"_s, bytes), withThreads(2));
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->numbers.rows(), cells.size());
        for (qsizetype r = 0; r < cells.size(); ++r) {
            double expected = 0;
            std::from_chars(cells[r].constData(), cells[r].constData() + cells[r].size(), expected);
            QVERIFY2(sameDouble(at(*table, r, 0), expected), cells[r].constData());
        }
    }

    void notNumbers_data()
    {
        QTest::addColumn<QByteArray>("cell");
        QTest::newRow("word") << QByteArray("abc");
        QTest::newRow("nan prefix") << QByteArray("nancy");
        QTest::newRow("comma decimal") << QByteArray("\"1,5\"");
        QTest::newRow("hex") << QByteArray("0x10");
        QTest::newRow("two signs") << QByteArray("+-1");
        QTest::newRow("bare exponent") << QByteArray("1e");
        QTest::newRow("inner space") << QByteArray("1 2");
    }

    void notNumbers()
    {
        QFETCH(QByteArray, cell);
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"t.csv"_s, "x,y\n1,2\n" + cell + ",3\n");
        auto table = readCsv(path);
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->kinds.first(), ColumnKind::Text);
        QCOMPARE(table->text.first().size(), 2);
        QCOMPARE(table->text.first().first(), u"1"_s); // cells that look numeric stay text in a text column
        QVERIFY(std::isnan(at(*table, 0, 0)));
        auto numeric = readNumericCsv(path);
        QVERIFY(!numeric.ok());
        QCOMPARE(numeric.failure().position, 3);
        QVERIFY2(numeric.failure().message.contains(u"is not a number (byte 8)"_s), why(numeric.failure()));
    }

    void textColumnFoundLate()
    {
        // The sniff sees numbers only; the text far below makes the column text, with all its cells kept.
        QByteArray bytes = "a,b\n";
        for (int i = 0; i < 5000; ++i)
            bytes += QByteArray::number(i) + ',' + QByteArray::number(i * 2) + '\n';
        bytes += "n/a,1\n";
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"late.csv"_s, bytes);
        for (int threads : {1, 3}) {
            auto table = readCsv(path, withThreads(threads));
            QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
            QCOMPARE(table->kinds, (QList<ColumnKind>{ColumnKind::Text, ColumnKind::Number}));
            QCOMPARE(table->text[0].size(), 5001);
            QCOMPARE(table->text[0][4321], u"4321"_s);
            QCOMPARE(table->text[0].last(), u"n/a"_s);
            QVERIFY(table->text[1].isEmpty());
            QCOMPARE(at(*table, 4321, 1), 8642.0);
        }
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qint64>("maxLine"); // 0: the default
        QTest::addColumn<qint64>("line");
        QTest::addColumn<QString>("reason");
        const qint64 d = 0;
        QTest::newRow("too few fields") << QByteArray("a,b\n1,2\n3\n") << d << qint64(3)
                                        << u"row has 1 fields but the header has 2 (byte 8)"_s;
        QTest::newRow("too many fields") << QByteArray("a,b\n1,2,3\n") << d << qint64(2)
                                         << u"row has 3 fields but the header has 2 (byte 4)"_s;
        QTest::newRow("ragged without a header") << QByteArray("1,2\n3\n") << d << qint64(2)
                                                 << u"row has 1 fields but the first row has 2 (byte 4)"_s;
        QTest::newRow("ragged after a quoted newline")
            << QByteArray("a,b\n\"x\ny\",1\n2\n") << d << qint64(4)
            << u"row has 1 fields but the header has 2 (byte 12)"_s;
        QTest::newRow("trailing delimiter")
            << QByteArray("a,b\n1,2,\n") << d << qint64(2) << u"row has 3 fields but the header has 2"_s;
        QTest::newRow("unterminated quote") << QByteArray("a,b\n1,2\n3,\"abc\n4,5\n") << d << qint64(3)
                                            << u"unterminated quote: the quote at byte 10 is never closed"_s;
        QTest::newRow("unterminated quote in the header")
            << QByteArray("\"a,b\n1,2\n") << d << qint64(1)
            << u"unterminated quote: the quote at byte 0 is never closed"_s;
        QTest::newRow("invalid UTF-8 in a text cell") << QByteArray("a,b\nx,1\n\xff,2\n") << d << qint64(3)
                                                      << u"invalid UTF-8 in column \"a\" (byte 8)"_s;
        QTest::newRow("invalid UTF-8 on a cell's second line")
            << QByteArray("a,b\nx,1\n\"ok\n\xc3\x28\",1\n") << d << qint64(4)
            << u"invalid UTF-8 in column \"a\" (byte 12)"_s;
        QTest::newRow("overlong UTF-8") << QByteArray("a,b\nx,1\n\xc0\xaf,2\n") << d << qint64(3)
                                        << u"invalid UTF-8 in column \"a\" (byte 8)"_s;
        QTest::newRow("invalid UTF-8 in the header")
            << QByteArray("a\xc3,b\n1,2\n") << d << qint64(1) << u"invalid UTF-8 in the header (byte 1)"_s;
        QTest::newRow("long line") << QByteArray("a,b\n1,2\n12345678901,2\n") << qint64(10) << qint64(3)
                                   << u"line over the maximum of 10 bytes (byte 8)"_s;
        QTest::newRow("long last line without newline")
            << QByteArray("a,b\n1,2\n12345678901,2") << qint64(10) << qint64(3)
            << u"line over the maximum of 10 bytes (byte 8)"_s;
        QTest::newRow("long line inside quotes")
            << QByteArray("a,b\n\"x\n12345678901234\",1\n") << qint64(10) << qint64(3)
            << u"line over the maximum of 10 bytes (byte 7)"_s;
        QTest::newRow("long header") << QByteArray("abcdefgh,b\n1,2\n") << qint64(5) << qint64(1)
                                     << u"line over the maximum of 5 bytes (byte 0)"_s;
        QTest::newRow("empty file") << QByteArray() << d << qint64(1) << u"file is empty"_s;
        QTest::newRow("only a BOM") << QByteArray("\xEF\xBB\xBF") << d << qint64(1) << u"file is empty"_s;
        QTest::newRow("only blank lines")
            << QByteArray("\n \r\n\t\n") << d << qint64(1) << u"file is empty"_s;
    }

    void errors()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qint64, maxLine);
        QFETCH(qint64, line);
        QFETCH(QString, reason);
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"bad.csv"_s, bytes);
        for (int threads : {1, 2, 5}) {
            CsvOptions options = withThreads(threads);
            if (maxLine > 0)
                options.maxLineBytes = maxLine;
            auto table = readCsv(path, options);
            QVERIFY(!table.ok());
            QCOMPARE(table.failure().file, path);
            QCOMPARE(table.failure().position, line);
            QVERIFY2(table.failure().message.contains(reason), why(table.failure()));
        }
    }

    void skipBadRows()
    {
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"s.csv"_s, "a,b\n1,2\n3\n4,5\n6,7,8\n\"9\n\",10\n11\n");
        for (int threads : {1, 2, 4}) {
            CsvOptions options = withThreads(threads);
            options.onBadRow = BadRowPolicy::Skip;
            auto table = readCsv(path, options);
            QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
            QCOMPARE(table->numbers.rows(), 3);
            QCOMPARE(table->skippedRows, 3);
            QCOMPARE(table->skippedLines, (QList<qint64>{3, 5, 8}));
            QCOMPARE(at(*table, 1, 1), 5.0);
            QCOMPARE(at(*table, 2, 1), 10.0);
            QCOMPARE(table->text[0], (QStringList{u"1"_s, u"4"_s, u"9\n"_s}));
        }
    }

    void sniffPreview()
    {
        QByteArray bytes = "name;score;when\n";
        for (int i = 0; i < 100000; ++i)
            bytes += "p" + QByteArray::number(i) + ';' + QByteArray::number(i) + ".5;" +
                     QByteArray::number(i) + '\n';
        bytes += "ragged\n"; // far beyond what the sniff reads
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"p.csv"_s, bytes);
        auto sniff = sniffCsv(path, 3);
        QVERIFY2(sniff.ok(), sniff.ok() ? "" : why(sniff.failure()));
        QCOMPARE(sniff->delimiter, ';');
        QVERIFY(sniff->header);
        QCOMPARE(sniff->names, (QStringList{u"name"_s, u"score"_s, u"when"_s}));
        QCOMPARE(sniff->kinds, (QList<ColumnKind>{ColumnKind::Text, ColumnKind::Number, ColumnKind::Number}));
        QCOMPARE(sniff->preview.size(), 3);
        QCOMPARE(sniff->preview[2], (QStringList{u"p2"_s, u"2.5"_s, u"2"_s}));
        QVERIFY(!readCsv(path).ok());
    }

    void parallelEqualsSerial_data()
    {
        QTest::addColumn<int>("threads");
        for (int threads : {2, 3, 4, 7, 16, 61})
            QTest::addRow("%d threads", threads) << threads;
    }

    void parallelEqualsSerial()
    {
        QFETCH(int, threads);
        QTemporaryDir dir;
        const QByteArray bytes = quotedNewlinesFile(3000);
        const QString path = writeFile(dir, u"par.csv"_s, bytes);
        // The test is only worth its name if equal chunks start inside quoted fields.
        const qsizetype header = bytes.indexOf('\n') + 1;
        int inside = 0;
        for (int k = 1; k < threads; ++k)
            inside += insideQuotes(bytes, header + (bytes.size() - header) * k / threads);
        QVERIFY2(inside > 0, "no chunk starts inside quotes");

        auto serial = readCsv(path, withThreads(1));
        QVERIFY2(serial.ok(), serial.ok() ? "" : why(serial.failure()));
        QCOMPARE(serial->numbers.rows(), 3000);
        QCOMPARE(serial->kinds, (QList<ColumnKind>{ColumnKind::Number, ColumnKind::Text, ColumnKind::Number,
                                                   ColumnKind::Text}));
        QCOMPARE(serial->text[3][5], u"x\ny"_s);
        QCOMPARE(serial->missing[2], 3000 / 17 + 1);
        auto parallel = readCsv(path, withThreads(threads));
        const QString diff = differentOutcome(serial, parallel);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));

        // Failures and skipped rows are the same too: ragged rows spread through the file.
        QByteArray ragged = bytes;
        for (qsizetype at = ragged.size() - 1000; at > 1000; at -= 7919) {
            const qsizetype eol = ragged.indexOf('\n', at);
            if (!insideQuotes(ragged, eol))
                ragged.insert(eol + 1, "1,2\n");
        }
        const QString raggedPath = writeFile(dir, u"ragged.csv"_s, ragged);
        const QString failures =
            differentOutcome(readCsv(raggedPath, withThreads(1)), readCsv(raggedPath, withThreads(threads)));
        QVERIFY2(failures.isEmpty(), qPrintable(failures));
        CsvOptions skip;
        skip.onBadRow = BadRowPolicy::Skip;
        auto skippedSerial = readCsv(raggedPath, withThreads(1, skip));
        QVERIFY(skippedSerial.ok());
        QVERIFY(skippedSerial->skippedRows > 10);
        const QString skipped =
            differentOutcome(skippedSerial, readCsv(raggedPath, withThreads(threads, skip)));
        QVERIFY2(skipped.isEmpty(), qPrintable(skipped));
    }

    void randomInputs()
    {
        // Junk made of the bytes that matter: never a crash, and any thread count gives the same outcome.
        const QByteArray alphabet("\",\n\r1.e-a \t;\xff\xc3\xa9");
        QRandomGenerator random(7);
        QTemporaryDir dir;
        for (int i = 0; i < 300; ++i) {
            QByteArray bytes;
            for (int n = int(random.bounded(1, 400)); n > 0; --n)
                bytes += alphabet[random.bounded(int(alphabet.size()))];
            const QString path = writeFile(dir, u"r%1.csv"_s.arg(i), bytes);
            for (BadRowPolicy policy : {BadRowPolicy::Error, BadRowPolicy::Skip}) {
                CsvOptions options;
                options.onBadRow = policy;
                options.maxLineBytes = 1 + random.bounded(100);
                auto serial = readCsv(path, withThreads(1, options));
                for (int threads : {2, 3, 8}) {
                    const QString diff =
                        differentOutcome(serial, readCsv(path, withThreads(threads, options)));
                    QVERIFY2(diff.isEmpty(),
                             qPrintable(u"input %1, %2 threads: %3"_s.arg(i).arg(threads).arg(diff)));
                }
            }
            (void)sniffCsv(path);
        }
    }

    void agreesWithPython()
    {
        // A tricky file read by Python's csv module; float() decides what is a number there.
        const QByteArray bytes = "\xEF\xBB\xBF\"id\";\"value; with \"\"quotes\"\"\";text;e\r\n"
                                 "1;\" 2.5 \";\"multi\nline; text\";1e-3\r\n"
                                 "2;-inf;plain;+4\r"
                                 "3;Infinity;\"\";\n"
                                 "4;nan;\"quote \"\" inside\";.5\n"
                                 "\n"
                                 "5;1E+300;\"x\r\ny\";-0.0\n"
                                 "6;\"\";z \xc3\xa9;5.\n"
                                 "7; -12.75e-1 ;\"  padded  \";0.1\n"
                                 "8;1e400;NaN-ish;\"3\"";
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"tricky.csv"_s, bytes);
        const QString script = uR"(import csv, json, sys
def cell(s):
    t = s.strip(' \t')
    if t == '':
        return ['m']
    try:
        return ['n', float(t).hex()]
    except ValueError:
        return ['s', s]
with open(sys.argv[1], newline='', encoding='utf-8-sig') as f:
    rows = [r for r in csv.reader(f, delimiter=';') if r]
print(json.dumps([rows[0]] + [[cell(c) for c in r] for r in rows[1:]]))
)"_s;
        QProcess python;
        python.start(u"/usr/bin/python3"_s, {u"-c"_s, script, path});
        if (!python.waitForStarted(10000))
            QSKIP("no /usr/bin/python3");
        QVERIFY(python.waitForFinished(30000));
        QCOMPARE(python.exitCode(), 0);
        const QJsonArray rows = QJsonDocument::fromJson(python.readAllStandardOutput()).array();
        QCOMPARE(rows.size(), 9);

        auto table = readCsv(path, withThreads(3));
        QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
        QCOMPARE(table->delimiter, ';');
        QVERIFY(table->hadHeader);
        const QStringList names = table->numbers.columnNames();
        QCOMPARE(names.size(), rows[0].toArray().size());
        for (int c = 0; c < names.size(); ++c)
            QCOMPARE(names[c], rows[0].toArray()[c].toString());
        QCOMPARE(table->numbers.rows(), rows.size() - 1);
        for (int c = 0; c < names.size(); ++c) {
            bool text = false;
            for (qsizetype r = 1; r < rows.size(); ++r)
                text = text || rows[r].toArray()[c].toArray()[0].toString() == u"s"_s;
            QCOMPARE(table->kinds[c], text ? ColumnKind::Text : ColumnKind::Number);
            for (qsizetype r = 1; r < rows.size(); ++r) {
                const QJsonArray expected = rows[r].toArray()[c].toArray();
                const QString tag = expected[0].toString();
                const double ours = at(*table, r - 1, c);
                if (text) {
                    QVERIFY(std::isnan(ours));
                    const QString cell = table->text[c][r - 1];
                    QCOMPARE(tag == u"s"_s ? cell : cell.trimmed(),
                             tag == u"s"_s ? expected[1].toString() : cell.trimmed());
                } else if (tag == u"m"_s) {
                    QVERIFY(std::isnan(ours));
                } else {
                    QByteArray hex = expected[1].toString().toLatin1(); // "-0x1.4p+1", "inf", "nan"
                    hex.replace("0x", "");
                    double theirs = 0;
                    std::from_chars(hex.constData(), hex.constData() + hex.size(), theirs,
                                    std::chars_format::hex);
                    QVERIFY2(sameDouble(ours, theirs),
                             qPrintable(u"row %1 column %2: %3 vs %4"_s.arg(r).arg(c).arg(ours).arg(theirs)));
                }
            }
        }
        QCOMPARE(table->text[2][0], u"multi\nline; text"_s);
        QCOMPARE(table->text[2][5], u"z é"_s);
    }

    void throughput()
    {
        // A measurement, not a check: BRIGADE_CSV_BENCH=file.csv [BRIGADE_CSV_THREADS=n] tst_csv throughput
        const QString path = qEnvironmentVariable("BRIGADE_CSV_BENCH");
        if (path.isEmpty())
            QSKIP("set BRIGADE_CSV_BENCH to a CSV file to measure");
        CsvOptions options;
        options.threads = qEnvironmentVariableIntValue("BRIGADE_CSV_THREADS");
        for (int run = 0; run < 3; ++run) {
            QElapsedTimer timer;
            timer.start();
            auto table = readCsv(path, options);
            const double seconds = double(timer.nsecsElapsed()) / 1e9;
            QVERIFY2(table.ok(), table.ok() ? "" : why(table.failure()));
            qInfo("%lld rows x %lld columns, %.1f MB in %.3f s: %.0f MB/s", table->numbers.rows(),
                  table->numbers.cols(), double(table->bytes) / 1e6, seconds,
                  double(table->bytes) / 1e6 / seconds);
        }
    }
};

QTEST_APPLESS_MAIN(TestCsv)
#include "tst_csv.moc"
