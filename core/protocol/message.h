// The wire vocabulary between brigade and brigade-worker: message types, their required fields, and a
// message.
#pragma once

#include <QCborMap>
#include <QLatin1StringView>
#include <QString>

#include <cstdint>

namespace brigade {

inline constexpr int ProtocolVersion = 2;

// A worker batches the results of tasks that ran shorter than this (and sends each batch within a
// millisecond); the result of a longer task goes out as soon as it ends.
inline constexpr qint64 ResultBatchBelowNs = 100'000;

enum class MessageType : std::uint8_t {
    // parent -> worker
    Hello = 1,
    Attach = 2,
    Task = 3, // a batch of tasks, run in order
    Cancel = 4,
    Shutdown = 5,
    // worker -> parent
    Ready = 16,
    Progress = 17,
    Result = 18, // the results of one or more tasks, in the order they ended
    Error = 19,
    Log = 20,
};

// Field names, spelled once.
namespace field {
inline constexpr QLatin1StringView Type{"type"};
inline constexpr QLatin1StringView Version{"version"};
inline constexpr QLatin1StringView Pid{"pid"};
inline constexpr QLatin1StringView Run{"run"};
inline constexpr QLatin1StringView Job{"job"};
inline constexpr QLatin1StringView Params{"params"};
inline constexpr QLatin1StringView Dataset{"dataset"};
inline constexpr QLatin1StringView Id{"id"};
inline constexpr QLatin1StringView Begin{"begin"};
inline constexpr QLatin1StringView End{"end"};
inline constexpr QLatin1StringView Done{"done"};
inline constexpr QLatin1StringView Value{"value"};
inline constexpr QLatin1StringView Kind{"kind"};
inline constexpr QLatin1StringView Message{"message"};
inline constexpr QLatin1StringView Trace{"trace"};
inline constexpr QLatin1StringView Text{"text"};
inline constexpr QLatin1StringView Attempt{"attempt"};
inline constexpr QLatin1StringView Stage{"stage"};
inline constexpr QLatin1StringView Item{"item"}; // Error: the item of the task the job was on, when known
// Attach: whether the job writes the run's --output, and the job catalogue the parent looked the job up
// in (the worker must have the same one); in its "dataset" map, the segments to map.
inline constexpr QLatin1StringView Output{"output"};
inline constexpr QLatin1StringView Catalogue{"catalogue"};
inline constexpr QLatin1StringView Key{"key"};
inline constexpr QLatin1StringView Writable{"writable"};
inline constexpr QLatin1StringView OutputKey{"output_key"};
// In-place runs: the segment of undo areas, and (in Attach, beside "dataset") the worker's slot, whose
// area it saves each task's rows into before changing them.
inline constexpr QLatin1StringView UndoKey{"undo_key"};
inline constexpr QLatin1StringView Slot{"slot"};
// Flat arrays, a fixed number of entries per task (no container per task to allocate, encode and free).
inline constexpr QLatin1StringView Tasks{"tasks"};     // Task: [id, begin, end, attempt, id, begin, ...]
inline constexpr QLatin1StringView Results{"results"}; // Result: [id, value, ns, id, value, ns, ...]
} // namespace field

// Entries per task in a Task's "tasks" and per result in a Result's "results".
inline constexpr qsizetype TaskEntries = 4;
inline constexpr qsizetype ResultEntries = 3;

// The name of a message type ("Task"), or an empty string for a value outside the enum.
QLatin1StringView messageTypeName(MessageType type);
bool isKnownMessageType(qint64 value);

struct Message {
    MessageType type = MessageType::Log;
    QCborMap body; // every field except "type"
};

} // namespace brigade
