// The real clock: QElapsedTimer for readings, a precise single-shot QTimer per alarm.
#include "core/engine/clock.h"

#include <QElapsedTimer>
#include <QTimer>

namespace brigade {

namespace {

class TimerAlarm final : public Alarm
{
public:
    explicit TimerAlarm(std::function<void()> fire)
    {
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5% early
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, std::move(fire));
    }
    void start(int ms) override { m_timer.start(std::max(ms, 1)); }
    void stop() override { m_timer.stop(); }

private:
    QTimer m_timer;
};

qint64 monotonicNs()
{
    static QElapsedTimer origin = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return origin.nsecsElapsed();
}

} // namespace

SteadyClock::SteadyClock()
    : m_originNs(monotonicNs())
{}

qint64 SteadyClock::nsecsElapsed() const
{
    return monotonicNs() - m_originNs;
}

std::unique_ptr<Alarm> SteadyClock::makeAlarm(std::function<void()> fire)
{
    return std::make_unique<TimerAlarm>(std::move(fire));
}

} // namespace brigade
