// Streaming decisions: whether a run's CSV input is loaded or streamed through the pool, with the chunk
// size and the number of chunks in flight that keep the parent and its workers under a memory limit;
// and the memory of processes as /proc reports it.
#pragma once

#include "core/base/result.h"
#include "core/jobs/job.h"

#include <optional>

namespace brigade {

// "512M", "2G", "1.5GiB", "64k", "1000000" (bytes); K, M, G, T are powers of 1024. nullopt when unreadable.
std::optional<qint64> parseByteSize(const QString &text);
QString formatByteSize(qint64 bytes);

// The kernel's MemAvailable, or -1.
qint64 availableMemory();
// Resident memory of a process (VmRSS), or its peak (VmHWM); -1 when unknown (0: this process).
qint64 processMemory(qint64 pid, bool peak);

struct StreamDecision {
    bool stream = false;
    qint64 chunkBytes = 0;
    qint64 window = 0; // tasks that may be dispatched past the next undelivered one
    qint64 budget = 0; // the memory the decision planned for: the limit, or a share of MemAvailable
};

// For a job over a CSV/TSV file: streams when the job always does, or when the loaded table would not fit
// under `memoryLimit` (0: under the memory available). A limit too small for the processes themselves is
// a usage failure naming --memory-limit.
Result<StreamDecision> decideStreaming(StreamUse use, const QString &path, qint64 memoryLimit, int workers);

// Whether the path is a CSV/TSV file by its name.
bool isCsvPath(const QString &path);

} // namespace brigade
