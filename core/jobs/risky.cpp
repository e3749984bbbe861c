// risky: the seeds' failing task, generalised for fault injection. Items 0..N-1; the result is the sum
// of the items of the tasks that succeeded, so lost or duplicated work shows in the number.
#include "core/jobs/builtin.h"

#include <QThread>

#include <cstdlib>
#include <set>
#include <stdexcept>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

// Outside an anonymous namespace and never inlined, so stack traces name them.
[[gnu::noinline]] void throwAtItem(qint64 item)
{
    throw std::runtime_error("risky: item " + std::to_string(item) + " failed as asked");
}

// A real invalid write, not reported as undefined behaviour first by a sanitizer build.
[[gnu::noinline, gnu::no_sanitize("undefined")]] void crashAtItem(qint64 item)
{
    volatile int *nowhere = nullptr;
    *nowhere = static_cast<int>(item);
}

namespace {

class RiskyReducer final : public Reducer
{
public:
    void add(qint64 begin, qint64 end, const QCborValue &part) override
    {
        m_sum += part.toInteger();
        m_items += end - begin;
    }
    Result<QCborMap> finish(const RunContext &) override
    {
        QCborMap result;
        result.insert(u"sum"_s, m_sum);
        result.insert(u"items"_s, m_items);
        return result;
    }

private:
    qint64 m_sum = 0;
    qint64 m_items = 0;
};

class Risky final : public Job
{
public:
    QString name() const override { return u"risky"_s; }
    QString summary() const override
    {
        return u"Fault injection: fail at chosen items by throwing, crashing or exiting"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {
            {u"items"_s,
             ParamType::Int,
             qint64(100),
             qint64(1),
             {},
             {},
             u"Number of items (values 0 to items-1)"_s},
            {u"fail-at"_s, ParamType::String, QString(), {}, {}, {}, u"Comma-separated items that fail"_s},
            {u"mode"_s,
             ParamType::Choice,
             u"throw"_s,
             {},
             {},
             {u"throw"_s, u"segfault"_s, u"abort"_s, u"exit"_s},
             u"How a failing item fails"_s},
            {u"delay-ms"_s,
             ParamType::Int,
             qint64(0),
             qint64(0),
             qint64(60000),
             {},
             u"Milliseconds of work per item"_s},
        };
    }
    InputUse input() const override { return InputUse::None; }

    Result<qint64> plan(const RunContext &context) const override
    {
        for (const QString &k :
             context.params.value(u"fail-at"_s).toString().split(u',', Qt::SkipEmptyParts)) {
            bool ok = false;
            k.trimmed().toLongLong(&ok);
            if (!ok)
                return usageFailure(u"--fail-at: \"%1\" is not an item number"_s.arg(k));
        }
        return context.params.value(u"items"_s).toLongLong();
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        std::set<qint64> failAt;
        for (const QString &k :
             context.params().value(u"fail-at"_s).toString().split(u',', Qt::SkipEmptyParts))
            failAt.insert(k.trimmed().toLongLong());
        const QString mode = context.params().value(u"mode"_s).toString();
        const qint64 delay = context.params().value(u"delay-ms"_s).toLongLong();
        qint64 sum = 0;
        for (qint64 i = begin; i < end; ++i) {
            if (delay > 0)
                QThread::msleep(static_cast<unsigned long>(delay));
            if (failAt.count(i))
                fail(mode, i);
            sum += i;
            context.reportProgress(i - begin + 1);
            if (context.cancelled())
                break;
        }
        return sum;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<RiskyReducer>();
    }

private:
    static void fail(const QString &mode, qint64 item)
    {
        if (mode == u"segfault"_s)
            crashAtItem(item);
        else if (mode == u"abort"_s)
            std::abort();
        else if (mode == u"exit"_s)
            ::_exit(3);
        else
            throwAtItem(item);
    }
};

} // namespace

std::unique_ptr<Job> makeRisky()
{
    return std::make_unique<Risky>();
}

} // namespace brigade::jobs
