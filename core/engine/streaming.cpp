#include "core/engine/streaming.h"

#include "core/run/runsettings.h"

#include "core/data/csv.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr qint64 MiB = qint64(1) << 20;
// A brigade-worker at rest, measured here (VmRSS 9 MiB, mostly the pages of Qt and libstdc++).
constexpr qint64 WorkerRestBytes = 19 * MiB / 2;
// What the parent adds during a run: the scan's block, frames, the event loop's allocations.
constexpr qint64 ParentMarginBytes = 2 * MiB;
// A worker's parse of its chunk, beyond the chunk: one sub-range's numbers (see readCsvChunkNumbers).
constexpr qint64 WorkerParseBytes = 3 * MiB / 2;
constexpr qint64 MinChunkBytes = 64 << 10;
// Larger chunks are slower, measured here: more fresh pages to fault in, less overlap of the workers'
// parsing with the parent's reading and writing.
constexpr qint64 MaxChunkBytes = 4 * MiB;

qint64 statusField(const QString &file, const QByteArray &name)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().split('\n'); // /proc files have no size: read to the end
    for (const QByteArray &line : lines) {
        if (line.startsWith(name)) {
            const QList<QByteArray> parts = line.mid(name.size()).simplified().split(' ');
            bool ok = false;
            const qint64 kb = parts.value(0).toLongLong(&ok);
            return ok ? kb * 1024 : -1;
        }
    }
    return -1;
}

} // namespace

std::optional<qint64> parseByteSize(const QString &text)
{
    return parseSize(text); // the run settings' size syntax, defined once
}

QString formatByteSize(qint64 bytes)
{
    if (bytes >= 10 * 1024 * MiB)
        return u"%1G"_s.arg(double(bytes) / double(1024 * MiB), 0, 'f', 1);
    return u"%1M"_s.arg(double(bytes) / double(MiB), 0, 'f', 1);
}

qint64 availableMemory()
{
    return statusField(u"/proc/meminfo"_s, "MemAvailable:");
}

qint64 processMemory(qint64 pid, bool peak)
{
    const QString file = pid > 0 ? u"/proc/%1/status"_s.arg(pid) : u"/proc/self/status"_s;
    return statusField(file, peak ? "VmHWM:" : "VmRSS:");
}

bool isCsvPath(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"csv"_s || suffix == u"tsv"_s || suffix == u"tab"_s;
}

Result<StreamDecision> decideStreaming(StreamUse use, const QString &path, qint64 memoryLimit, int workers)
{
    StreamDecision d;
    if (use == StreamUse::Never || !isCsvPath(path) || !QFileInfo(path).isFile())
        return d;
    workers = std::max(workers, 1);
    const qint64 fileBytes = QFileInfo(path).size();
    const qint64 parentNow = std::max<qint64>(processMemory(0, false), 0);
    const qint64 processes = parentNow + ParentMarginBytes + workers * WorkerRestBytes;

    if (use == StreamUse::WhenLarge) {
        // The loaded table: rows (estimated from the first megabyte) times columns, in float64. Loading maps
        // the file, parses into blocks, then copies the blocks into the shared array.
        auto sniff = sniffCsv(path, 0);
        if (!sniff)
            return d; // loading reports the problem
        QFile file(path);
        double rows = 0;
        if (file.open(QIODevice::ReadOnly)) {
            const QByteArray head = file.read(MiB);
            const qint64 lines = std::max<qint64>(head.count('\n'), 1);
            rows = double(fileBytes) * double(lines) / double(std::max<qint64>(head.size(), 1));
        }
        const double table = rows * double(sniff->names.size()) * 8.0;
        const double needed = double(processes) + double(fileBytes) + 2.0 * table;
        const double room = memoryLimit > 0
                                ? double(memoryLimit)
                                : 0.8 * double(std::max<qint64>(availableMemory(), 0) + parentNow);
        if (availableMemory() < 0 && memoryLimit <= 0)
            return d; // no /proc/meminfo: load as before
        if (needed <= room)
            return d;
    }

    // Streaming: each worker holds a chunk and what it makes of it; the parent holds the results that
    // wait for an earlier chunk (csv-transform's rows) up to the window.
    d.stream = true;
    d.window = 2 * qint64(workers);
    d.budget = memoryLimit > 0 ? memoryLimit : std::max<qint64>(availableMemory() / 2, 256 * MiB);
    const bool rows = use == StreamUse::Always; // the jobs that stream always return their rows
    // Measured here (VmHWM over rest): a csv-transform worker holds about 11 chunks' worth at its peak (the
    // chunk, its rows, their CBOR value and frame, the allocator's slack), the parent 2.5 per result it
    // keeps plus the frame being read; a stats worker the chunk plus one sub-range's numbers.
    const double perChunk =
        rows ? double(12 * workers) + 2.5 * double(d.window) + 2.0 : 1.5 * double(workers);
    const qint64 fixed = processes + (rows ? 0 : workers * WorkerParseBytes);
    const qint64 chunk = qint64(double(d.budget - fixed) / perChunk);
    if (chunk < MinChunkBytes) {
        if (memoryLimit <= 0)
            return usageFailure(u"not enough memory available to stream %1"_s.arg(path));
        const qint64 least = fixed + qint64(perChunk * double(MinChunkBytes));
        return usageFailure(u"--memory-limit: %1 is too small for %2 worker(s): the processes alone take "
                            "about %3; give at least %4 or fewer workers"_s.arg(formatByteSize(memoryLimit))
                                .arg(workers)
                                .arg(formatByteSize(fixed), formatByteSize(least)));
    }
    d.chunkBytes = std::min(chunk, MaxChunkBytes);
    // Small files: still several chunks per worker, so that all of them have work.
    d.chunkBytes = std::max(MinChunkBytes, std::min(d.chunkBytes, fileBytes / (4 * workers) + 1));
    return d;
}

} // namespace brigade
