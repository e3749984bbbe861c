// The scheduler's sense of time, injectable: a monotonic reading and one-shot alarms. SteadyClock is the
// real one (QElapsedTimer, precise QTimers); a test's fake clock moves only when the test says.
#pragma once

#include <QtGlobal>

#include <functional>
#include <memory>

namespace brigade {

// A one-shot alarm: fires its callback once, `ms` after start(), unless stopped or started again first.
class Alarm
{
public:
    virtual ~Alarm() = default;
    virtual void start(int ms) = 0;
    virtual void stop() = 0;
};

class EngineClock
{
public:
    virtual ~EngineClock() = default;
    // Nanoseconds since the clock was made.
    virtual qint64 nsecsElapsed() const = 0;
    qint64 msecsElapsed() const { return nsecsElapsed() / 1'000'000; }
    // An alarm on this clock that calls `fire` (in the thread that made it).
    virtual std::unique_ptr<Alarm> makeAlarm(std::function<void()> fire) = 0;
};

class SteadyClock final : public EngineClock
{
public:
    SteadyClock();
    qint64 nsecsElapsed() const override;
    std::unique_ptr<Alarm> makeAlarm(std::function<void()> fire) override;

private:
    qint64 m_originNs;
};

} // namespace brigade
