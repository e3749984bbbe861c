// primes: count (or list) the primes in [start, end) by the seeds' trial division, by small primes only.
#include "core/jobs/builtin.h"

#include "core/jobs/reducers.h"

#include <QCborArray>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace brigade::jobs {

namespace {

// The largest r with r² <= n.
quint64 isqrt(quint64 n)
{
    quint64 r = quint64(std::sqrt(double(n)));
    while (r > 0 && r > n / r)
        --r;
    while ((r + 1) <= n / (r + 1))
        ++r;
    return r;
}

// An odd prime p as a divisibility test without division: for 32-bit n, p divides n exactly when
// n * p⁻¹ (mod 2³²) <= (2³² - 1) / p, p⁻¹ being p's inverse modulo 2³² (Granlund and Montgomery). A
// multiplication and a comparison instead of a division of twenty-odd cycles.
struct OddDivisor {
    quint32 p;
    quint32 inverse;
    quint32 maxQuotient;
};

// The small primes, 2, 3, 5, ... up to min(bound, SieveLimit), by the sieve of Eratosthenes, and the odd
// ones as divisibility tests.
constexpr quint32 SieveLimit = 1u << 22; // 4 million: a 4 MB sieve once, tables for numbers up to 1.7e13

struct DivisorTable {
    std::vector<quint32> primes;
    std::vector<OddDivisor> odd;
};

// The seeds' lru_cache: the table is built once per worker (and bound), then shared by every task.
const DivisorTable &smallPrimes(quint64 bound)
{
    static quint64 cachedBound = ~quint64(0);
    static DivisorTable table;
    if (bound == cachedBound)
        return table;
    const quint32 limit = quint32(std::min<quint64>(bound, SieveLimit));
    std::vector<bool> composite(size_t(limit) + 1);
    table = {};
    for (quint64 i = 2; i <= limit; ++i) {
        if (composite[i])
            continue;
        table.primes.push_back(quint32(i));
        for (quint64 j = i * i; j <= limit; j += i)
            composite[j] = true;
    }
    for (const quint32 p : table.primes) {
        if (p == 2)
            continue;
        quint32 inverse = p; // right to 3 bits (p * p = 1 mod 8 for odd p); each step doubles them
        for (int step = 0; step < 4; ++step)
            inverse *= 2 - p * inverse;
        table.odd.push_back({p, inverse, 0xFFFFFFFFu / p});
    }
    cachedBound = bound;
    return table;
}

// The seeds' is_prime by trial division up to the square root, dividing by primes only (from the table,
// then by odd numbers past the table's end when the range goes beyond it).
template<typename Int> bool isPrime(Int n, const std::vector<quint32> &primes)
{
    if (n < 2)
        return false;
    const Int r = Int(isqrt(n));
    for (const quint32 p : primes) {
        if (p > r)
            return true;
        if (n % p == 0)
            return false;
    }
    for (Int i = primes.empty() ? 3 : Int(primes.back()) + 2; i <= r; i += 2)
        if (n % i == 0)
            return false;
    return true;
}

// isPrime for numbers below 2³², whose square roots (below 65536) the table always covers.
bool isPrime32(quint32 n, const std::vector<OddDivisor> &divisors)
{
    if (n < 2 || n % 2 == 0)
        return n == 2;
    const auto r = quint32(std::sqrt(double(n))); // exact below 2⁵²
    for (const OddDivisor &d : divisors) {
        if (d.p > r)
            return true;
        if (n * d.inverse <= d.maxQuotient)
            return false;
    }
    return true;
}

bool isPrime64(qint64 n, const DivisorTable &table)
{
    if (n < 2)
        return false;
    // 32-bit numbers, most ranges, by multiplication instead of division.
    if (n <= 0xFFFFFFFFLL)
        return isPrime32(quint32(n), table.odd);
    return isPrime<quint64>(quint64(n), table.primes);
}

// The divisors any number of the run may need: primes up to the square root of its largest number.
quint64 divisorBound(const QVariantMap &params)
{
    const qint64 end = params.value(u"end"_s).toLongLong();
    return end > 1 ? isqrt(quint64(end - 1)) : 1;
}

// The count, and (when listed) the primes in item order, whatever the order the parts arrive in.
struct PrimesFound {
    qint64 count = 0;
    reducers::Concatenate lists;
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
    ResultKind resultKind() const override { return ResultKind::List; }
    InputUse input() const override { return InputUse::None; }

    Result<qint64> plan(const RunContext &context) const override
    {
        const qint64 start = context.params.value(u"start"_s).toLongLong();
        const qint64 end = context.params.value(u"end"_s).toLongLong();
        if (end < start)
            return usageFailure(u"--end: %1 is below --start %2"_s.arg(end).arg(start));
        return end - start;
    }

    void initialize(const TaskContext &context) const override
    {
        smallPrimes(divisorBound(context.params()));
    }

    QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
    {
        const qint64 start = context.params().value(u"start"_s).toLongLong();
        const DivisorTable &divisors = smallPrimes(divisorBound(context.params()));
        const bool list = context.writesOutput();
        QCborArray primes;
        qint64 count = 0;
        for (qint64 i = begin; i < end; ++i) {
            if (isPrime64(start + i, divisors)) {
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
        return std::make_unique<reducers::Fold<PrimesFound>>(
            PrimesFound{},
            [](PrimesFound &found, qint64 begin, qint64 end, const QCborValue &part) {
                found.count += part[u"count"_s].toInteger();
                if (part[u"primes"_s].isArray())
                    found.lists.add(begin, end, part[u"primes"_s]);
            },
            [](PrimesFound &found, const RunContext &) -> Result<JobResult> {
                return JobResult{QCborMap{{u"count"_s, found.count}}, nullptr, found.lists.values()};
            });
    }
};

} // namespace

std::unique_ptr<Job> makePrimes()
{
    return std::make_unique<Primes>();
}

} // namespace brigade::jobs
