// Process and segment facts read from /proc and kill(2), shared by the process tests.
#include "helpers/procfs.h"

#include "core/data/segmentregistry.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <csignal>
#include <functional>

using namespace Qt::StringLiterals;

namespace testhelpers {

namespace {

struct Stat {
    QByteArray comm;
    char state = 0;
    qint64 ppid = -1;
};

// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
bool readStat(qint64 pid, Stat *stat)
{
    QFile file(u"/proc/%1/stat"_s.arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = file.readAll();
    const qsizetype open = line.indexOf('(');
    const qsizetype close = line.lastIndexOf(')');
    if (open < 0 || close < open || line.size() < close + 3)
        return false;
    stat->comm = line.mid(open + 1, close - open - 1);
    const QList<QByteArray> rest = line.mid(close + 2).split(' ');
    stat->state = rest.value(0).isEmpty() ? char(0) : rest.value(0).front();
    stat->ppid = rest.value(1).toLongLong();
    return true;
}

QList<qint64> pidsWhere(const std::function<bool(const Stat &)> &keep)
{
    QList<qint64> found;
    for (const QString &entry : QDir(u"/proc"_s).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        Stat stat;
        if (numeric && readStat(pid, &stat) && keep(stat))
            found << pid;
    }
    return found;
}

} // namespace

qint64 rssOf(qint64 pid)
{
    QFile f(u"/proc/%1/status"_s.arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong() * 1024;
    return 0;
}

QList<qint64> childrenOf(qint64 parent)
{
    return pidsWhere([parent](const Stat &s) { return s.ppid == parent; });
}

QList<qint64> workerChildrenOf(qint64 parent, bool withZombies)
{
    return pidsWhere([parent, withZombies](const Stat &s) {
        return s.ppid == parent && s.comm == "brigade-worker" && (withZombies || s.state != 'Z');
    });
}

QStringList workerPidsOf(qint64 parent)
{
    QStringList names;
    for (qint64 pid : workerChildrenOf(parent, false))
        names << QString::number(pid);
    return names;
}

bool processRunning(qint64 pid)
{
    Stat stat;
    return readStat(pid, &stat) && stat.state != 'Z' && stat.state != 'X';
}

bool processRunning(const QString &pid)
{
    bool numeric = false;
    const qint64 n = pid.toLongLong(&numeric);
    return numeric && processRunning(n);
}

bool processGone(qint64 pid)
{
    if (::kill(pid_t(pid), 0) != 0)
        return errno == ESRCH;
    Stat stat;
    return !readStat(pid, &stat) || stat.state == 'Z';
}

bool processReaped(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == -1 && errno == ESRCH;
}

bool processAlive(qint64 pid)
{
    return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno == EPERM);
}

int systemSegmentCount()
{
    QFile shm(u"/proc/sysvipc/shm"_s);
    if (!shm.open(QIODevice::ReadOnly))
        return -1;
    return int(shm.readAll().trimmed().count('\n')); // a header line, then one line a segment
}

QStringList segmentsOf(qint64 pid)
{
    return QDir(brigade::SegmentRegistry::directory())
        .entryList({QString::number(pid) + u"-*"_s}, QDir::Files | QDir::System);
}

} // namespace testhelpers
