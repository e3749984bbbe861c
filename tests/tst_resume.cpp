// Durable runs: the CLI SIGKILLed at random moments of a run, then resumed from its journal, gives exactly
// the bytes an uninterrupted run writes; so does a journal cut at a random byte or with a byte flipped; a
// changed input is refused; Ctrl-C says how to resume; a run still going cannot be resumed twice; the
// joblog is GNU parallel's. Real CLI, real workers, real files; the moments come from a seed printed first.
#include "core/store/runjournal.h"
#include "helpers/cliprocess.h"
#include "helpers/procfs.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

namespace {

#ifdef BRIGADE_SANITIZED
constexpr qint64 Scale = 8; // the sanitizers run about ten times slower: smaller inputs, the same moments
#else
constexpr qint64 Scale = 1;
#endif

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString journalDir()
{
    return RunJournal::defaultDirectory();
}

// The values 0.25·i + 1/3 as a float64 .npy, written by numpy's format (version 1.0 header).
QString writeNpy(const QString &path, qint64 rows)
{
    QByteArray header =
        "{'descr': '<f8', 'fortran_order': False, 'shape': (" + QByteArray::number(rows) + ",), }";
    while ((10 + header.size() + 1) % 64 != 0)
        header += ' ';
    header += '\n';
    QByteArray bytes("\x93NUMPY\x01\x00", 8);
    bytes += char(header.size() & 0xff);
    bytes += char(header.size() >> 8);
    bytes += header;
    const qsizetype at = bytes.size();
    bytes.resize(at + rows * 8);
    auto *x = reinterpret_cast<double *>(bytes.data() + at);
    for (qint64 i = 0; i < rows; ++i)
        x[i] = double(i) * 0.25 + 1.0 / 3.0;
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        return {};
    return path;
}

struct Case {
    QString name;
    QStringList args; // without --output
    QString output;   // file name of the output inside the test's folder
};

class TestResume : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    quint32 m_seed = 0;
    QString path(const QString &name) const { return m_dir.filePath(name); }

    // Starts `args`, waits until its journal exists, then SIGKILLs the CLI `atMs` later (unless it ended
    // first; atMs < 0: never). Returns the journal's id, or empty when the run ended before the kill;
    // `journalledMs`: how long the run went on once its journal existed.
    QString startAndKill(const QStringList &args, int atMs, qint64 *killedPid = nullptr,
                         int *journalledMs = nullptr)
    {
        const QStringList before = RunJournal::list(journalDir());
        QProcess p;
        p.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        p.start(brigadeProgram(), args);
        if (!p.waitForStarted(10000))
            qFatal("brigade did not start");
        QString journal;
        const bool appeared = QTest::qWaitFor(
            [&] {
                for (const QString &j : RunJournal::list(journalDir()))
                    if (!before.contains(j))
                        journal = j;
                return !journal.isEmpty() || p.state() == QProcess::NotRunning;
            },
            60000);
        if (!appeared)
            qFatal("no journal appeared within a minute");
        QElapsedTimer since;
        since.start();
        if (!QTest::qWaitFor(
                [&] { return p.state() == QProcess::NotRunning || (atMs >= 0 && since.elapsed() >= atMs); },
                300000))
            qFatal("the moment never came");
        if (journalledMs)
            *journalledMs = int(since.elapsed());
        const qint64 pid = p.processId();
        const QList<qint64> workers = workerChildrenOf(pid, false);
        const bool killed = p.state() != QProcess::NotRunning;
        if (killed)
            ::kill(pid_t(pid), SIGKILL);
        if (p.state() != QProcess::NotRunning && !p.waitForFinished(30000))
            qFatal("a killed brigade did not end");
        if (killedPid)
            *killedPid = pid;
        // Its workers go with it (PDEATHSIG).
        for (qint64 worker : workers)
            if (!QTest::qWaitFor([&] { return processGone(worker); }, 10000))
                qFatal("a worker of the killed brigade lives on");
        if (!killed || !QFile::exists(journal))
            return {};
        return QFileInfo(journal).completeBaseName();
    }

    // The uninterrupted run of a case: its output bytes, and how long it ran once its journal existed (ms).
    std::pair<QByteArray, int> reference(const Case &c)
    {
        const QString out = path(u"ref-"_s + c.output);
        int ms = 0;
        startAndKill(c.args + QStringList{u"--output"_s, out, u"--quiet"_s}, -1, nullptr, &ms);
        const QByteArray bytes = readAll(out);
        if (bytes.isEmpty())
            qFatal("the reference run wrote nothing");
        return {bytes, ms};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_seed = qEnvironmentVariableIsSet("BRIGADE_TEST_SEED")
                     ? qEnvironmentVariableIntValue("BRIGADE_TEST_SEED")
                     : QRandomGenerator::global()->generate();
        qInfo("seed %u (BRIGADE_TEST_SEED replays it)", m_seed);
        QVERIFY(!writeNpy(path(u"in.npy"_s), 6'500'000 / Scale).isEmpty());
    }

    // SIGKILL of the CLI at 20 random moments (10 of an ordered list, 10 of an in-place transform whose
    // journal holds the rows it wrote), each resumed: the output is byte for byte the uninterrupted one.
    void sigkillAtRandomMomentsThenResume_data()
    {
        QTest::addColumn<int>("which");
        QTest::newRow("primes list (ordered, from the journalled values)") << 0;
        QTest::newRow("scale in place (from the journalled rows)") << 1;
    }
    void sigkillAtRandomMomentsThenResume()
    {
        QFETCH(int, which);
        const Case c = which == 0
                           ? Case{u"primes"_s,
                                  {u"run"_s, u"primes"_s, u"--start"_s, u"1"_s, u"--end"_s,
                                   QString::number(20'000'000 / Scale), u"--workers"_s, u"2"_s},
                                  u"primes.txt"_s}
                           : Case{u"scale"_s,
                                  {u"run"_s, u"scale"_s, u"--input"_s, path(u"in.npy"_s), u"--chunk-size"_s,
                                   QString::number(20000 / Scale), u"--workers"_s, u"2"_s},
                                  u"scaled.npy"_s};
        const auto [expected, ms] = reference(c);
        QVERIFY(!expected.isEmpty());
        QRandomGenerator random(m_seed + quint32(which));
        int resumedWithWork = 0;
        for (int k = 0; k < 10; ++k) {
            const QString out = path(u"%1-%2"_s.arg(k).arg(c.output));
            QString id;
            qint64 pid = 0;
            for (int draw = 0; draw < 5 && id.isEmpty(); ++draw) { // a moment after the run's end: draw again
                QFile::remove(out);
                id = startAndKill(c.args + QStringList{u"--output"_s, out, u"--quiet"_s},
                                  int(random.bounded(std::max(ms * 8 / 10, 1))), &pid);
            }
            QVERIFY2(!id.isEmpty(), "every moment drawn came after the run's end");
            QVERIFY2(!QFile::exists(out), "a killed run wrote its output");
            const Ran resumed = runBrigade({u"run"_s, u"--resume"_s, id, u"--json"_s}, 300000);
            QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
            QCOMPARE(resumed.json()[u"status"_s].toString(), u"ok"_s);
            if (resumed.json()[u"resumed_items"_s].toInteger() > 0)
                ++resumedWithWork;
            QVERIFY2(readAll(out) == expected,
                     qPrintable(u"run %1 killed at moment %2 resumed to other bytes"_s.arg(id).arg(k)));
            QVERIFY2(!QFile::exists(RunJournal::pathOf(journalDir(), id)), "a finished run kept its journal");
            QVERIFY2(segmentsOf(pid).isEmpty(), "the killed run's segments were not reclaimed by the resume");
            QFile::remove(out);
        }
        // Most moments fall after some work was journalled (the first ones may fall before any).
        QVERIFY2(resumedWithWork >= 5,
                 qPrintable(u"only %1 of 10 resumes had journalled work"_s.arg(resumedWithWork)));
    }

    // A journal cut at a random byte (a torn write) or with a byte flipped still resumes to the same bytes:
    // what follows the damage is computed again.
    void tornOrCorruptJournalResumes()
    {
        const Case c{u"primes"_s,
                     {u"run"_s, u"primes"_s, u"--start"_s, u"1"_s, u"--end"_s,
                      QString::number(20'000'000 / Scale), u"--workers"_s, u"2"_s},
                     u"torn.txt"_s};
        const auto [expected, ms] = reference(c);
        QRandomGenerator random(m_seed + 7);
        for (int k = 0; k < 6; ++k) {
            const QString out = path(c.output);
            QString id;
            for (int draw = 0; draw < 5 && id.isEmpty(); ++draw)
                id = startAndKill(c.args + QStringList{u"--output"_s, out, u"--quiet"_s},
                                  int(ms / 4 + random.bounded(std::max(ms / 2, 1))));
            QVERIFY(!id.isEmpty());
            const QString journal = RunJournal::pathOf(journalDir(), id);
            QByteArray bytes = readAll(journal);
            QVERIFY(bytes.size() > 64);
            const qsizetype at = 64 + qsizetype(random.bounded(quint32(bytes.size() - 64)));
            if (k % 2 == 0)
                bytes.truncate(at); // torn
            else
                bytes[at] = char(bytes[at] ^ 0x5a); // corrupt
            QFile f(journal);
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(bytes);
            f.close();
            const Ran resumed = runBrigade({u"run"_s, u"--resume"_s, id, u"--quiet"_s}, 300000);
            QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
            QVERIFY2(readAll(out) == expected,
                     qPrintable(u"damaged at byte %1 (%2)"_s.arg(at).arg(k % 2 ? u"flip"_s : u"cut"_s)));
            QFile::remove(out);
        }
    }

    // A resume over an input that changed since the run started is refused (exit 3), saying what changed;
    // the journal stays for when the input is put back.
    void changedInputIsRefused()
    {
        const QString input = writeNpy(path(u"changing.npy"_s), 6'500'000 / Scale);
        const QStringList args{u"run"_s,          u"scale"_s, u"--input"_s,  input,
                               u"--chunk-size"_s, u"5000"_s,  u"--output"_s, path(u"changing-out.npy"_s)};
        QString id;
        for (int atMs = 50; atMs < 5000 && id.isEmpty(); atMs *= 2)
            id = startAndKill(args, atMs);
        QVERIFY(!id.isEmpty());
        struct stat st {
        };
        QVERIFY(::stat(QFile::encodeName(input).constData(), &st) == 0);
        { // one byte of the first MiB, with the size and the modification time kept: only the hash sees it
            QFile f(input);
            QVERIFY(f.open(QIODevice::ReadWrite));
            f.seek(1000);
            f.write("\x01", 1);
        }
        const struct timespec times[2] = {st.st_atim, st.st_mtim};
        QVERIFY(::utimensat(AT_FDCWD, QFile::encodeName(input).constData(), times, 0) == 0);
        Ran resumed = runBrigade({u"run"_s, u"--resume"_s, id}, 60000);
        QCOMPARE(resumed.exitCode, 3);
        QVERIFY2(resumed.err.contains("changed since it started") && resumed.err.contains("hash"),
                 resumed.err.constData());
        QVERIFY(QFile::exists(RunJournal::pathOf(journalDir(), id)));
        { // a longer file: the size says it
            QFile f(input);
            QVERIFY(f.open(QIODevice::Append));
            f.write("more");
        }
        resumed = runBrigade({u"run"_s, u"--resume"_s, id}, 60000);
        QCOMPARE(resumed.exitCode, 3);
        QVERIFY2(resumed.err.contains("size changed"), resumed.err.constData());
        QVERIFY(!QFile::exists(path(u"changing-out.npy"_s)));
    }

    // Ctrl-C: the run stops (exit 130), says how to resume, and the resume completes it.
    void interruptedRunSaysHowToResume()
    {
        const QString out = path(u"interrupted.txt"_s);
        const QStringList args{u"run"_s,      u"primes"_s, u"--start"_s,
                               u"1"_s,        u"--end"_s,  QString::number(60'000'000 / Scale),
                               u"--output"_s, out};
        const Ran ran = runBrigade(args, 300000, 300);
        if (ran.exitCode == 0)
            QSKIP("the run ended before the interrupt reached it");
        QCOMPARE(ran.exitCode, 130);
        const QRegularExpression hint(u"can be resumed: brigade run --resume (\\S+)"_s);
        const auto match = hint.match(QString::fromUtf8(ran.err));
        QVERIFY2(match.hasMatch(), ran.err.constData());
        QVERIFY(!QFile::exists(out));
        const Ran resumed = runBrigade({u"run"_s, u"--resume"_s, u"last"_s, u"--quiet"_s}, 300000);
        QVERIFY2(resumed.exitCode == 0, resumed.err.constData());
        QVERIFY(!QFile::exists(RunJournal::pathOf(journalDir(), match.captured(1))));
        const Ran whole = runBrigade(QStringList(args.mid(0, 6)) << u"--quiet"_s, 300000);
        QCOMPARE(resumed.out, whole.out); // the same count
    }

    // A run still going holds its journal: a second process cannot continue it at the same time.
    void runningRunCannotBeResumedTwice()
    {
        const QStringList before = RunJournal::list(journalDir());
        QProcess p;
        p.start(brigadeProgram(), {u"run"_s, u"risky"_s, u"--items"_s, u"40"_s, u"--delay-ms"_s, u"100"_s,
                                   u"--chunk-size"_s, u"1"_s, u"--workers"_s, u"1"_s, u"--quiet"_s});
        QVERIFY(p.waitForStarted(10000));
        QString journal;
        QVERIFY(QTest::qWaitFor(
            [&] {
                for (const QString &j : RunJournal::list(journalDir()))
                    if (!before.contains(j))
                        journal = j;
                return !journal.isEmpty();
            },
            30000));
        const Ran second =
            runBrigade({u"run"_s, u"--resume"_s, QFileInfo(journal).completeBaseName()}, 60000);
        QCOMPARE(second.exitCode, 2);
        QVERIFY2(second.err.contains("still going"), second.err.constData());
        p.kill();
        QVERIFY(p.waitForFinished(10000));
    }

    void unknownRunIdIsAUsageError()
    {
        const Ran ran = runBrigade({u"run"_s, u"--resume"_s, u"19990101-000000-dead"_s}, 30000);
        QCOMPARE(ran.exitCode, 2);
        QVERIFY2(ran.err.contains("no interrupted run 19990101-000000-dead"), ran.err.constData());
        const Ran extra = runBrigade({u"run"_s, u"--resume"_s, u"last"_s, u"--workers"_s, u"3"_s}, 30000);
        QCOMPARE(extra.exitCode, 2);
    }

    // --joblog: GNU parallel's header and a line per task, nine tab-separated fields, Exitval 1 for a task
    // that failed.
    void joblogIsGnuParallels()
    {
        const QString log = path(u"joblog.tsv"_s);
        const Ran ran =
            runBrigade({u"run"_s, u"risky"_s, u"--items"_s, u"20"_s, u"--fail-at"_s, u"5"_s,
                        u"--chunk-size"_s, u"1"_s, u"--retries"_s, u"0"_s, u"--joblog"_s, log, u"--quiet"_s},
                       60000);
        QCOMPARE(ran.exitCode, 1);
        const QList<QByteArray> lines = readAll(log).trimmed().split('\n');
        QCOMPARE(lines.first(), "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand");
        QCOMPARE(lines.size(), 21);
        int failed = 0;
        for (const QByteArray &line : lines.mid(1)) {
            const QList<QByteArray> fields = line.split('\t');
            QCOMPARE(fields.size(), 9);
            bool ok = false;
            QVERIFY(fields[2].toDouble(&ok) > 1.7e9 && ok);
            QVERIFY(fields[3].trimmed().toDouble(&ok) >= 0 && ok);
            failed += fields[6] == "1";
        }
        QCOMPARE(failed, 1);
    }
};

} // namespace

QTEST_GUILESS_MAIN(TestResume)
#include "tst_resume.moc"
