// Streamed CSV input for jobs: the chunks travel in the run's parameters, bad chunks come back as values.
#pragma once

#include "core/data/csv.h"

#include <QCborValue>

#include <optional>

namespace brigade {

// The run parameter that holds the chunks of a streamed input (set by the engine, not by the user).
QString chunksParam();

// The chunks of a streamed run, or nullopt when its input is in memory.
std::optional<CsvChunks> streamedChunks(const QVariantMap &params);

// Worker: the result of a task whose chunk is bad.
QCborValue chunkErrorValue(qint64 chunk, const CsvChunkError &error);
bool isChunkError(const QCborValue &part);

// Parent: the input failure a chunk error stands for, with its line counted in the file.
Failure chunkFailure(const CsvChunks &chunks, const QCborValue &error);

} // namespace brigade
