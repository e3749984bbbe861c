// primes: count (or list) the primes in [start, end) by the seeds' trial division.
#include "core/jobs/builtin.h"

#include <QCborArray>
#include <QSaveFile>

#include <cmath>
#include <map>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

// The seeds' is_prime: even numbers first, then odd divisors up to the square root.
template<typename Int> bool isPrime(Int n)
{
    if (n < 2)
        return false;
    if (n % 2 == 0)
        return n == 2;
    const Int r = static_cast<Int>(std::sqrt(static_cast<double>(n)));
    for (Int i = 3; i <= r; i += 2)
        if (n % i == 0)
            return false;
    return true;
}

bool isPrime64(qint64 n)
{
    // 32-bit division is several times faster; most ranges fit.
    if (n >= 0 && n <= 0xFFFFFFFFLL)
        return isPrime<quint32>(static_cast<quint32>(n));
    return isPrime<qint64>(n);
}

class PrimesReducer final : public Reducer
{
public:
    void add(qint64 begin, qint64, const QCborValue &part) override
    {
        m_count += part[u"count"_s].toInteger();
        if (part[u"primes"_s].isArray())
            m_lists.emplace(begin, part[u"primes"_s].toArray());
    }

    Result<QCborMap> finish(const RunContext &context) override
    {
        if (!context.outputPath.isEmpty()) {
            QSaveFile file(context.outputPath);
            if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
                return inputFailure(context.outputPath, u"cannot write: "_s + file.errorString());
            QByteArray line;
            for (const auto &[begin, list] : m_lists) {
                for (const QCborValue &p : list) {
                    line.setNum(p.toInteger());
                    line.append('\n');
                    file.write(line);
                }
            }
            if (!file.commit())
                return inputFailure(context.outputPath, u"cannot write: "_s + file.errorString());
        }
        QCborMap result;
        result.insert(u"count"_s, m_count);
        return result;
    }

private:
    qint64 m_count = 0;
    std::map<qint64, QCborArray> m_lists; // by task start, so the output is ascending in any delivery order
};

class Primes final : public Job
{
public:
    QString name() const override { return u"primes"_s; }
    QString summary() const override
    {
        return u"Count the primes in [start, end) by trial division (--output lists them)"_s;
    }
    QList<ParamSpec> params() const override
    {
        return {
            {u"start"_s, ParamType::Int, qint64(10000), qint64(0), {}, {}, u"First number of the range"_s},
            {u"end"_s, ParamType::Int, qint64(100000), qint64(0), {}, {}, u"End of the range (excluded)"_s},
        };
    }
    InputUse input() const override { return InputUse::None; }

    Result<qint64> plan(const RunContext &context) const override
    {
        const qint64 start = context.params.value(u"start"_s).toLongLong();
        const qint64 end = context.params.value(u"end"_s).toLongLong();
        if (end < start)
            return usageFailure(u"--end: %1 is below --start %2"_s.arg(end).arg(start));
        return end - start;
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const qint64 start = context.params().value(u"start"_s).toLongLong();
        const bool list = context.writesOutput();
        QCborArray primes;
        qint64 count = 0;
        for (qint64 i = begin; i < end; ++i) {
            if (isPrime64(start + i)) {
                ++count;
                if (list)
                    primes.append(start + i);
            }
            if (((i - begin) & 4095) == 4095) {
                context.reportProgress(i - begin + 1);
                if (context.cancelled())
                    break;
            }
        }
        QCborMap part;
        part.insert(u"count"_s, count);
        if (list)
            part.insert(u"primes"_s, primes);
        return part;
    }

    std::unique_ptr<Reducer> makeReducer(const RunContext &) const override
    {
        return std::make_unique<PrimesReducer>();
    }
};

} // namespace

std::unique_ptr<Job> makePrimes()
{
    return std::make_unique<Primes>();
}

} // namespace brigade::jobs
