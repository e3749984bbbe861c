// risky: the seeds' failing task, generalised for fault injection. Items 1..N (task ranges index them
// from 0); the result is the sum of the items of the tasks that succeeded, so lost or duplicated work
// shows in the number.
#include "core/jobs/builtin.h"

#include "core/jobs/reducers.h"

#include <QThread>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <unistd.h>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

// The failing functions live outside an anonymous namespace and are never inlined, so that stack
// traces name them.
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

[[gnu::noinline]] void abortAtItem(qint64 item)
{
    std::fprintf(stderr, "risky: aborting at item %lld\n", static_cast<long long>(item));
    std::abort();
}

[[gnu::noinline]] void hangAtItem(qint64 item)
{
    std::fprintf(stderr, "risky: hanging at item %lld, deaf to Cancel and SIGTERM\n",
                 static_cast<long long>(item));
    ::signal(SIGTERM, SIG_IGN); // as stuck native code can be: only SIGKILL ends this
    while (true)
        ::pause();
}

// Plays the kernel's OOM killer: takes memory for real, then dies by SIGKILL as an OOM kill does.
// (No real exhaustion: that would endanger everything else on the machine.)
[[gnu::noinline]] void exhaustMemoryAtItem(qint64 item)
{
    std::fprintf(stderr, "risky: exhausting memory at item %lld\n", static_cast<long long>(item));
    std::vector<std::unique_ptr<char[]>> hog;
    for (int i = 0; i < 16; ++i) {
        hog.emplace_back(new char[16 << 20]);
        std::memset(hog.back().get(), 1, 16 << 20);
    }
    ::kill(::getpid(), SIGKILL);
}

namespace {

const QStringList Modes{u"throw"_s, u"segfault"_s, u"abort"_s,     u"exit"_s,
                        u"hang"_s,  u"oom"_s,      u"bad-frame"_s, u"stdout-noise"_s};
const QStringList Stages{u"attach"_s, u"task"_s, u"after-result"_s};

void fail(const TaskContext &context, const QString &mode, qint64 item)
{
    if (mode == u"segfault"_s)
        crashAtItem(item);
    else if (mode == u"abort"_s)
        abortAtItem(item);
    else if (mode == u"exit"_s)
        ::_exit(3);
    else if (mode == u"hang"_s)
        hangAtItem(item);
    else if (mode == u"oom"_s)
        exhaustMemoryAtItem(item);
    else if (mode == u"bad-frame"_s)
        context.injectRaw(QByteArray("\x05\x00\x00\x00\xff\xfe\xfd\xfc\xfb", 9)); // a length, then no CBOR
    else if (mode == u"stdout-noise"_s)
        context.injectRaw("risky: a library chatting on stdout at item " + QByteArray::number(item) + '\n');
    else
        throwAtItem(item);
}

// The injection plan of one run, read from the parameters.
struct Plan {
    std::vector<std::pair<qint64, QString>> failAt; // item, mode
    QString stage;
    qint64 times = 0; // fail only the first `times` attempts; 0: every attempt

    explicit Plan(const QVariantMap &params)
    {
        const QStringList items = params.value(u"fail-at"_s).toString().split(u',', Qt::SkipEmptyParts);
        const QStringList modes = params.value(u"mode"_s).toString().split(u',', Qt::SkipEmptyParts);
        for (qsizetype i = 0; i < items.size(); ++i)
            failAt.emplace_back(items[i].trimmed().toLongLong(),
                                modes.value(i % std::max<qsizetype>(1, modes.size())).trimmed());
        stage = params.value(u"stage"_s).toString();
        times = params.value(u"times"_s).toLongLong();
    }

    // Fails (in the way asked) if the task covers a failing item and this attempt should fail.
    void failIfDue(const TaskContext &context, const QString &atStage, const TaskInfo &task) const
    {
        if (atStage != stage || (times > 0 && task.attempt > times))
            return;
        for (const auto &[item, mode] : failAt)
            if (item > task.begin && item <= task.end) // item k is index k - 1
                fail(context, mode, item);
    }
};

// The items of the tasks that succeeded, and their sum.
struct RiskyTotals {
    qint64 sum = 0;
    qint64 items = 0;
    RiskyTotals &operator+=(const RiskyTotals &o)
    {
        sum += o.sum;
        items += o.items;
        return *this;
    }
};

class Risky final : public Job
{
public:
    QString name() const override { return u"risky"_s; }
    QString summary() const override
    {
        return u"Fault injection: fail at chosen items by throwing, crashing, exiting, hanging or garbling"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {
            {u"items"_s, ParamType::Int, qint64(100), qint64(1), {}, {}, u"Number of items (1 to items)"_s},
            {u"fail-at"_s, ParamType::String, QString(), {}, {}, {}, u"Comma-separated items that fail"_s},
            {u"mode"_s,
             ParamType::String,
             u"throw"_s,
             {},
             {},
             {},
             u"How they fail: "_s + Modes.join(u'|') + u"; a comma-separated list is used in turn"_s},
            {u"stage"_s,
             ParamType::Choice,
             u"task"_s,
             {},
             {},
             Stages,
             u"When: attach (the worker's initializer, if its first task holds the item), task, or after-result"_s},
            {u"times"_s,
             ParamType::Int,
             qint64(0),
             qint64(0),
             {},
             {},
             u"Fail only the first N attempts of each failing item (0: every attempt)"_s},
            {u"delay-ms"_s,
             ParamType::Int,
             qint64(0),
             qint64(0),
             qint64(60000),
             {},
             u"Milliseconds of work per item"_s},
        };
    }
    ResultKind resultKind() const override { return ResultKind::Scalars; }
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
        for (const QString &m : context.params.value(u"mode"_s).toString().split(u',', Qt::SkipEmptyParts))
            if (!Modes.contains(m.trimmed()))
                return usageFailure(u"--mode: \"%1\" is not one of %2"_s.arg(m, Modes.join(u", "_s)));
        return context.params.value(u"items"_s).toLongLong();
    }

    void initialize(const TaskContext &context) const override
    {
        Plan(context.params()).failIfDue(context, u"attach"_s, context.task());
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const Plan plan(context.params());
        const qint64 delay = context.params().value(u"delay-ms"_s).toLongLong();
        qint64 sum = 0;
        for (qint64 i = begin; i < end; ++i) {
            if (delay > 0)
                QThread::msleep(static_cast<unsigned long>(delay));
            context.atItem(i);
            plan.failIfDue(context, u"task"_s, TaskInfo{context.task().id, i, i + 1, context.task().attempt});
            sum += i + 1;
            context.reportProgress(i - begin + 1);
            if (context.cancelled())
                break;
        }
        return sum;
    }

    void afterResult(const TaskContext &context) const override
    {
        Plan(context.params()).failIfDue(context, u"after-result"_s, context.task());
    }
    bool hasAfterResult(const QVariantMap &params) const override
    {
        return params.value(u"stage"_s).toString() == u"after-result"_s;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<reducers::Sum<RiskyTotals>>(
            [](qint64 begin, qint64 end, const QCborValue &part) {
                return RiskyTotals{part.toInteger(), end - begin};
            },
            [](const RiskyTotals &total, const RunContext &) -> Result<JobResult> {
                QCborMap result;
                result.insert(u"sum"_s, total.sum);
                result.insert(u"items"_s, total.items);
                return JobResult{result, nullptr, {}};
            });
    }
};

} // namespace

std::unique_ptr<Job> makeRisky()
{
    return std::make_unique<Risky>();
}

} // namespace brigade::jobs
