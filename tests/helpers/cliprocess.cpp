// Runs the brigade CLI as a child process and samples its memory and its workers' while it runs.
#include "helpers/cliprocess.h"

#include "helpers/procfs.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>

#include <csignal>

using namespace Qt::StringLiterals;

namespace testhelpers {

QJsonObject Ran::json() const
{
    return QJsonDocument::fromJson(out).object();
}

QString brigadeProgram()
{
    return QStringLiteral(BRIGADE_CLI);
}

Ran runBrigade(const QStringList &args, int timeoutMs, int interruptAfterMs)
{
    QProcess p;
    p.start(brigadeProgram(), args);
    if (!p.waitForStarted(10000))
        qFatal("brigade did not start: %s", qPrintable(p.errorString()));
    Ran ran;
    ran.pid = p.processId();
    QElapsedTimer clock;
    clock.start();
    QList<qint64> children;
    qint64 lastScan = -1000;
    bool interrupted = false;
    while (!p.waitForFinished(5)) {
        if (clock.elapsed() - lastScan >= 50) { // a scan of /proc costs more than a sample
            children = childrenOf(ran.pid);
            lastScan = clock.elapsed();
        }
        qint64 sum = rssOf(ran.pid);
        for (qint64 child : children)
            sum += rssOf(child);
        ran.peakRss = std::max(ran.peakRss, sum);
        if (interruptAfterMs >= 0 && !interrupted && clock.elapsed() >= interruptAfterMs) {
            ::kill(pid_t(ran.pid), SIGINT);
            interrupted = true;
        }
        if (clock.elapsed() > timeoutMs) {
            p.kill();
            p.waitForFinished();
            qFatal("brigade %s did not finish in time", qPrintable(args.join(u' ')));
        }
    }
    ran.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    ran.out = p.readAllStandardOutput();
    ran.err = p.readAllStandardError();
    return ran;
}

} // namespace testhelpers
