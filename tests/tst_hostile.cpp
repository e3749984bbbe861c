// Hostile input, through the real CLI: sizes that overflow or exceed the machine, worker counts and
// timeouts out of range, outputs that would destroy their input. Each case has a deadline (runBrigade
// kills a CLI that outlives it and fails the test), gets exit 2 with a message that names the flag or
// file and the reason, writes nothing, and leaves no process or segment of its own.
#include "core/data/segmentregistry.h"
#include "helpers/cliprocess.h"
#include "helpers/procfs.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace testhelpers;
using brigade::SegmentRegistry;

namespace {

bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray digestOf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(file.readAll(), QCryptographicHash::Sha256);
}

// A small float64 .npy of 8 values.
void writeNpy(const QString &path)
{
    QByteArray header = "{'descr': '<f8', 'fortran_order': False, 'shape': (8,), }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    QByteArray bytes = QByteArray("\x93NUMPY\x01\x00", 8);
    bytes += char(header.size() & 0xff);
    bytes += char(header.size() >> 8);
    bytes += header;
    for (int i = 0; i < 8; ++i) {
        const double v = i + 0.5;
        bytes += QByteArray(reinterpret_cast<const char *>(&v), sizeof v);
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(bytes);
}

} // namespace

class TestHostile final : public QObject
{
    Q_OBJECT

    // Exit 2 within the deadline, saying `reason`, leaving nothing of its own behind.
    static void refused(const QStringList &args, const QByteArray &reason, int deadlineMs = 20000)
    {
        const Ran ran = runBrigade(args, deadlineMs);
        QVERIFY2(ran.exitCode == 2,
                 qPrintable(u"exit %1: %2"_s.arg(ran.exitCode).arg(QString::fromUtf8(ran.err))));
        QVERIFY2(ran.err.contains(reason), ran.err.constData());
        QVERIFY(workerChildrenOf(ran.pid, true).isEmpty());
        QVERIFY2(segmentsOf(ran.pid).isEmpty(), qPrintable(segmentsOf(ran.pid).join(u' ')));
    }

private Q_SLOTS:
    // Sizes: overflowing products, tables larger than the machine, columns without end. Checked before
    // anything is allocated: no crash, no hang, no memory exhausted.
    void sizesThatOverflowOrExceedTheMachine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("rows * cols overflows")
            << QStringList{u"--rows"_s, u"9223372036854775807"_s, u"--cols"_s, u"2"_s}
            << QByteArray("too large");
        QTest::newRow("rows * 8 bytes overflows")
            << QStringList{u"--rows"_s, u"4611686018427387904"_s} << QByteArray("too large");
        QTest::newRow("more than the machine's memory")
            << QStringList{u"--rows"_s, u"10000000000000"_s, u"--cols"_s, u"3"_s}
            << QByteArray("more than this machine's memory");
        QTest::newRow("columns without end")
            << QStringList{u"--rows"_s, u"10"_s, u"--cols"_s, u"1000000000000"_s} << QByteArray("--cols");
    }
    void sizesThatOverflowOrExceedTheMachine()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, reason);
        refused(QStringList{u"run"_s, u"stats"_s} + args, reason);
    }

    // Settings out of their documented range are usage errors, never taken as something else.
    void settingsOutOfRange_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("100000 workers")
            << QStringList{u"--workers"_s, u"100000"_s}
            << QByteArray("--workers: \"100000\" is not a valid value: must be 1 to 256");
        QTest::newRow("a timeout below a millisecond")
            << QStringList{u"--timeout"_s, u"0.0001"_s}
            << QByteArray("--timeout: \"0.0001\" is not a valid value: must be 0 (none) or at least 0.001");
    }
    void settingsOutOfRange()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, reason);
        refused(QStringList{u"run"_s, u"primes"_s, u"--end"_s, u"1000"_s} + args, reason);
    }

    // An output that resolves to the input, however it is spelt, or into an input folder, is refused before
    // the run starts; the input is untouched.
    void outputsThatWouldDestroyTheInput()
    {
        QTemporaryDir dir;
        const QString npy = dir.filePath(u"d.npy"_s);
        writeNpy(npy);
        const QByteArray before = digestOf(npy);
        QVERIFY(!before.isEmpty());
        QVERIFY(QFile::link(npy, dir.filePath(u"link.npy"_s)));
        QVERIFY(QDir(dir.path()).mkdir(u"sub"_s));
        QCOMPARE(::link(QFile::encodeName(npy).constData(),
                        QFile::encodeName(dir.filePath(u"hard.npy"_s)).constData()),
                 0);
        const QStringList aliases{npy, dir.filePath(u"link.npy"_s), dir.filePath(u"hard.npy"_s),
                                  dir.filePath(u"sub/../d.npy"_s), dir.filePath(u"./d.npy"_s)};
        for (const QString &output : aliases)
            refused({u"run"_s, u"scale"_s, u"--input"_s, npy, u"--output"_s, output}, "is the input file");
        QCOMPARE(digestOf(npy), before);
        // The same spelt differently in the input, through the symlink.
        refused({u"run"_s, u"scale"_s, u"--input"_s, dir.filePath(u"link.npy"_s), u"--output"_s, npy},
                "is the input file");
        QCOMPARE(digestOf(npy), before);
        // A genuinely different file is written.
        const Ran ok =
            runBrigade({u"run"_s, u"scale"_s, u"--input"_s, npy, u"--output"_s, dir.filePath(u"out.npy"_s)});
        QVERIFY2(ok.exitCode == 0, ok.err.constData());
        QCOMPARE(digestOf(npy), before);
    }

    void outputFolderInsideTheInputFolder()
    {
        QTemporaryDir dir;
        const QString images = dir.filePath(u"images"_s);
        QVERIFY(QDir(dir.path()).mkdir(u"images"_s));
        for (const QString &outputDir : QStringList{images, images + u"/thumbs"_s, images + u"/."_s})
            refused({u"run"_s, u"image-pipeline"_s, u"--input"_s, images, u"--output-dir"_s, outputDir},
                    "inside the input folder");
    }

    // Names travel as lists: a CSV header cell with a quoted line break names its own column, the next
    // column keeps its name and statistics, and an output CSV keeps the header a reader parses back.
    void headerCellsWithLineBreaksKeepTheirColumns()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString input = dir.filePath(u"in.csv"_s);
        QVERIFY(writeBytes(input, "\"a\nb\",c,\"d\r\ne\"\n1,2,5\n3,4,7\n"));
        const Ran stats = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, input, u"--json"_s});
        QVERIFY2(stats.exitCode == 0, stats.err.constData());
        const QJsonArray columns = stats.json()[u"result"_s].toObject()[u"columns"_s].toArray();
        QCOMPARE(columns.size(), 3);
        QCOMPARE(columns[0].toObject()[u"name"_s].toString(), u"a\nb"_s);
        QCOMPARE(columns[0].toObject()[u"mean"_s].toDouble(), 2.0);
        QCOMPARE(columns[1].toObject()[u"name"_s].toString(), u"c"_s);
        QCOMPARE(columns[1].toObject()[u"mean"_s].toDouble(), 3.0);
        QCOMPARE(columns[2].toObject()[u"name"_s].toString(), u"d\r\ne"_s);
        QCOMPARE(columns[2].toObject()[u"mean"_s].toDouble(), 6.0);

        const QString output = dir.filePath(u"out.csv"_s);
        const Ran scaled = runBrigade({u"run"_s, u"scale"_s, u"--input"_s, input, u"--output"_s, output});
        QVERIFY2(scaled.exitCode == 0, scaled.err.constData());
        const Ran again = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, output, u"--json"_s});
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const QJsonArray back = again.json()[u"result"_s].toObject()[u"columns"_s].toArray();
        QCOMPARE(back.size(), 3);
        QCOMPARE(back[0].toObject()[u"name"_s].toString(), u"a\nb"_s);
        QCOMPARE(back[1].toObject()[u"mean"_s].toDouble(), 6.0);
        QCOMPARE(back[2].toObject()[u"name"_s].toString(), u"d\r\ne"_s);
        QCOMPARE(back[2].toObject()[u"mean"_s].toDouble(), 12.0);
    }

    // On a terminal, bytes from a file cannot drive it: `inspect` and a run's summary show a column name's
    // ESC and other control bytes escaped. Into a pipe the bytes stay as they are (they are the data).
    void controlBytesAreEscapedOnATerminal()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString input = dir.filePath(u"esc.csv"_s);
        QVERIFY(writeBytes(input, "a\x1b]0;owned\x07\x1b[31mred,b\n1,2\n"));
        for (const QStringList &args :
             {QStringList{u"inspect"_s, input}, QStringList{u"run"_s, u"stats"_s, u"--input"_s, input}}) {
            // script(1) gives the command a pseudo-terminal for its stdout and stderr.
            QProcess terminal;
            terminal.start(u"script"_s, {u"-q"_s, u"-e"_s, u"-c"_s, brigadeProgram() + u' ' + args.join(u' '),
                                         u"/dev/null"_s});
            QVERIFY(terminal.waitForFinished(20000));
            QByteArray shown = terminal.readAllStandardOutput();
            QVERIFY2(terminal.exitCode() == 0, shown.constData());
            shown.replace("\x1b[K", ""); // the progress bar's own "erase to the end of the line"
            QVERIFY2(shown.contains("a\\x1b]0;owned\\x07\\x1b[31mred"), shown.constData());
            QVERIFY(!shown.contains('\x1b'));
            QVERIFY(!shown.contains('\x07'));
        }
        const Ran piped = runBrigade({u"inspect"_s, input});
        QCOMPARE(piped.exitCode, 0);
        QVERIFY(piped.out.contains("a\x1b]0;owned\x07\x1b[31mred"));
    }

    // Infinities are values: the summary prints a column's extremes as they are, never as "missing".
    void infinitiesArePrintedAsValues()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString input = dir.filePath(u"inf.csv"_s);
        QVERIFY(writeBytes(input, "x,y\n1,-inf\n5,2\ninf,3\n"));
        const Ran ran = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, input});
        QCOMPARE(ran.exitCode, 0);
        QVERIFY2(ran.out.contains("name=x  count=3  mean=inf  std=-  min=1  max=inf"), ran.out.constData());
        QVERIFY2(ran.out.contains("min=-inf  max=3"), ran.out.constData());
    }

    // An output that is a device, a FIFO or a folder, directly or through a symlink, is refused before the
    // run: an atomic save would have renamed a new file over the node (as root: /dev/full replaced). (No
    // device here: a regression would replace it.)
    void outputsThatAreNotFiles()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifo = dir.filePath(u"pipe.csv"_s);
        QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
        const QString link = dir.filePath(u"link.json"_s);
        QVERIFY(QFile::link(fifo, link));
        const QString folder = dir.filePath(u"folder.npy"_s);
        QVERIFY(QDir().mkpath(folder));
        const QList<std::pair<QString, QByteArray>> cases{{fifo, "is a FIFO (named pipe), not a file"},
                                                          {link, "is a FIFO (named pipe), not a file"},
                                                          {folder, "is a folder, not a file"}};
        for (const auto &[output, reason] : cases)
            refused({u"run"_s, u"scale"_s, u"--rows"_s, u"10"_s, u"--output"_s, output}, reason);
        QVERIFY(QFileInfo(link).isSymLink());
        QVERIFY(!QFileInfo(fifo).isFile());
    }

    // A registry directory another user made first (or one others can write into) is refused with a clear
    // message, never trusted or followed; commands that need no segment still work.
    void aRegistryOfSomeoneElseIsRefused()
    {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString registry = tmp.filePath(u"brigade-%1"_s.arg(::getuid()));
        QVERIFY(QDir().mkpath(registry));
        if (::getuid() == 0)
            QVERIFY(::chown(QFile::encodeName(registry).constData(), 65534, 65534) == 0); // nobody's
        else
            QVERIFY(QFile::setPermissions(registry, QFileDevice::Permissions(0x7777)));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"TMPDIR"_s, tmp.path());
        env.remove(u"XDG_RUNTIME_DIR"_s);
        const auto run = [&](const QStringList &args) {
            QProcess brigade;
            brigade.setProcessEnvironment(env);
            brigade.start(brigadeProgram(), args);
            if (!brigade.waitForFinished(20000))
                qFatal("brigade did not end within 20 s");
            return std::pair{brigade.exitStatus() == QProcess::NormalExit ? brigade.exitCode() : -1,
                             brigade.readAllStandardError()};
        };
        const auto [code, err] = run({u"run"_s, u"stats"_s, u"--rows"_s, u"10"_s});
        QVERIFY2(code == 2, err.constData());
        QVERIFY2(err.contains(QFile::encodeName(registry)) &&
                     err.contains(::getuid() == 0 ? "belongs to another user (uid 65534)"
                                                  : "can be written by other users"),
                 err.constData());
        QVERIFY(QDir(registry).isEmpty());
        QCOMPARE(run({u"run"_s, u"primes"_s, u"--start"_s, u"0"_s, u"--end"_s, u"100"_s}).first, 0);
        QCOMPARE(run({u"jobs"_s}).first, 0);
    }

    // `cleanup --dry-run` changes nothing, and no command but `run` (and `cleanup`) reclaims: a leftover
    // stays until then, and the run says what it reclaimed.
    void dryRunChangesNothing()
    {
        QProcess gone; // a pid that is surely over
        gone.start(u"true"_s);
        QVERIFY(gone.waitForFinished(10000));
        const qint64 deadPid = gone.processId() > 0 ? gone.processId() : 999999;
        QVERIFY(SegmentRegistry::prepare().ok());
        const QString leftover =
            SegmentRegistry::directory() + u"/%1-00000000deadbeef.seg"_s.arg(deadPid > 0 ? deadPid : 999999);
        QFile key(leftover);
        QVERIFY(key.open(QIODevice::WriteOnly));
        key.close();
        const Ran dry = runBrigade({u"cleanup"_s, u"--dry-run"_s});
        QCOMPARE(dry.exitCode, 0);
        QVERIFY2(dry.out.contains(QByteArray("would remove " + QFile::encodeName(leftover))),
                 dry.out.constData());
        QVERIFY(QFile::exists(leftover));
        QCOMPARE(runBrigade({u"jobs"_s}).exitCode, 0);
        QCOMPARE(runBrigade({u"inspect"_s, leftover}).exitCode, 3); // an empty file: not a dataset
        QVERIFY(QFile::exists(leftover));
        const Ran run = runBrigade({u"run"_s, u"primes"_s, u"--start"_s, u"0"_s, u"--end"_s, u"100"_s});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.err.contains("reclaimed 1 leftover segment(s) of runs that were killed"),
                 run.err.constData());
        QVERIFY(!QFile::exists(leftover));
    }
};

QTEST_GUILESS_MAIN(TestHostile)
#include "tst_hostile.moc"
