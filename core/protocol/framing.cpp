// Frames on the wire: encoding, the one table of what each message carries, and the strict reader.
#include "core/protocol/framing.h"

#include "core/base/enumnames.h"

#include <QCborArray>
#include <QCborValue>

#include <QtEndian>

#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr qsizetype HeaderBytes = 4;

Failure protocolFailure(QString message)
{
    return Failure{FailureCode::Protocol, std::move(message), {}, -1};
}

enum class Want {
    Integer,
    String,
    Bool,
    Map,
    DatasetMap, // a map holding the kDatasetRules fields
    Any,
    TaskList,   // non-empty flat array of id, begin, end, attempt: all integers
    ResultList, // non-empty flat array of id, value, ns: id and ns integers
};

struct FieldRule {
    QLatin1StringView name;
    Want want;
    bool required = true; // an optional field, when present, has the type all the same
};

struct TypeRules {
    MessageType type;
    std::initializer_list<FieldRule> fields;
};

// The one table of what each message must carry.
const TypeRules kRules[] = {
    {MessageType::Hello, {{field::Version, Want::Integer}}},
    {MessageType::Attach,
     {{field::Run, Want::Integer},
      {field::Job, Want::String},
      {field::Params, Want::Map},
      {field::Dataset, Want::DatasetMap},
      {field::Output, Want::Bool},
      {field::Catalogue, Want::String},
      {field::Slot, Want::Integer, false}}},
    {MessageType::Task, {{field::Run, Want::Integer}, {field::Tasks, Want::TaskList}}},
    {MessageType::Cancel, {}},
    {MessageType::Shutdown, {}},
    {MessageType::Ready, {{field::Version, Want::Integer}, {field::Pid, Want::Integer}}},
    {MessageType::Progress, {{field::Id, Want::Integer}, {field::Done, Want::Integer}}},
    {MessageType::Result, {{field::Results, Want::ResultList}}},
    {MessageType::Error, {{field::Kind, Want::String}, {field::Message, Want::String}}},
    {MessageType::Log, {{field::Text, Want::String}}},
};

// An Attach's dataset: the shared segments the worker maps, none for a job without input or output.
const FieldRule kDatasetRules[] = {
    {field::Key, Want::String, false},
    {field::Writable, Want::Bool, false},
    {field::OutputKey, Want::String, false},
    {field::UndoKey, Want::String, false},
};

// The first rule the map breaks, as "lacks field" or "has field ... of the wrong type"; empty: none.
template<typename Rules> QString brokenRule(const QCborMap &map, const Rules &rules);

// A non-empty flat array of records of \a length entries each, where \a integerAt says which must be
// integers.
bool isRecords(const QCborValue &v, qsizetype length, std::initializer_list<qsizetype> integerAt)
{
    if (!v.isArray())
        return false;
    const QCborArray list = v.toArray();
    if (list.isEmpty() || list.size() % length != 0)
        return false;
    for (qsizetype r = 0; r < list.size(); r += length)
        for (const qsizetype i : integerAt)
            if (!list.at(r + i).isInteger())
                return false;
    return true;
}

bool matches(const QCborValue &v, Want want)
{
    switch (want) {
    case Want::Integer:
        return v.isInteger();
    case Want::String:
        return v.isString();
    case Want::Bool:
        return v.isBool();
    case Want::Map:
        return v.isMap();
    case Want::DatasetMap:
        return v.isMap() && brokenRule(v.toMap(), kDatasetRules).isEmpty();
    case Want::Any:
        return !v.isUndefined();
    case Want::TaskList:
        return isRecords(v, TaskEntries, {0, 1, 2, 3});
    case Want::ResultList:
        return isRecords(v, ResultEntries, {0, 2});
    }
    return false;
}

template<typename Rules> QString brokenRule(const QCborMap &map, const Rules &rules)
{
    for (const FieldRule &rule : rules) {
        const QCborValue v = map.value(rule.name);
        if (v.isUndefined()) {
            if (rule.required)
                return u"lacks field \""_s + QString(rule.name) + u'"';
            continue;
        }
        if (!matches(v, rule.want))
            return u"has field \""_s + QString(rule.name) + u"\" of the wrong type"_s;
    }
    return {};
}

} // namespace

namespace {

constexpr EnumName<MessageType> MessageTypeNames[] = {
    {MessageType::Hello, u"Hello"},       {MessageType::Attach, u"Attach"},
    {MessageType::Task, u"Task"},         {MessageType::Cancel, u"Cancel"},
    {MessageType::Shutdown, u"Shutdown"}, {MessageType::Ready, u"Ready"},
    {MessageType::Progress, u"Progress"}, {MessageType::Result, u"Result"},
    {MessageType::Error, u"Error"},       {MessageType::Log, u"Log"}};

} // namespace

QLatin1StringView messageTypeName(MessageType type)
{
    // Latin-1 copies of the table's names, made once, so that a caller may keep the view (or print it).
    static const std::vector<std::pair<MessageType, QByteArray>> names = [] {
        std::vector<std::pair<MessageType, QByteArray>> list;
        for (const auto &entry : MessageTypeNames)
            list.emplace_back(entry.first, enumName(MessageTypeNames, entry.first).toLatin1());
        return list;
    }();
    for (const auto &[value, name] : names)
        if (value == type)
            return QLatin1StringView(name);
    return {};
}

bool isKnownMessageType(qint64 value)
{
    return value >= 0 && value <= 255 && !messageTypeName(static_cast<MessageType>(value)).isEmpty();
}

QByteArray encodeFrame(MessageType type, const QCborMap &body)
{
    QCborMap map = body;
    map.insert(field::Type, static_cast<int>(type));
    const QByteArray payload = QCborValue(std::move(map)).toCbor();
    QByteArray frame(HeaderBytes, Qt::Uninitialized);
    qToLittleEndian<quint32>(static_cast<quint32>(payload.size()), frame.data());
    frame.append(payload);
    return frame;
}

std::optional<Failure> validateMessage(const Message &message)
{
    for (const TypeRules &rules : kRules) {
        if (rules.type != message.type)
            continue;
        const QString broken = brokenRule(message.body, rules.fields);
        if (!broken.isEmpty())
            return protocolFailure(QString(messageTypeName(message.type)) + u" message "_s + broken);
        return std::nullopt;
    }
    return protocolFailure(u"unknown message type"_s);
}

std::optional<Result<Message>> FrameReader::next()
{
    if (m_failure)
        return Result<Message>(*m_failure);
    const qsizetype available = m_buffer.size() - m_offset;
    if (available < HeaderBytes)
        return std::nullopt;
    const quint32 length = qFromLittleEndian<quint32>(m_buffer.constData() + m_offset);
    if (length == 0 || qsizetype(length) > m_maxFrameBytes) {
        m_failure =
            protocolFailure(u"frame of %1 bytes exceeds the limit of %2 bytes or is empty"_s.arg(length).arg(
                m_maxFrameBytes));
        return Result<Message>(*m_failure);
    }
    if (available < HeaderBytes + qsizetype(length))
        return std::nullopt;

    const QByteArray payload = m_buffer.mid(m_offset + HeaderBytes, length);
    m_offset += HeaderBytes + length;
    if (m_offset > 64 * 1024 &&
        m_offset * 2 > m_buffer.size()) { // compact without moving bytes on every frame
        m_buffer.remove(0, m_offset);
        m_offset = 0;
    }

    QCborParserError parseError;
    const QCborValue value = QCborValue::fromCbor(payload, &parseError);
    if (parseError.error != QCborError::NoError) {
        m_failure = protocolFailure(u"undecodable CBOR payload: "_s + parseError.errorString());
        return Result<Message>(*m_failure);
    }
    if (!value.isMap()) {
        m_failure = protocolFailure(u"frame payload is not a CBOR map"_s);
        return Result<Message>(*m_failure);
    }
    QCborMap map = value.toMap();
    const QCborValue type = map.take(field::Type);
    if (!type.isInteger() || !isKnownMessageType(type.toInteger())) {
        m_failure = protocolFailure(u"frame has a missing or unknown message type"_s);
        return Result<Message>(*m_failure);
    }
    Message message{static_cast<MessageType>(type.toInteger()), std::move(map)};
    if (auto failure = validateMessage(message)) {
        m_failure = *failure;
        return Result<Message>(*m_failure);
    }
    return Result<Message>(std::move(message));
}

std::optional<Failure> FrameReader::finish() const
{
    if (m_failure)
        return m_failure;
    const qsizetype left = m_buffer.size() - m_offset;
    if (left > 0)
        return protocolFailure(u"stream ended inside a frame (%1 bytes left over)"_s.arg(left));
    return std::nullopt;
}

} // namespace brigade
