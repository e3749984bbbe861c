// Expected failures as values: a Result<T> holds either a T or a Failure naming what went wrong and where;
// Result<void> is the same for an operation that returns nothing.
#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace brigade {

enum class FailureCode {
    Usage,    // a flag or parameter is wrong
    Input,    // a file is missing, unreadable or malformed
    Protocol, // a frame on the wire is malformed
    System,   // the operating system refused (shared memory, process start)
    Output,   // an output file could not be written (the message says why: the system's reason)
};

struct Failure {
    FailureCode code = FailureCode::Input;
    QString message;
    QString file;         // the file concerned, if any
    qint64 position = -1; // line (for text) or byte offset, if known

    // One line for a person: "file:position: message".
    QString describe() const;
};

template<typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_state(std::move(value))
    {}
    Result(Failure failure)
        : m_state(std::move(failure))
    {}

    bool ok() const { return std::holds_alternative<T>(m_state); }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<T>(m_state); }
    const T &value() const & { return std::get<T>(m_state); }
    T &&value() && { return std::get<T>(std::move(m_state)); }
    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Failure &failure() const { return std::get<Failure>(m_state); }

private:
    std::variant<T, Failure> m_state;
};

// Success or a Failure, for an operation that returns nothing: `return {};` on success.
template<> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Failure failure)
        : m_failure(std::move(failure))
    {}

    bool ok() const { return !m_failure.has_value(); }
    explicit operator bool() const { return ok(); }

    const Failure &failure() const { return *m_failure; }

private:
    std::optional<Failure> m_failure;
};

inline Failure inputFailure(QString file, QString message, qint64 position = -1)
{
    return Failure{FailureCode::Input, std::move(message), std::move(file), position};
}

inline Failure usageFailure(QString message)
{
    return Failure{FailureCode::Usage, std::move(message), {}, -1};
}

// Exit codes of the `brigade` command line, defined once.
namespace exitcode {
inline constexpr int Ok = 0;
inline constexpr int TaskFailed = 1;
inline constexpr int Usage = 2;
inline constexpr int Input = 3;
inline constexpr int Output = 4; // an output file could not be written
inline constexpr int Interrupted = 130;
} // namespace exitcode

} // namespace brigade
