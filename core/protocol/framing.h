// Framing: 4-byte little-endian length, then a CBOR map with a "type" key. Strict, incremental decoding.
#pragma once

#include "core/base/result.h"
#include "core/protocol/message.h"

#include <QByteArray>

#include <optional>

namespace brigade {

inline constexpr qsizetype DefaultMaxFrameBytes = 64 * 1024 * 1024;

QByteArray encodeFrame(MessageType type, const QCborMap &body = {});
inline QByteArray encodeFrame(const Message &m)
{
    return encodeFrame(m.type, m.body);
}

// Checks that a decoded message has every field its type requires, with the right CBOR type.
std::optional<Failure> validateMessage(const Message &message);

// Reads frames from a byte stream fed in pieces. After the first failure it stays failed:
// a stream that spoke one bad frame cannot be trusted to be in sync again.
class FrameReader
{
public:
    explicit FrameReader(qsizetype maxFrameBytes = DefaultMaxFrameBytes)
        : m_maxFrameBytes(maxFrameBytes)
    {}

    void append(QByteArrayView bytes) { m_buffer.append(bytes); }

    // The next whole message, a failure, or nothing while the next frame is incomplete.
    std::optional<Result<Message>> next();

    // Called at end of stream: a failure if a partial frame is left over.
    std::optional<Failure> finish() const;

    qsizetype bufferedBytes() const { return m_buffer.size() - m_offset; }

private:
    QByteArray m_buffer;
    qsizetype m_offset = 0;
    qsizetype m_maxFrameBytes;
    std::optional<Failure> m_failure;
};

} // namespace brigade
