// Per-process CPU and resident memory of the workers, read from /proc (Linux), for the run monitor.
#pragma once

#include "core/run/progress.h"

#include <QElapsedTimer>
#include <QList>

#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace brigade {

struct ProcStat {
    qint64 cpuTicks = 0;   // utime + stime, in clock ticks
    qint64 startTicks = 0; // when the process started, in clock ticks since boot
    qint64 rssBytes = 0;   // resident pages (statm) times the page size
};

// Reads /proc/<pid>/stat and /proc/<pid>/statm; nothing when the process is gone or not readable.
std::optional<ProcStat> readProcStat(qint64 pid);

// Samples the workers of a snapshot at most once per interval (and at once when a new pid shows up),
// and fills in the last values between samples, so a caller may ask at any rate. CPU % is the share of one
// core over the interval; a process seen for the first time gets its average since it started.
class ProcStatSampler
{
public:
    explicit ProcStatSampler(int intervalMs = 300);

    void fill(QList<WorkerSnapshot> &workers);

private:
    struct Sample {
        qint64 cpuTicks = 0;
        qint64 atNs = 0;
        double cpuPercent = -1;
        qint64 rssBytes = -1;
    };

    void sample(const QList<WorkerSnapshot> &workers);

    int m_intervalMs;
    QElapsedTimer m_clock;
    qint64 m_lastNs = -1;
    std::unordered_map<qint64, Sample> m_samples; // by pid
    std::unordered_set<qint64> m_tried;           // the pids of the last sample, readable or not
};

} // namespace brigade
