// Reads utime+stime from /proc/<pid>/stat and resident pages from /proc/<pid>/statm.
#include "core/engine/procstat.h"

#include <QByteArray>
#include <QFile>

#include <unistd.h>

#include <algorithm>

namespace brigade {

namespace {

QByteArray readProcFile(const QByteArray &path)
{
    QFile f(QString::fromLatin1(path));
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return f.readAll(); // /proc files report no size: read to the end
}

qint64 clockTicksPerSecond()
{
    static const qint64 ticks = std::max<long>(::sysconf(_SC_CLK_TCK), 1);
    return ticks;
}

// Seconds since boot, from /proc/uptime.
double uptimeSeconds()
{
    const QByteArray text = readProcFile("/proc/uptime");
    bool ok = false;
    const double up = text.left(text.indexOf(' ')).toDouble(&ok);
    return ok ? up : -1;
}

} // namespace

std::optional<ProcStat> readProcStat(qint64 pid)
{
    if (pid <= 0)
        return std::nullopt;
    const QByteArray dir = "/proc/" + QByteArray::number(pid);
    const QByteArray stat = readProcFile(dir + "/stat");
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return std::nullopt;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    // After comm: state is field 3 of proc(5), so field n sits at index n - 3.
    constexpr int Utime = 14 - 3, Stime = 15 - 3, StartTime = 22 - 3;
    if (fields.size() <= StartTime)
        return std::nullopt;
    ProcStat result;
    result.cpuTicks = fields[Utime].toLongLong() + fields[Stime].toLongLong();
    result.startTicks = fields[StartTime].toLongLong();
    const QList<QByteArray> statm = readProcFile(dir + "/statm").split(' ');
    if (statm.size() < 2)
        return std::nullopt;
    static const qint64 pageSize = std::max<long>(::sysconf(_SC_PAGESIZE), 1);
    result.rssBytes = statm[1].toLongLong() * pageSize;
    return result;
}

ProcStatSampler::ProcStatSampler(int intervalMs)
    : m_intervalMs(intervalMs)
{
    m_clock.start();
}

void ProcStatSampler::sample(const QList<WorkerSnapshot> &workers)
{
    const qint64 now = m_clock.nsecsElapsed();
    std::unordered_map<qint64, Sample> next;
    for (const WorkerSnapshot &w : workers) {
        const std::optional<ProcStat> stat = readProcStat(w.pid);
        if (!stat)
            continue;
        Sample s{stat->cpuTicks, now, -1, stat->rssBytes};
        const auto previous = m_samples.find(w.pid);
        if (previous != m_samples.end() && now > previous->second.atNs) {
            const double cpuSeconds =
                double(s.cpuTicks - previous->second.cpuTicks) / double(clockTicksPerSecond());
            s.cpuPercent = 100.0 * cpuSeconds / (double(now - previous->second.atNs) / 1e9);
        } else if (const double up = uptimeSeconds(); up > 0) {
            const double lifetime = up - double(stat->startTicks) / double(clockTicksPerSecond());
            if (lifetime > 0)
                s.cpuPercent = 100.0 * double(s.cpuTicks) / double(clockTicksPerSecond()) / lifetime;
        }
        if (s.cpuPercent >= 0)
            s.cpuPercent = std::max(s.cpuPercent, 0.0);
        next.emplace(w.pid, s);
    }
    m_samples = std::move(next); // pids no longer listed are forgotten
    m_tried.clear();
    for (const WorkerSnapshot &w : workers)
        m_tried.insert(w.pid);
    m_lastNs = now;
}

void ProcStatSampler::fill(QList<WorkerSnapshot> &workers)
{
    // A restarted worker shows its figures at once, not an interval later.
    const bool newPid = std::any_of(workers.begin(), workers.end(),
                                    [this](const WorkerSnapshot &w) { return !m_tried.contains(w.pid); });
    if (newPid || m_lastNs < 0 || m_clock.nsecsElapsed() - m_lastNs >= qint64(m_intervalMs) * 1000000)
        sample(workers);
    for (WorkerSnapshot &w : workers) {
        const auto it = m_samples.find(w.pid);
        if (it == m_samples.end())
            continue;
        w.cpuPercent = it->second.cpuPercent;
        w.rssBytes = it->second.rssBytes;
    }
}

} // namespace brigade
