// The command-line contract: output, JSON, exit codes and messages, interruption, cleanup.
#include "brigade/version.h"
#include "core/data/segmentregistry.h"
#include "helpers/cliprocess.h"
#include "helpers/procfs.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <csignal>

using namespace Qt::StringLiterals;

using namespace testhelpers;

class TestCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void version()
    {
        const Ran r = runBrigade({u"--version"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("brigade " BRIGADE_VERSION));
    }

    void jobsJson()
    {
        const Ran r = runBrigade({u"jobs"_s, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray jobs = QJsonDocument::fromJson(r.out).array();
        QStringList names;
        for (const auto &j : jobs)
            names << j.toObject().value(u"name"_s).toString();
        for (const QString &expected : {u"primes"_s, u"scale"_s, u"stats"_s, u"risky"_s})
            QVERIFY2(names.contains(expected), qPrintable(names.join(u' ')));
    }

    void primesJson()
    {
        const Ran r = runBrigade({u"run"_s, u"primes"_s, u"--start"_s, u"10000"_s, u"--end"_s, u"100000"_s,
                                  u"--workers"_s, u"2"_s, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(u"job"_s).toString(), u"primes"_s);
        QCOMPARE(o.value(u"status"_s).toString(), u"ok"_s);
        QCOMPARE(o.value(u"result"_s).toObject().value(u"count"_s).toInteger(), 8363);
        QCOMPARE(o.value(u"workers"_s).toInt(), 2);
        QVERIFY(o.value(u"tasks"_s).toInt() >= 1);
        QVERIFY(o.value(u"elapsed_s"_s).toDouble() > 0);
        QVERIFY(o.value(u"errors"_s).toArray().isEmpty());
    }

    void humanSummary()
    {
        const Ran r = runBrigade(
            {u"run"_s, u"primes"_s, u"--end=20000"_s, u"--unordered"_s, u"--chunk-size"_s, u"100"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("count: 1033"), r.out.constData());
        QVERIFY(r.err.isEmpty()); // no TTY: no progress bar
    }

    // --quiet drops the chatter (the summary line), never the result that was asked for.
    void quietPrintsTheResult()
    {
        const Ran r = runBrigade({u"run"_s, u"primes"_s, u"--end"_s, u"20000"_s, u"--quiet"_s});
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.out.contains("count: 1033"), r.out.constData());
        QVERIFY2(!r.out.contains("primes: ok"), r.out.constData());
        QVERIFY(r.err.isEmpty());
        const Ran stats = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, u":/samples/measurements.csv"_s,
                                      u"--workers"_s, u"2"_s, u"--quiet"_s});
        QCOMPARE(stats.exitCode, 0);
        QVERIFY2(stats.out.contains("mean="), stats.out.constData());
    }

    // --log FILE: every line a worker writes to stderr, tagged with the pid of the worker that wrote it.
    void logHoldsTheWorkersStderr()
    {
        QTemporaryDir dir;
        const QString log = dir.filePath(u"workers.log"_s);
        const Ran r = runBrigade({u"run"_s, u"risky"_s, u"--items"_s, u"4"_s, u"--fail-at"_s, u"3"_s,
                                  u"--mode"_s, u"hang"_s, u"--timeout"_s, u"1"_s, u"--retries"_s, u"0"_s,
                                  u"--workers"_s, u"1"_s, u"--log"_s, log});
        QCOMPARE(r.exitCode, 1); // the hung task was given up
        QFile file(log);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
        const auto hang = std::find_if(lines.begin(), lines.end(), [](const QString &line) {
            return line.contains(u"risky: hanging at item 3"_s);
        });
        QVERIFY2(hang != lines.end(), qPrintable(lines.join(u'\n')));
        bool numeric = false;
        QVERIFY(hang->section(u'\t', 0, 0).toLongLong(&numeric) > 0 && numeric);

        // A log that cannot be written stops the run before it starts, naming the file.
        const Ran bad = runBrigade(
            {u"run"_s, u"primes"_s, u"--end"_s, u"100"_s, u"--log"_s, dir.filePath(u"missing/dir/x.log"_s)});
        QCOMPARE(bad.exitCode, 4);
        QVERIFY2(bad.err.contains("missing/dir/x.log"), bad.err.constData());
    }

    // The help is generated from the specs: every run setting has its flag and help line.
    void helpListsEveryRunSetting()
    {
        const Ran r = runBrigade({u"--help"_s});
        QCOMPARE(r.exitCode, 0);
        for (const char *flag : {"--workers", "--chunk-size", "--ordered|--unordered", "--retries", "--halt",
                                 "--timeout", "--max-tasks-per-worker", "--memory-limit", "--on-bad-row",
                                 "--rows", "--cols", "--distribution", "--seed", "--output", "--quiet"})
            QVERIFY2(r.out.contains(flag), flag);
    }

    // A later flag overrides an earlier one, as before: --ordered then --unordered runs unordered.
    void laterFlagWins()
    {
        const Ran r = runBrigade({u"run"_s, u"primes"_s, u"--start"_s, u"0"_s, u"--end"_s, u"2000"_s,
                                  u"--workers"_s, u"3"_s, u"--workers=1"_s, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(u"workers"_s).toInt(), 1);
    }

    void statsOnTsvAndSample()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"d.tsv"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a\tb\n1\t10\n2\t20\n3\t30\n4\t40\n");
        f.close();
        const Ran r = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, path, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        const QJsonArray cols = r.json().value(u"result"_s).toObject().value(u"columns"_s).toArray();
        QCOMPARE(cols.size(), 2);
        QCOMPARE(cols[1].toObject().value(u"name"_s).toString(), u"b"_s);
        QCOMPARE(cols[1].toObject().value(u"mean"_s).toDouble(), 25.0);
        QCOMPARE(cols[0].toObject().value(u"std"_s).toDouble(), std::sqrt(5.0 / 3.0));
        QCOMPARE(cols[0].toObject().value(u"min"_s).toDouble(), 1.0);
        QCOMPARE(cols[0].toObject().value(u"max"_s).toDouble(), 4.0);
    }

    // Text columns are named in the result and left out; the numeric ones are unaffected by them.
    void statsSkipsTextColumns()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"mixed.csv"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("city,temp,note,rain\nOslo,3,\"cold, wet\",10\nRome,,mild,\nCairo,30,hot,0\n");
        f.close();
        const Ran r = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, path, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject result = r.json().value(u"result"_s).toObject();
        const QJsonArray cols = result.value(u"columns"_s).toArray();
        QCOMPARE(cols.size(), 2);
        QCOMPARE(cols[0].toObject().value(u"name"_s).toString(), u"temp"_s);
        QCOMPARE(cols[0].toObject().value(u"count"_s).toInt(), 2); // the empty cell is missing, not 0
        QCOMPARE(cols[0].toObject().value(u"mean"_s).toDouble(), 16.5);
        QCOMPARE(cols[1].toObject().value(u"name"_s).toString(), u"rain"_s);
        QCOMPARE(cols[1].toObject().value(u"mean"_s).toDouble(), 5.0);
        QCOMPARE(result.value(u"text_columns"_s).toArray(), (QJsonArray{u"city"_s, u"note"_s}));
    }

    void badRowsSkippedAndCounted()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"ragged.csv"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a,b\n1,2\n3\n4,5\n6,7,8\n9,10\n");
        f.close();
        const Ran refused = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, path});
        QCOMPARE(refused.exitCode, 3);
        QVERIFY2(refused.err.contains("ragged.csv:3:"), refused.err.constData());
        const Ran r =
            runBrigade({u"run"_s, u"stats"_s, u"--input"_s, path, u"--on-bad-row"_s, u"skip"_s, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject result = r.json().value(u"result"_s).toObject();
        QCOMPARE(result.value(u"skipped_rows"_s).toInt(), 2);
        QCOMPARE(result.value(u"columns"_s).toArray()[0].toObject().value(u"count"_s).toInt(), 3);
        QCOMPARE(result.value(u"columns"_s).toArray()[1].toObject().value(u"mean"_s).toDouble(), 17.0 / 3);
        QCOMPARE(
            runBrigade({u"run"_s, u"stats"_s, u"--input"_s, path, u"--on-bad-row"_s, u"maybe"_s}).exitCode,
            2);
    }

    void batchSumOfAColumn()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"t.csv"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("id,amount\n");
        double sum = 0;
        for (int i = 0; i < 5000; ++i) {
            f.write(QByteArray::number(i) + ',' + (i % 7 == 0 ? QByteArray() : QByteArray::number(i * 0.5)) +
                    '\n');
            sum += i % 7 == 0 ? 0 : i * 0.5;
        }
        f.close();
        const Ran r = runBrigade({u"run"_s, u"batch-sum"_s, u"--input"_s, path, u"--column"_s, u"amount"_s,
                                  u"--chunk-size"_s, u"100"_s, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject result = r.json().value(u"result"_s).toObject();
        QCOMPARE(result.value(u"sum"_s).toDouble(), sum);
        QCOMPARE(result.value(u"count"_s).toInt(), 5000 - 715);
        QCOMPARE(result.value(u"missing"_s).toInt(), 715);
        const Ran wrong =
            runBrigade({u"run"_s, u"batch-sum"_s, u"--input"_s, path, u"--column"_s, u"price"_s});
        QCOMPARE(wrong.exitCode, 2);
        QVERIFY2(wrong.err.contains("price"), wrong.err.constData());
    }

    void inspectCsv()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"m.csv"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("\xEF\xBB\xBFname;x;y\r\n\"a\r\nb\";1;2.5\r\nc;3;\r\n\r\nd;5;6\r\n");
        f.close();
        const Ran r = runBrigade({u"inspect"_s, path, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject info = r.json();
        QCOMPARE(info.value(u"kind"_s).toString(), u"csv"_s);
        QCOMPARE(info.value(u"delimiter"_s).toString(), u";"_s);
        QCOMPARE(info.value(u"header"_s).toBool(), true);
        QCOMPARE(info.value(u"shape"_s).toArray(), (QJsonArray{3, 2})); // 3 records, 2 numeric columns
        const QJsonArray cols = info.value(u"columns"_s).toArray();
        QCOMPARE(cols.size(), 3);
        QCOMPARE(cols[0].toObject().value(u"type"_s).toString(), u"text"_s);
        QCOMPARE(cols[2].toObject().value(u"type"_s).toString(), u"number"_s);
        QCOMPARE(info.value(u"preview"_s).toArray()[0].toArray()[0].toString(), u"a\r\nb"_s);
        QCOMPARE(info.value(u"memory"_s).toObject().value(u"shared_bytes"_s).toInt(), 3 * 2 * 8);
        QCOMPARE(info.value(u"bytes"_s).toInt(), int(QFileInfo(path).size()));

        const Ran human = runBrigade({u"inspect"_s, path});
        QCOMPARE(human.exitCode, 0);
        QVERIFY2(human.out.contains("delimiter \";\""), human.out.constData());
    }

    void inspectNpyAndErrors()
    {
        QTemporaryDir dir;
        const QString npy = dir.filePath(u"a.npy"_s);
        QFile f(npy);
        QVERIFY(f.open(QIODevice::WriteOnly));
        // A hand-made v1.0 header: (3, 2) int32 in C order.
        QByteArray header = "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 2), }";
        header.append(QByteArray(128 - 10 - header.size() - 1, ' ')).append('\n');
        f.write(QByteArray("\x93NUMPY\x01\x00", 8));
        const quint16 length = quint16(header.size());
        f.write(reinterpret_cast<const char *>(&length), 2);
        f.write(header);
        for (qint32 v : {1, 2, 3, 4, 5, 6})
            f.write(reinterpret_cast<const char *>(&v), 4);
        f.close();
        const Ran r = runBrigade({u"inspect"_s, npy, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(u"shape"_s).toArray(), (QJsonArray{3, 2}));
        QCOMPARE(r.json().value(u"columns"_s).toArray()[1].toObject().value(u"type"_s).toString(), u"<i4"_s);
        QCOMPARE(r.json().value(u"preview"_s).toArray()[2].toArray(), (QJsonArray{u"5"_s, u"6"_s}));

        const QString truncated = dir.filePath(u"short.npy"_s);
        QVERIFY(QFile::copy(npy, truncated));
        QVERIFY(QFile::resize(truncated, QFileInfo(npy).size() - 4));
        const Ran bad = runBrigade({u"inspect"_s, truncated});
        QCOMPARE(bad.exitCode, 3);
        QVERIFY2(bad.err.contains("short.npy") && bad.err.contains("truncated"), bad.err.constData());
        QCOMPARE(runBrigade({u"inspect"_s, dir.filePath(u"none.csv"_s)}).exitCode, 3);
        QCOMPARE(runBrigade({u"inspect"_s}).exitCode, 2);
    }

    void scaleOutputNpy()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(u"s.npy"_s);
        const Ran r = runBrigade({u"run"_s, u"scale"_s, u"--rows"_s, u"1000"_s, u"--factor"_s, u"2"_s,
                                  u"--output"_s, out, u"--json"_s});
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(r.json().value(u"result"_s).toObject().value(u"sum"_s).toDouble(), 999.0 * 1000.0);
        QCOMPARE(r.json().value(u"result"_s).toObject().value(u"rows"_s).toInt(), 1000);
        QVERIFY(QFileInfo(out).size() == 128 + 8000);
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown job") << QStringList{u"run"_s, u"nope"_s} << u"nope"_s;
        QTest::newRow("unknown flag")
            << QStringList{u"run"_s, u"primes"_s, u"--bogus"_s, u"1"_s} << u"--bogus"_s;
        QTest::newRow("bad integer") << QStringList{u"run"_s, u"primes"_s, u"--end"_s, u"ten"_s}
                                     << u"--end"_s;
        QTest::newRow("missing value") << QStringList{u"run"_s, u"primes"_s, u"--start"_s} << u"--start"_s;
        QTest::newRow("bad workers") << QStringList{u"run"_s, u"primes"_s, u"--workers"_s, u"0"_s}
                                     << u"--workers"_s;
        QTest::newRow("bad chunk") << QStringList{u"run"_s, u"primes"_s, u"--chunk-size"_s, u"-3"_s}
                                   << u"--chunk-size"_s;
        QTest::newRow("input needed") << QStringList{u"run"_s, u"stats"_s} << u"--input"_s;
        QTest::newRow("end before start")
            << QStringList{u"run"_s, u"primes"_s, u"--start"_s, u"9"_s, u"--end"_s, u"3"_s} << u"--end"_s;
        QTest::newRow("bad halt") << QStringList{u"run"_s, u"primes"_s, u"--halt"_s, u"maybe"_s}
                                  << u"--halt"_s;
        QTest::newRow("bad timeout") << QStringList{u"run"_s, u"primes"_s, u"--timeout"_s, u"-1"_s}
                                     << u"--timeout"_s;
        QTest::newRow("bad mode") << QStringList{u"run"_s, u"risky"_s, u"--mode"_s, u"explode"_s}
                                  << u"--mode"_s;
        QTest::newRow("unknown command") << QStringList{u"jobs"_s, u"--xml"_s} << u"--xml"_s;
    }

    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, mentions);
        const Ran r = runBrigade(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(mentions), r.err.constData());
    }

    void inputErrors_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("missing") << QByteArray() << u""_s << u"no such file"_s;
        QTest::newRow("ragged csv") << QByteArray("a,b\n1,2\n3\n") << u"bad.csv"_s << u"bad.csv:3:"_s;
        QTest::newRow("not npy") << QByteArray("hello") << u"bad.npy"_s << u"bad magic"_s;
    }

    void inputErrors()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, name);
        QFETCH(QString, mentions);
        QTemporaryDir dir;
        QString path = dir.filePath(u"missing.csv"_s);
        if (!name.isEmpty()) {
            path = dir.filePath(name);
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        const Ran r = runBrigade({u"run"_s, u"stats"_s, u"--input"_s, path});
        QCOMPARE(r.exitCode, 3);
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(path), r.err.constData());
        QVERIFY2(QString::fromLocal8Bit(r.err).contains(mentions), r.err.constData());
        // No segment of the run's own is left (the registry names each by its owner's pid; other tests
        // running at the same time own theirs).
        const QString own = QString::number(r.pid) + u'-';
        for (const QString &entry : QDir(brigade::SegmentRegistry::directory()).entryList(QDir::Files))
            QVERIFY2(!entry.startsWith(own), qPrintable(entry));
    }

    void failedTaskExitsOne()
    {
        const Ran r = runBrigade({u"run"_s, u"risky"_s, u"--items"_s, u"30"_s, u"--fail-at"_s, u"3"_s,
                                  u"--chunk-size"_s, u"1"_s, u"--json"_s});
        QCOMPARE(r.exitCode, 1);
        const QJsonObject o = r.json();
        QCOMPARE(o.value(u"status"_s).toString(), u"failed"_s);
        QCOMPARE(o.value(u"result"_s).toObject().value(u"sum"_s).toInteger(), 30 * 31 / 2 - 3);
        const QJsonArray errors = o.value(u"errors"_s).toArray();
        QVERIFY(!errors.isEmpty());
        QVERIFY(errors.last().toObject().value(u"trace"_s).toString().contains(u"throwAtItem"_s));
    }

    void interruptCancelsCleanly()
    {
        QTemporaryDir dir;
        const QString out = dir.filePath(u"primes.txt"_s);
        QProcess p;
        p.start(QStringLiteral(BRIGADE_CLI), {u"run"_s, u"risky"_s, u"--items"_s, u"1000"_s, u"--delay-ms"_s,
                                              u"20"_s, u"--workers"_s, u"2"_s, u"--output"_s, out});
        QVERIFY(p.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(workerPidsOf(p.processId()).size(), 2, 10000);
        const QStringList workers = workerPidsOf(p.processId());
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(5000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(!QFile::exists(out));
        for (const QString &pid : workers)
            QVERIFY2(!processRunning(pid), qPrintable(pid));
        QVERIFY(p.readAllStandardError().contains("interrupted"));
    }

    void killedCliLeavesNothingAfterNextStart()
    {
        const int segmentsBefore = systemSegmentCount();
        QVERIFY(segmentsBefore >= 0);
        QProcess p;
        p.start(QStringLiteral(BRIGADE_CLI),
                {u"run"_s, u"stats"_s, u"--rows"_s, u"2000000"_s, u"--workers"_s, u"2"_s, u"--chunk-size"_s,
                 u"1"_s, u"--quiet"_s}); // two million tasks: seconds of run, killed long before its end
        QVERIFY(p.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(workerPidsOf(p.processId()).size(), 2, 10000);
        const QStringList workers = workerPidsOf(p.processId());
        const QString prefix = QString::number(p.processId()) + u'-';
        auto leftovers = [&] {
            return QDir(brigade::SegmentRegistry::directory()).entryList({prefix + u"*"_s}, QDir::Files);
        };
        QCOMPARE(leftovers().size(), 1); // the run's dataset segment
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(5000));
        // Workers die with their parent (PR_SET_PDEATHSIG) within a second.
        for (const QString &pid : workers)
            QTRY_VERIFY_WITH_TIMEOUT(!processRunning(pid), 1000);
        // SIGKILL runs no cleanup in the parent; a worker that saw end-of-input first may have detached
        // last and so removed it, otherwise Qt 6.4 leaves it behind.
        // `cleanup --dry-run` lists what is left and changes nothing; the next run reclaims it, and says so.
        const QStringList left = leftovers();
        const Ran dry = runBrigade({u"cleanup"_s, u"--dry-run"_s});
        QCOMPARE(dry.exitCode, 0);
        for (const QString &key : left)
            QVERIFY2(dry.out.contains(QByteArray(
                         "would remove " +
                         QFile::encodeName(QDir(brigade::SegmentRegistry::directory()).filePath(key)))),
                     dry.out.constData());
        QCOMPARE(leftovers(), left);
        const Ran r = runBrigade({u"run"_s, u"primes"_s, u"--start"_s, u"0"_s, u"--end"_s, u"10"_s});
        QCOMPARE(r.exitCode, 0);
        if (!left.isEmpty())
            QVERIFY2(r.err.contains("reclaimed"), r.err.constData());
        QVERIFY2(leftovers().isEmpty(), qPrintable(leftovers().join(u' ')));
        QCOMPARE(systemSegmentCount(), segmentsBefore);
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
