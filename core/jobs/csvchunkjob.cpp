#include "core/jobs/csvchunkjob.h"

#include <QCborMap>

using namespace Qt::StringLiterals;

namespace brigade {

QString chunksParam()
{
    return u"_chunks"_s;
}

std::optional<CsvChunks> streamedChunks(const QVariantMap &params)
{
    const auto it = params.find(chunksParam());
    if (it == params.end())
        return std::nullopt;
    return CsvChunks::fromVariant(it->toMap());
}

QCborValue chunkErrorValue(qint64 chunk, const CsvChunkError &error)
{
    return QCborMap{{u"chunk_error"_s,
                     QCborMap{{u"chunk"_s, chunk}, {u"line"_s, error.line}, {u"message"_s, error.message}}}};
}

bool isChunkError(const QCborValue &part)
{
    return part.isMap() && part.toMap().contains(u"chunk_error"_s);
}

Failure chunkFailure(const CsvChunks &chunks, const QCborValue &error)
{
    const QCborMap e = error.toMap().value(u"chunk_error"_s).toMap();
    const qint64 chunk = e.value(u"chunk"_s).toInteger();
    const QString message = e.value(u"message"_s).toString();
    if (chunk < 0 || chunk >= chunks.count())
        return inputFailure(chunks.path, message);
    // Lines are only known relative to the chunk in the worker: count the ones before it here.
    const auto first = csvLineAt(chunks.path, chunks.bounds[chunk]);
    if (!first)
        return inputFailure(chunks.path, message);
    return inputFailure(chunks.path, message, first.value() + e.value(u"line"_s).toInteger());
}

} // namespace brigade
