// The shared reducers: jobs pick one instead of writing their own. Sum (numbers, or any value with +=), Fold
// (a state of the pieces here), concatenation in task order, merging of maps, Chan's moments and histogram
// counts (added bin by bin).
#pragma once

#include "core/jobs/job.h"

#include <QCborArray>
#include <QCborMap>

#include <Eigen/Core>

#include <functional>
#include <limits>
#include <map>
#include <vector>

namespace brigade::reducers {

// Chan, Golub & LeVeque's pairwise update of (count, mean, M) by another part's: δ = mean_b − mean_a,
// mean += δ·n_b/n, M += M_b + δδᵀ·n_a·n_b/n, for one variable (M the sum of squared deviations) or
// several (M the co-moment matrix). Written once; every job that merges moments calls it.
namespace detail {
inline double meanStep(double delta, double nb, double n)
{
    return delta * nb / n;
}
inline Eigen::VectorXd meanStep(const Eigen::VectorXd &delta, double nb, double n)
{
    return delta * (nb / n);
}
inline double outerStep(double delta, double na, double nb, double n)
{
    return delta * delta * na * nb / n;
}
inline Eigen::MatrixXd outerStep(const Eigen::VectorXd &delta, double na, double nb, double n)
{
    return (delta * delta.transpose()) * (na * nb / n);
}
} // namespace detail

template<typename Mean, typename M2>
void chanMerge(qint64 &count, Mean &mean, M2 &m2, qint64 otherCount, const Mean &otherMean, const M2 &otherM2)
{
    if (otherCount == 0)
        return;
    if (count == 0) {
        count = otherCount;
        mean = otherMean;
        m2 = otherM2;
        return;
    }
    const double n = double(count + otherCount);
    const Mean delta = otherMean - mean;
    mean += detail::meanStep(delta, double(otherCount), n);
    m2 += otherM2 + detail::outerStep(delta, double(count), double(otherCount), n);
    count += otherCount;
}

// One variable's count, mean, sum of squared deviations, minimum and maximum, missing (NaN) values left
// out; parts merge by chanMerge.
struct Moments {
    qint64 count = 0;
    double mean = 0;
    double m2 = 0;
    double min = std::numeric_limits<double>::infinity();
    double max = -std::numeric_limits<double>::infinity();

    void merge(const Moments &o);
    // ddof = 1; NaN for fewer than two values.
    double sampleStd() const;
    QCborArray toCbor() const { return {count, mean, m2, min, max}; }
    static Moments fromCbor(const QCborValue &v);
};

// The moments of n values, by blocks small enough to stay in cache (two passes each, the mean first:
// accurate), merged.
Moments momentsOf(const double *x, qint64 n);

// Per column moments: a part is a list of Moments (toCbor), one per column; merged column by column.
class ColumnMoments
{
public:
    void add(const QCborArray &columns);
    std::vector<Moments> &columns() { return m_columns; }

private:
    std::vector<Moments> m_columns;
};

// Sums parts: `read` turns a part into a T (a number, or a struct with +=), `finish` makes the result.
template<typename T> class Sum final : public Reducer
{
public:
    using Read = std::function<T(qint64 begin, qint64 end, const QCborValue &part)>;
    using Finish = std::function<Result<JobResult>(const T &total, const RunContext &context)>;

    Sum(Read read, Finish finish)
        : m_read(std::move(read))
        , m_finish(std::move(finish))
    {}

    void add(qint64 begin, qint64 end, const QCborValue &part) override
    {
        m_total += m_read(begin, end, part);
    }
    Result<JobResult> finish(const RunContext &context) override { return m_finish(m_total, context); }

private:
    Read m_read;
    Finish m_finish;
    T m_total{};
};

// Folds parts into a State: `add` merges a part into it, `finish` makes the result from it, `failed` (if
// given) says when a part has shown the input to be bad. Jobs compose their State from the pieces below.
template<typename State> class Fold final : public Reducer
{
public:
    using Add = std::function<void(State &state, qint64 begin, qint64 end, const QCborValue &part)>;
    using Finish = std::function<Result<JobResult>(State &state, const RunContext &context)>;
    using Failed = std::function<bool(const State &state)>;

    Fold(State initial, Add add, Finish finish, Failed failed = {})
        : m_state(std::move(initial))
        , m_add(std::move(add))
        , m_finish(std::move(finish))
        , m_failed(std::move(failed))
    {}

    void add(qint64 begin, qint64 end, const QCborValue &part) override { m_add(m_state, begin, end, part); }
    bool failed() const override { return m_failed && m_failed(m_state); }
    Result<JobResult> finish(const RunContext &context) override { return m_finish(m_state, context); }

private:
    State m_state;
    Add m_add;
    Finish m_finish;
    Failed m_failed;
};

// Parts by their first item, handed on in item order: at the end (values()), or as soon as every earlier
// part is in (drain()), whatever the order they arrive in.
class Concatenate
{
public:
    void add(qint64 begin, qint64 end, const QCborValue &part);
    // Calls `take` for each part whose turn has come, in order, and forgets it.
    void drain(const std::function<void(const QCborValue &part)> &take);
    // Every part's list concatenated in order (each part a list).
    QCborArray values() const;

private:
    std::map<qint64, std::pair<qint64, QCborValue>> m_parts; // begin -> end, part
    qint64 m_next = 0;
};

// Merges maps key by key: numbers are added, lists of numbers added entry by entry (histogram counts),
// anything else kept from the first part that had it.
void mergeMap(QCborMap &into, const QCborMap &part);

// Adds histogram counts entry by entry, growing `into` to the longer length.
void addCounts(std::vector<qint64> &into, const QCborArray &counts);

} // namespace brigade::reducers
