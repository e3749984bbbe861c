// Output files: a write that fails is an output error (exit code 4) that names the system's reason, and
// leaves no file behind.
#include "core/base/result.h"
#include "core/data/sharedarray.h"
#include "core/store/writers.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

QString reasonOf(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}

struct Ran {
    int exitCode = -1;
    QByteArray err;
};

// The CLI with the file size limit at `fileSizeLimit` bytes (0: none), so that a write fails with EFBIG as
// a full disk fails with ENOSPC, after the file was opened.
Ran runBrigade(const QStringList &args, rlim_t fileSizeLimit = 0)
{
    QProcess p;
    if (fileSizeLimit > 0)
        p.setChildProcessModifier([fileSizeLimit] {
            ::signal(SIGXFSZ, SIG_IGN); // the write fails with EFBIG instead of the process being killed
            const rlimit limit{fileSizeLimit, fileSizeLimit};
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
    p.start(QStringLiteral(BRIGADE_CLI), args);
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        qFatal("brigade %s did not finish in time", qPrintable(args.join(u' ')));
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardError()};
}

QStringList entriesOf(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden);
}

// Lowers this process's file size limit for its lifetime (SIGXFSZ ignored), then restores it.
class FileSizeLimit
{
public:
    explicit FileSizeLimit(rlim_t bytes)
    {
        ::getrlimit(RLIMIT_FSIZE, &m_old);
        m_oldHandler = ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{bytes, m_old.rlim_max};
        ::setrlimit(RLIMIT_FSIZE, &limit);
    }
    ~FileSizeLimit()
    {
        ::setrlimit(RLIMIT_FSIZE, &m_old);
        ::signal(SIGXFSZ, m_oldHandler);
    }

private:
    rlimit m_old{};
    void (*m_oldHandler)(int) = nullptr;
};

} // namespace

class TestOutput final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void resultVoid()
    {
        const Result<void> fine;
        QVERIFY(fine.ok());
        QVERIFY(bool(fine));
        const Result<void> failed = Failure{FailureCode::Output, u"cannot write: why"_s, u"f.csv"_s};
        QVERIFY(!failed.ok());
        QVERIFY(!failed);
        QCOMPARE(failed.failure().code, FailureCode::Output);
        QCOMPARE(failed.failure().describe(), u"f.csv: cannot write: why"_s);
        QCOMPARE(exitcode::Output, 4);
    }

    // A folder nobody may create files in, root included: the open fails, and the message says why.
    void unwritableFolderNamesTheReason_data()
    {
        QTest::addColumn<QString>("path");
        QTest::newRow("/sys") << u"/sys/brigade-output-test.json"_s;
        QTest::newRow("/proc/sys") << u"/proc/sys/brigade-output-test.csv"_s;
    }
    void unwritableFolderNamesTheReason()
    {
        QFETCH(QString, path);
        const auto written = writeJson(path, QCborMap{{u"x"_s, 1}});
        QVERIFY(!written);
        QCOMPARE(written.failure().code, FailureCode::Output);
        QCOMPARE(written.failure().file, path);
        QVERIFY2(written.failure().message == u"cannot write: "_s + reasonOf(EACCES),
                 qPrintable(written.failure().describe()));
        QVERIFY(!QFile::exists(path));
    }

    // A folder that refuses new files: mode 0555 for a user; for root, who is let through that, a "folder"
    // that is a regular file. Either way the reason is the system's and nothing is left behind.
    void readOnlyFolder()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(u"ro"_s);
        int expected = EACCES;
        if (::geteuid() == 0) {
            QFile file(folder);
            QVERIFY(file.open(QIODevice::WriteOnly));
            expected = ENOTDIR;
        } else {
            QVERIFY(QDir().mkdir(folder));
            QVERIFY(QFile::setPermissions(folder, QFile::ReadOwner | QFile::ExeOwner | QFile::ReadGroup |
                                                      QFile::ExeGroup | QFile::ReadOther | QFile::ExeOther));
        }
        const auto written = writeCsvRows(folder + u"/t.csv"_s, {u"a"_s}, {QCborArray{1}});
        QVERIFY(!written);
        QCOMPARE(written.failure().code, FailureCode::Output);
        QVERIFY2(written.failure().message.endsWith(reasonOf(expected)),
                 qPrintable(written.failure().message));
        if (expected == EACCES)
            QVERIFY(entriesOf(folder).isEmpty());
        else
            QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden | QDir::System),
                     QStringList{u"ro"_s});
    }

    // A write that fails once the file is open (a full disk, here the file size limit): the reason is the
    // write's, and neither the file nor its temporary is left.
    void failedWriteNamesTheReason()
    {
        QTemporaryDir dir;
        auto array = SharedArray::create(Dtype::Float64, 100000, 2, {u"a"_s, u"b"_s});
        QVERIFY(array.ok());
        array->matrix<double>().setConstant(0.123456789);
        const QString csv = dir.filePath(u"big.csv"_s);
        const QString npy = dir.filePath(u"big.npy"_s);
        Result<void> csvWritten, npyWritten;
        {
            const FileSizeLimit limit(64 * 1024);
            csvWritten = writeArrayCsv(csv, *array);
            npyWritten = writeResult(npy, QCborMap{{resultKindKey(), resultKindName(ResultKind::Array)}},
                                     ResultData{&*array, nullptr});
        }
        QVERIFY(!csvWritten);
        QCOMPARE(csvWritten.failure().code, FailureCode::Output);
        QVERIFY2(csvWritten.failure().message == u"cannot write: "_s + reasonOf(EFBIG),
                 qPrintable(csvWritten.failure().describe()));
        QVERIFY(!npyWritten);
        QCOMPARE(npyWritten.failure().code, FailureCode::Output);
        QVERIFY2(npyWritten.failure().message.contains(reasonOf(EFBIG)),
                 qPrintable(npyWritten.failure().describe()));
        QCOMPARE(entriesOf(dir.path()), QStringList());
    }

    // The command line: exit code 4 and the reason, for an open that fails and for a write that fails.
    void cliExitsWithTheOutputCode()
    {
        const Ran denied = runBrigade({u"run"_s, u"stats"_s, u"--rows"_s, u"100"_s, u"--output"_s,
                                       u"/sys/brigade-output-test.csv"_s, u"--quiet"_s});
        QCOMPARE(denied.exitCode, exitcode::Output);
        QVERIFY2(denied.err.contains("/sys/brigade-output-test.csv") &&
                     denied.err.contains(reasonOf(EACCES).toLocal8Bit()),
                 denied.err.constData());

        QTemporaryDir dir;
        const QString out = dir.filePath(u"scaled.csv"_s);
        const Ran full = runBrigade({u"run"_s, u"scale"_s, u"--rows"_s, u"300000"_s, u"--output"_s, out,
                                     u"--workers"_s, u"2"_s, u"--quiet"_s},
                                    256 * 1024);
        QCOMPARE(full.exitCode, exitcode::Output);
        QVERIFY2(full.err.contains(out.toLocal8Bit()) && full.err.contains(reasonOf(EFBIG).toLocal8Bit()),
                 full.err.constData());
        QCOMPARE(entriesOf(dir.path()), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestOutput)
#include "tst_output.moc"
