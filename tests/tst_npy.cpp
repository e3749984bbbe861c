// NumPy .npy: every dtype, byte order, memory order and format version numpy writes, every rejection, the
// writer.
#include "core/data/npy.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

constexpr int PythonStartMs = 10000;
constexpr int PythonDeadlineMs = 180000;
// A position column value meaning "the test does not check where the failure points".
constexpr qint64 AnyPosition = -100;

struct PythonRun {
    bool ok = false;
    QByteArray output;
    QString error;
};

// Runs Debian's python3 (with python3-numpy, installed by the project's setup) with a deadline.
PythonRun runPython(const QString &script, const QStringList &args, const QByteArray &input = {})
{
    PythonRun run;
    QProcess python;
    python.start(u"/usr/bin/python3"_s, QStringList{u"-c"_s, script} + args);
    if (!python.waitForStarted(PythonStartMs)) {
        run.error = u"cannot start /usr/bin/python3: "_s + python.errorString();
        return run;
    }
    python.write(input);
    python.closeWriteChannel();
    if (!python.waitForFinished(PythonDeadlineMs)) {
        python.kill();
        python.waitForFinished(PythonStartMs);
        run.error = u"python3 did not finish within %1 ms"_s.arg(PythonDeadlineMs);
        return run;
    }
    run.output = python.readAllStandardOutput();
    run.ok = python.exitStatus() == QProcess::NormalExit && python.exitCode() == 0;
    if (!run.ok)
        run.error = u"python3 failed: "_s + QString::fromUtf8(python.readAllStandardError());
    return run;
}

// Writes the reference files listed on stdin, one "name code byteorder F|C rows cols version" a line
// (cols 0: 1-D), each with a sidecar name.f64 holding numpy's own float64 conversion in C order.
const QString GenerateScript = uR"(
import sys
import numpy as np
from numpy.lib import format as npf

def values(code, n):
    # Neighbours differ, signed types go negative, and each type's range is nearly filled, so a wrong
    # byte order, sign or transposition changes values.
    k = np.arange(n, dtype=np.int64)
    base = (k * 7919) % 251 - 125
    if code == 'b1':
        return k % 3 == 0
    kind, size = code[0], int(code[1:])
    if kind == 'f':
        return (base * 0.1).astype(code)
    if kind == 'i':
        return (base * {1: 1, 2: 257, 4: 16777259, 8: 2**55 + 3}[size]).astype(code)
    scale = {1: 1, 2: 261, 4: 17112760, 8: 2**56 + 5}[size]
    return ((base + 125).astype(np.uint64) * np.uint64(scale)).astype(code)

out = sys.argv[1]
count = 0
for line in sys.stdin:
    name, code, order, memory, rows, cols, version = line.split()
    rows, cols, version = int(rows), int(cols), int(version)
    shape = (rows, cols) if cols else (rows,)
    logical = values(code, rows * max(cols, 1)).reshape(shape)
    a = logical.astype(np.dtype(order + code))
    assert a.dtype.str == order + code, a.dtype.str
    if memory == 'F':
        a = np.asfortranarray(a)
    with open(f'{out}/{name}.npy', 'wb') as f:
        if a.ndim == 1 and memory == 'F':
            # numpy never marks a 1-D array as Fortran order, but the format allows it: write the header
            # itself (numpy.load reads such files) to cover that path of the reader too.
            header = {'descr': npf.dtype_to_descr(a.dtype), 'fortran_order': True, 'shape': a.shape}
            npf._write_array_header(f, header, (version, 0))
            a.tofile(f)
        else:
            npf.write_array(f, a, version=(version, 0), allow_pickle=False)
    logical.astype('<f8').tofile(f'{out}/{name}.f64')
    count += 1
print(count)
)"_s;

// One file numpy writes for the tests: dtype code, byte order, memory order, shape and format version.
struct ReferenceCase {
    QString code;
    QChar byteOrder;
    bool fortran = false;
    qint64 rows = 0;
    qint64 cols = 0; // 0: a 1-D array of `rows` elements
    int version = 1;

    QString name() const
    {
        const QString order = byteOrder == u'<' ? u"le"_s : byteOrder == u'>' ? u"be"_s : u"na"_s;
        const QString shape = cols == 0 ? QString::number(rows) : u"%1x%2"_s.arg(rows).arg(cols);
        return u"%1_%2_%3_%4_v%5"_s.arg(code, order, fortran ? u"F"_s : u"C"_s, shape).arg(version);
    }
    QByteArray line() const
    {
        return u"%1 %2 %3 %4 %5 %6 %7\n"_s.arg(name(), code, byteOrder, fortran ? u"F"_s : u"C"_s)
            .arg(rows)
            .arg(cols)
            .arg(version)
            .toUtf8();
    }
};

// Every dtype x byte order (both where it means something) x memory order x 1-D/2-D x format version.
QList<ReferenceCase> smallCases()
{
    static const QStringList Codes{u"f8"_s, u"f4"_s, u"f2"_s, u"i8"_s, u"i4"_s, u"i2"_s,
                                   u"i1"_s, u"u8"_s, u"u4"_s, u"u2"_s, u"u1"_s, u"b1"_s};
    QList<ReferenceCase> cases;
    for (const QString &code : Codes) {
        const bool oneByte = code.endsWith(u'1');
        const QList<QChar> orders = oneByte ? QList<QChar>{u'|'} : QList<QChar>{u'<', u'>'};
        for (QChar order : orders)
            for (bool fortran : {false, true})
                for (qint64 cols : {0, 3}) // 5 x 3: not square, so a transposition cannot hide
                    for (int version : {1, 2, 3})
                        cases.append({code, order, fortran, cols == 0 ? 15 : 5, cols, version});
    }
    // numpy's longdouble (x87 80-bit in 16 bytes on x86-64), read in native order only.
    if (sizeof(long double) == 16)
        for (bool fortran : {false, true})
            for (qint64 cols : {0, 3})
                cases.append({u"f16"_s, u'<', fortran, cols == 0 ? 15 : 5, cols, 1});
    return cases;
}

// Files of several blocks, and shapes at the edges of the reader's tiling.
QList<ReferenceCase> largeCases()
{
    return {
        {u"f8"_s, u'<', false, 300000, 7, 1}, // whole-row tiles over several blocks
        {u"f8"_s, u'<', true, 200000, 5, 1},  // read in place
        {u"u4"_s, u'>', true, 200000, 7, 1},  // contiguous with byte swapping
        {u"i8"_s, u'<', false, 1000003, 0, 2},
        {u"f4"_s, u'>', false, 100003, 13, 1}, // tiles not a multiple of the sub-tile size
        {u"b1"_s, u'|', false, 1000003, 3, 1},
        {u"i2"_s, u'>', false, 5, 600000, 1},  // rows too wide for a block: column ranges
        {u"f8"_s, u'<', false, 3, 400000, 3},  // the same, fewer rows than a tile
        {u"f8"_s, u'<', false, 20, 65537, 1},  // one column more than a tile
        {u"u1"_s, u'|', false, 1, 2000000, 1}, // a single row is contiguous
        {u"i4"_s, u'<', false, 1500000, 1, 1}, // and so is a single column
    };
}

QByteArray npyFile(int version, const QByteArray &dict, const QByteArray &data, bool pad = true)
{
    const qsizetype lengthBytes = version == 1 ? 2 : 4;
    QByteArray header = dict;
    if (pad) {
        const qsizetype unpadded = 8 + lengthBytes + header.size() + 1;
        header.append(QByteArray((64 - unpadded % 64) % 64, ' ')).append('\n');
    }
    QByteArray bytes("\x93NUMPY", 6);
    bytes.append(char(version)).append(char(0));
    char length[4];
    if (version == 1)
        qToLittleEndian<quint16>(quint16(header.size()), length);
    else
        qToLittleEndian<quint32>(quint32(header.size()), length);
    return bytes.append(length, lengthBytes).append(header).append(data);
}

QByteArray doubles(std::initializer_list<double> values)
{
    QByteArray out;
    for (double v : values) {
        char le[8];
        qToLittleEndian(v, le);
        out.append(le, 8);
    }
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

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Fails the current test unless `array` is float64 and holds `expected` (row-major, rows x cols) exactly.
void compareArray(const SharedArray &array, qint64 rows, qint64 cols, const QList<double> &expected)
{
    QCOMPARE(array.dtype(), Dtype::Float64);
    QCOMPARE(array.rows(), rows);
    QCOMPARE(array.cols(), cols);
    QCOMPARE(qint64(expected.size()), rows * cols);
    const auto m = array.matrix<double>();
    for (qint64 r = 0; r < rows; ++r)
        for (qint64 c = 0; c < cols; ++c)
            if (m(r, c) != expected[r * cols + c])
                QFAIL(qPrintable(u"(%1, %2) is %3, expected %4"_s.arg(r)
                                     .arg(c)
                                     .arg(m(r, c), 0, 'g', 17)
                                     .arg(expected[r * cols + c], 0, 'g', 17)));
}

QList<double> littleEndianDoubles(const QByteArray &bytes)
{
    QList<double> values(bytes.size() / 8);
    for (qsizetype i = 0; i < values.size(); ++i)
        values[i] = qFromLittleEndian<double>(bytes.constData() + i * 8);
    return values;
}

} // namespace

class TestNpy final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_reference;

    void compareWithReference(const QString &name, qint64 rows, qint64 cols)
    {
        const QString path = m_reference.filePath(name + u".npy"_s);
        auto array = readNpy(path);
        QVERIFY2(array.ok(), array.ok() ? "" : qPrintable(array.failure().describe()));
        const QList<double> expected = littleEndianDoubles(readAll(m_reference.filePath(name + u".f64"_s)));
        compareArray(*array, rows, cols == 0 ? 1 : cols, expected);
        if (QTest::currentTestFailed())
            return;
        const QStringList names = array->columnNames();
        if (cols == 0)
            QCOMPARE(names, QStringList{u"value"_s});
        else
            QCOMPARE(names.last(), u"c%1"_s.arg(cols - 1));
    }

    static void addReferenceRows(const QList<ReferenceCase> &cases)
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<qint64>("cols");
        for (const ReferenceCase &c : cases)
            QTest::newRow(qPrintable(c.name())) << c.name() << c.rows << c.cols;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_reference.isValid());
        QByteArray lines;
        const QList<ReferenceCase> cases = smallCases() + largeCases();
        for (const ReferenceCase &c : cases)
            lines += c.line();
        const PythonRun run = runPython(GenerateScript, {m_reference.path()}, lines);
        QVERIFY2(run.ok, qPrintable(run.error));
        QCOMPARE(run.output.trimmed().toLongLong(), qint64(cases.size()));
    }

    // Brigade's stats over numpy-made files (several dtypes, both orders, NaNs) equal numpy's own
    // nanmean, nanstd(ddof=1), nanmin and nanmax, through the real CLI and workers.
    void statsAgreeWithNumpy_data()
    {
        QTest::addColumn<QString>("dtype");
        QTest::addColumn<bool>("fortran");
        QTest::newRow("<f8 C") << u"<f8"_s << false;
        QTest::newRow(">f4 F") << u">f4"_s << true;
        QTest::newRow("<i8 C") << u"<i8"_s << false;
        QTest::newRow("<u2 F") << u"<u2"_s << true;
        QTest::newRow("|i1 C") << u"|i1"_s << false;
    }
    void statsAgreeWithNumpy()
    {
        QFETCH(QString, dtype);
        QFETCH(bool, fortran);
        const QString path =
            m_reference.filePath(u"stats-%1.npy"_s.arg(QString::number(qHash(dtype) ^ fortran)));
        const QString script = uR"(
import sys, json
import numpy as np
path, dtype, fortran = sys.argv[1], sys.argv[2], sys.argv[3] == '1'
rng = np.random.default_rng(7)
x = rng.normal(50, 20, size=(20011, 4))
if np.dtype(dtype).kind == 'f':
    x[rng.integers(0, 20011, 300), rng.integers(0, 4, 300)] = np.nan
a = (np.asfortranarray(x) if fortran else x)
if np.dtype(dtype).kind in 'iu':
    info = np.iinfo(dtype)
    a = np.clip(np.nan_to_num(a), info.min, info.max)
a = a.astype(dtype, order='F' if fortran else 'C')
np.save(path, a)
f = a.astype(np.float64)
print(json.dumps([[int(np.count_nonzero(~np.isnan(f[:, c]))), float(np.nanmean(f[:, c])),
                   float(np.nanstd(f[:, c], ddof=1)), float(np.nanmin(f[:, c])), float(np.nanmax(f[:, c]))]
                  for c in range(f.shape[1])]))
)"_s;
        const PythonRun made = runPython(script, {path, dtype, fortran ? u"1"_s : u"0"_s});
        QVERIFY2(made.ok, qPrintable(made.error));
        const QJsonArray expected = QJsonDocument::fromJson(made.output).array();
        QCOMPARE(expected.size(), 4);

        QProcess cli;
        cli.start(QStringLiteral(BRIGADE_CLI), {u"run"_s, u"stats"_s, u"--input"_s, path, u"--workers"_s,
                                                u"2"_s, u"--chunk-size"_s, u"997"_s, u"--json"_s});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const QJsonArray columns = QJsonDocument::fromJson(cli.readAllStandardOutput())
                                       .object()
                                       .value(u"result"_s)
                                       .toObject()
                                       .value(u"columns"_s)
                                       .toArray();
        QCOMPARE(columns.size(), 4);
        const QStringList fields{u"count"_s, u"mean"_s, u"std"_s, u"min"_s, u"max"_s};
        for (qsizetype c = 0; c < 4; ++c) {
            const QJsonObject got = columns[c].toObject();
            const QJsonArray want = expected[c].toArray();
            for (qsizetype k = 0; k < fields.size(); ++k) {
                const double a = got.value(fields[k]).toDouble();
                const double b = want[k].toDouble();
                QVERIFY2(std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(b)),
                         qPrintable(u"column %1 %2: brigade %3, numpy %4"_s.arg(c)
                                        .arg(fields[k])
                                        .arg(a, 0, 'g', 17)
                                        .arg(b, 0, 'g', 17)));
            }
        }
    }

    void readsWhatNumpyWrites_data() { addReferenceRows(smallCases()); }
    void readsWhatNumpyWrites()
    {
        QFETCH(QString, name);
        QFETCH(qint64, rows);
        QFETCH(qint64, cols);
        compareWithReference(name, rows, cols);
    }

    void readsLargeFiles_data() { addReferenceRows(largeCases()); }
    void readsLargeFiles()
    {
        QFETCH(QString, name);
        QFETCH(qint64, rows);
        QFETCH(qint64, cols);
        compareWithReference(name, rows, cols);
    }

    // Headers numpy or other writers may produce, parsed as the Python literals they are.
    void acceptsHeaderVariants_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<qint64>("cols");
        const QByteArray cOrder = doubles({1, 2, 3, 4, 5, 6});
        const QByteArray fOrder = doubles({1, 4, 2, 5, 3, 6});
        const auto add = [&](const char *name, int version, const QByteArray &dict, const QByteArray &data,
                             qint64 rows = 2, qint64 cols = 3, bool pad = true) {
            QTest::newRow(name) << npyFile(version, dict, data, pad) << rows << cols;
        };
        add("numpy's own", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", cOrder);
        add("keys reordered", 1, "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}", cOrder);
        add("fortran, reordered", 1, "{'fortran_order': True, 'shape': (2, 3), 'descr': '<f8'}", fOrder);
        add("no spaces", 1, "{'descr':'<f8','fortran_order':False,'shape':(2,3)}", cOrder);
        add("spaces, tabs, newlines, trailing commas", 1,
            "{ \n 'fortran_order' :\tFalse ,\r\n 'shape' : ( 2 , 3 , ) , 'descr' : '<f8' , }", cOrder);
        add("double quotes", 1, "{\"descr\": \"<f8\", \"fortran_order\": False, \"shape\": (2, 3)}", cOrder);
        add("python 2 longs", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }", cOrder);
        add("native byte order", 1, "{'descr': '=f8', 'fortran_order': False, 'shape': (2, 3), }", cOrder);
        add("no byte order", 1, "{'descr': 'f8', 'fortran_order': False, 'shape': (2, 3), }", cOrder);
        add("'|f8'", 1, "{'descr': '|f8', 'fortran_order': False, 'shape': (2, 3), }", cOrder);
        add("unpadded", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3)}", cOrder, 2, 3, false);
        add("1-D", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", cOrder, 6, 1);
        add("1-D, space before the comma", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (6 ,)}",
            cOrder, 6, 1);
        add("version 2.0", 2, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", cOrder);
        add("version 3.0", 3, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", cOrder);
        add("empty", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0,), }", {}, 0, 1);
        add("no columns", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 0), }", {}, 2, 0);
        add("no rows", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3), }", {}, 0, 3);
        const QByteArray dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        add("header at the size limit", 2, dict + QByteArray(10000 - dict.size() - 1, ' ') + '\n', cOrder, 2,
            3, false);
    }

    void acceptsHeaderVariants()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qint64, rows);
        QFETCH(qint64, cols);
        QTemporaryDir dir;
        auto array = readNpy(writeFile(dir, u"ok.npy"_s, bytes));
        QVERIFY2(array.ok(), array.ok() ? "" : qPrintable(array.failure().describe()));
        QList<double> expected;
        for (qint64 i = 0; i < rows * cols; ++i)
            expected.append(double(i + 1));
        compareArray(*array, rows, cols, expected);
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<qint64>("position");
        const auto header = [](const QByteArray &descr, const QByteArray &shape) -> QByteArray {
            return "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + shape + ", }";
        };
        // A v1 file whose dict is wrong: the failure points at the header, which starts at byte 10.
        const auto badDict = [&](const char *name, const QByteArray &dict, const QString &reason,
                                 qint64 position = 10) {
            QTest::newRow(name) << npyFile(1, dict, doubles({1, 2})) << reason << position;
        };
        const auto badDescr = [&](const char *name, const QByteArray &descr, const QString &reason) {
            badDict(name, header(descr, "(2,)"), reason);
        };
        const QByteArray one = doubles({1});

        QTest::newRow("bad magic") << QByteArray("PK\x03\x04 not numpy at all") << u"bad magic"_s << 0LL;
        QTest::newRow("shorter than the magic") << QByteArray("\x93NUM") << u"bad magic"_s << 0LL;
        QTest::newRow("version 4.0") << QByteArray("\x93NUMPY\x04\x00\x10\x00{}", 12) << u"version 4.0"_s
                                     << 6LL;
        QTest::newRow("version 1.1") << QByteArray("\x93NUMPY\x01\x01\x10\x00{}", 12) << u"version 1.1"_s
                                     << 6LL;
        QTest::newRow("truncated length")
            << QByteArray("\x93NUMPY\x02\x00\x10", 9) << u"truncated .npy header"_s << 8LL;
        QTest::newRow("header over 10000 bytes")
            << npyFile(2, header("'<f8'", "(2,)") + QByteArray(10000, ' ') + '\n', doubles({1, 2}), false)
            << u"exceeds the limit of 10000"_s << 8LL;
        QTest::newRow("truncated header")
            << npyFile(1, header("'<f8'", "(2,)"), {}).first(40) << u"truncated .npy header"_s << 10LL;
        QTest::newRow("v3 header not UTF-8")
            << npyFile(3, "{'descr': '<f8\xff', 'fortran_order': False, 'shape': (2,), }", doubles({1, 2}))
            << u"not valid UTF-8"_s << 12LL;

        badDict("header is a list", "['descr', '<f8']", u"not a dict"_s);
        badDict("header is not python", "descr = <f8", u"unexpected name 'descr'"_s);
        badDict("empty header", "", u"malformed .npy header: unexpected end"_s, AnyPosition);
        badDict("garbled", "{'descr': '<f8', 'shape': [", u"malformed"_s, AnyPosition);
        badDict("missing shape", "{'descr': '<f8', 'fortran_order': False}", u"missing key 'shape'"_s);
        badDict("missing descr", "{'fortran_order': False, 'shape': (2,)}", u"missing key 'descr'"_s);
        badDict("missing fortran_order", "{'descr': '<f8', 'shape': (2,)}", u"missing key 'fortran_order'"_s);
        badDict("unexpected key", "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}",
                u"unexpected key 'extra'"_s);
        badDict("duplicate key", "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}",
                u"duplicate key 'descr'"_s, 10 + 17);
        badDict("non-string key", "{1: '<f8'}", u"key is not a string"_s, 11);
        badDict("missing colon", "{'descr' '<f8'}", u"expected ':'"_s, 10 + 9);
        badDict("text after the dict", header("'<f8'", "(2,)") + " junk", u"unexpected text after"_s,
                AnyPosition);
        badDict("unterminated string", "{'descr': '<f8}", u"unterminated string"_s, AnyPosition);
        badDict("float in the header", header("'<f8'", "(2.0,)"), u"expected ',' or ')'"_s, AnyPosition);
        badDict("nested too deeply", "{'descr': " + QByteArray(40, '[') + QByteArray(40, ']') + "}",
                u"nested too deeply"_s, AnyPosition);
        badDict("NUL in the header", "{'descr': '<f8',\0 'fortran_order': False, 'shape': (2,)}"_ba,
                u"unexpected character"_s, 10 + 16);
        badDict("fortran_order not a bool", "{'descr': '<f8', 'fortran_order': 0, 'shape': (2,)}",
                u"'fortran_order' is not True or False"_s);
        badDict("shape is a list", header("'<f8'", "[2]"), u"'shape' is not a tuple"_s);
        badDict("shape in parentheses is a number", header("'<f8'", "(2)"), u"'shape' is not a tuple"_s);
        badDict("shape of strings", header("'<f8'", "('2',)"), u"other than integers"_s);
        badDict("negative dimension", header("'<f8'", "(-2,)"), u"negative dimension -2"_s);
        badDict("dimension beyond 64 bits", header("'<f8'", "(99999999999999999999,)"),
                u"too large for 64 bits"_s);
        badDict("shape product overflows", header("'<f8'", "(4294967296, 4294967296)"),
                u"overflows 64 bits"_s);
        badDict("0-D", header("'<f8'", "()"), u"0-D"_s);
        badDict("3-D", header("'<f8'", "(1, 1, 2)"), u"not 3-D"_s);
        badDict("descr not a string", header("8", "(2,)"), u"'descr' is not a string"_s);

        badDescr("object", "'|O'", u"dtype '|O' holds Python objects"_s);
        badDescr("structured", "[('a', '<f8'), ('b', '<i4')]", u"structured dtypes"_s);
        badDescr("unicode", "'<U5'", u"dtype '<U5' (unicode strings)"_s);
        badDescr("byte strings", "'|S3'", u"dtype '|S3' (byte strings)"_s);
        badDescr("complex", "'<c16'", u"dtype '<c16' (complex numbers)"_s);
        badDescr("datetime", "'<M8[ns]'", u"dtype '<M8[ns]' (datetime)"_s);
        badDescr("timedelta", "'<m8[s]'", u"dtype '<m8[s]' (timedelta)"_s);
        badDescr("void", "'|V8'", u"dtype '|V8' (raw or structured records)"_s);
        badDescr("float8", "'<f1'", u"dtype '<f1' (float8) is not supported"_s);
        badDescr("big-endian long double", "'>f16'", u"dtype '>f16' (float128) is not supported"_s);
        badDescr("3-byte integer", "'<i3'", u"dtype '<i3' is not supported"_s);
        badDescr("2-byte bool", "'<b2'", u"dtype '<b2' is not supported"_s);
        badDescr("unknown kind", "'<x8'", u"dtype '<x8' is not supported"_s);
        badDescr("no kind", "'<'", u"dtype '<' is not a dtype"_s);

        const QByteArray truncated = npyFile(1, header("'<f8'", "(10,)"), doubles({1, 2}));
        QTest::newRow("truncated data")
            << truncated << u"truncated data: 16 bytes follow the header"_s << qint64(truncated.size());
        QTest::newRow("truncated int16 data")
            << npyFile(1, header("'>i2'", "(3, 2)"), QByteArray(11, '\1')) << u"needs 12"_s << AnyPosition;
        const QByteArray extra = npyFile(1, header("'<f8'", "(1,)"), doubles({1, 2}));
        QTest::newRow("extra bytes") << extra << u"8 extra bytes after the data"_s
                                     << qint64(extra.size() - 8);
        QTest::newRow("huge shape, small file")
            << npyFile(1, header("'<f8'", "(100000000000, 3)"), one) << u"truncated data"_s << AnyPosition;
    }

    void rejects()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        QFETCH(qint64, position);
        QTemporaryDir dir;
        const QString path = writeFile(dir, u"bad.npy"_s, bytes);
        auto array = readNpy(path);
        QVERIFY(!array.ok());
        const Failure &failure = array.failure();
        QCOMPARE(failure.code, FailureCode::Input);
        QCOMPARE(failure.file, path);
        QVERIFY2(failure.message.contains(reason), qPrintable(failure.message));
        if (position != AnyPosition)
            QCOMPARE(failure.position, position);
    }

    void rejectsMissingFile()
    {
        QTemporaryDir dir;
        auto array = readNpy(dir.filePath(u"missing.npy"_s));
        QVERIFY(!array.ok());
        QVERIFY2(array.failure().message.startsWith(u"cannot open"_s), qPrintable(array.failure().message));
    }

    // writeNpy, then numpy itself loads the file; every value must come back bit for bit.
    void numpyReadsWhatWeWrite_data()
    {
        QTest::addColumn<Dtype>("dtype");
        QTest::addColumn<qint64>("rows");
        QTest::addColumn<qint64>("cols");
        QTest::addColumn<QByteArray>("numpyDescr");
        QTest::newRow("float64 2-D") << Dtype::Float64 << 7LL << 3LL << QByteArray("<f8");
        QTest::newRow("float64 1-D") << Dtype::Float64 << 5LL << 1LL << QByteArray("<f8");
        QTest::newRow("float64 one row") << Dtype::Float64 << 1LL << 4LL << QByteArray("<f8");
        QTest::newRow("float64 no rows") << Dtype::Float64 << 0LL << 3LL << QByteArray("<f8");
        QTest::newRow("float64 large") << Dtype::Float64 << 1000LL << 250LL << QByteArray("<f8");
        QTest::newRow("float32") << Dtype::Float32 << 4LL << 3LL << QByteArray("<f4");
        QTest::newRow("int64") << Dtype::Int64 << 4LL << 3LL << QByteArray("<i8");
        QTest::newRow("int32") << Dtype::Int32 << 4LL << 3LL << QByteArray("<i4");
        QTest::newRow("uint8") << Dtype::UInt8 << 4LL << 3LL << QByteArray("|u1");
    }

    void numpyReadsWhatWeWrite()
    {
        QFETCH(Dtype, dtype);
        QFETCH(qint64, rows);
        QFETCH(qint64, cols);
        QFETCH(QByteArray, numpyDescr);
        auto array = SharedArray::create(dtype, rows, cols);
        QVERIFY(array.ok());
        // Values of every magnitude and sign the type holds, including some that need all 17 digits.
        QList<double> expected(rows * cols);
        for (qint64 r = 0; r < rows; ++r) {
            for (qint64 c = 0; c < cols; ++c) {
                const qint64 k = r * cols + c;
                double v = double((k * 37) % 201 - 100);
                switch (dtype) {
                case Dtype::Float64:
                    v = v / 3.0 * std::pow(10.0, double(k % 9 - 4));
                    array->matrix<double>()(r, c) = v;
                    break;
                case Dtype::Float32:
                    v = double(float(v / 3.0));
                    array->matrix<float>()(r, c) = float(v);
                    break;
                case Dtype::Int64:
                    v *= 1e15;
                    array->matrix<std::int64_t>()(r, c) = std::int64_t(v);
                    break;
                case Dtype::Int32:
                    v *= 1e7;
                    array->matrix<std::int32_t>()(r, c) = std::int32_t(v);
                    break;
                case Dtype::UInt8:
                    v += 100;
                    array->matrix<std::uint8_t>()(r, c) = std::uint8_t(v);
                    break;
                }
                expected[k] = v;
            }
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(u"out.npy"_s);
        const auto failure = writeNpy(path, *array);
        QVERIFY2(!failure, failure ? qPrintable(failure->describe()) : "");

        // numpy pads the header so the data starts at a multiple of 64; so must we.
        const QByteArray bytes = readAll(path);
        QVERIFY(bytes.startsWith(QByteArray("\x93NUMPY\x01\x00", 8)));
        const qint64 dataStart = 10 + qFromLittleEndian<quint16>(bytes.constData() + 8);
        QCOMPARE(dataStart % 64, 0);
        QCOMPARE(bytes.at(dataStart - 1), '\n');
        QCOMPARE(bytes.size() - dataStart, rows * cols * dtypeSize(dtype));

        const PythonRun run = runPython(uR"(
import sys
import numpy as np
a = np.load(sys.argv[1], allow_pickle=False)
print(a.dtype.str, a.ndim, a.size)
print(' '.join(repr(float(x)) for x in a.ravel(order='C')))
)"_s,
                                        {path});
        QVERIFY2(run.ok, qPrintable(run.error));
        const QList<QByteArray> lines = run.output.split('\n');
        QVERIFY(lines.size() >= 2);
        QCOMPARE(lines[0], numpyDescr + ' ' + QByteArray::number(cols == 1 ? 1 : 2) + ' ' +
                               QByteArray::number(rows * cols));
        const QList<QByteArray> printed = lines[1].split(' ');
        for (qsizetype i = 0; i < expected.size(); ++i) {
            bool ok = false;
            const double v = printed.value(i).toDouble(&ok);
            QVERIFY2(ok && v == expected[i], qPrintable(u"element %1: numpy has %2, expected %3"_s.arg(i)
                                                            .arg(QString::fromLatin1(printed.value(i)))
                                                            .arg(expected[i], 0, 'g', 17)));
        }

        // And our own reader returns the same values as float64.
        auto back = readNpy(path);
        QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.failure().describe()));
        compareArray(*back, rows, cols, expected);
    }

    void writeIsAtomic()
    {
        QTemporaryDir dir;
        auto array = SharedArray::create(Dtype::Float64, 2, 2);
        QVERIFY(array.ok());
        array->matrix<double>().setConstant(1.5);

        // A path under a regular file cannot be written: a failure, and the file is untouched.
        const QString blocker = writeFile(dir, u"blocker.npy"_s, "old contents");
        auto failure = writeNpy(blocker + u"/out.npy"_s, *array);
        QVERIFY(failure.has_value());
        QCOMPARE(failure->code, FailureCode::Input);
        QVERIFY2(failure->message.startsWith(u"cannot write"_s), qPrintable(failure->message));
        QCOMPARE(readAll(blocker), QByteArray("old contents"));

        // A directory in the way of the target: no temporary file is left behind.
        QVERIFY(QDir(dir.path()).mkdir(u"taken.npy"_s));
        QVERIFY(writeNpy(dir.filePath(u"taken.npy"_s), *array).has_value());
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 (QStringList{u"blocker.npy"_s, u"taken.npy"_s}));

        // A successful write replaces an existing file as a whole.
        const QString target = writeFile(dir, u"target.npy"_s, QByteArray(100000, 'x'));
        QVERIFY(!writeNpy(target, *array));
        auto back = readNpy(target);
        QVERIFY2(back.ok(), back.ok() ? "" : qPrintable(back.failure().describe()));
        compareArray(*back, 2, 2, {1.5, 1.5, 1.5, 1.5});
    }

    // The shape a user gave is the shape written: an (N, 1) array scaled in place comes back (N, 1), an
    // (N,) array (N,).
    void inPlaceOutputKeepsTheShape()
    {
        QTemporaryDir dir;
        for (const QByteArray &shape : {QByteArray("(4, 1)"), QByteArray("(4,)")}) {
            const QByteArray dict = "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }";
            const QString input = writeFile(dir, u"in.npy"_s, npyFile(1, dict, doubles({1, 2, 3, 4})));
            const QString output = dir.filePath(u"out.npy"_s);
            QFile::remove(output);
            QProcess cli;
            cli.start(QStringLiteral(BRIGADE_CLI),
                      {u"run"_s, u"scale"_s, u"--input"_s, input, u"--output"_s, output, u"--quiet"_s});
            QVERIFY(cli.waitForFinished(30000));
            QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
            const QByteArray written = readAll(output);
            QVERIFY2(written.contains(QByteArray("'shape': " + shape)), written.left(128).constData());
            auto back = readNpy(output);
            QVERIFY(back.ok());
            compareArray(*back, 4, 1, {2, 4, 6, 8});
        }
    }
};

QTEST_APPLESS_MAIN(TestNpy)
#include "tst_npy.moc"
