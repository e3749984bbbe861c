// The shared reducers: Chan's moments, in-order concatenation, map merging and histogram counts.
#include "core/jobs/reducers.h"

#include <algorithm>
#include <cmath>

namespace brigade::reducers {

void Moments::merge(const Moments &o)
{
    if (o.count == 0)
        return;
    const bool first = count == 0;
    chanMerge(count, mean, m2, o.count, o.mean, o.m2);
    min = first ? o.min : std::min(min, o.min);
    max = first ? o.max : std::max(max, o.max);
}

double Moments::sampleStd() const
{
    return count > 1 ? std::sqrt(m2 / double(count - 1)) : std::numeric_limits<double>::quiet_NaN();
}

Moments Moments::fromCbor(const QCborValue &v)
{
    const QCborArray a = v.toArray();
    return {a[0].toInteger(), a[1].toDouble(), a[2].toDouble(), a[3].toDouble(), a[4].toDouble()};
}

namespace {

// Two passes over a block small enough to stay in cache (the mean first, then squared deviations:
// accurate), each an Eigen reduction (vectorised).
Moments momentsOfBlock(const double *x, Eigen::Index n)
{
    const Eigen::Map<const Eigen::ArrayXd> v(x, n);
    const auto valid = v == v; // not NaN
    Moments m;
    m.count = valid.count();
    if (m.count == 0)
        return m;
    m.mean = valid.select(v, 0.0).sum() / double(m.count);
    m.m2 = valid.select(v - m.mean, 0.0).square().sum();
    m.min = v.minCoeff<Eigen::PropagateNumbers>();
    m.max = v.maxCoeff<Eigen::PropagateNumbers>();
    return m;
}

} // namespace

Moments momentsOf(const double *x, qint64 n)
{
    constexpr qint64 Block = 4096; // 32 KiB of float64
    Moments m;
    for (qint64 i = 0; i < n; i += Block)
        m.merge(momentsOfBlock(x + i, Eigen::Index(std::min(Block, n - i))));
    return m;
}

void ColumnMoments::add(const QCborArray &columns)
{
    if (m_columns.size() < size_t(columns.size()))
        m_columns.resize(size_t(columns.size()));
    for (qsizetype c = 0; c < columns.size(); ++c)
        m_columns[size_t(c)].merge(Moments::fromCbor(columns[c]));
}

void Concatenate::add(qint64 begin, qint64 end, const QCborValue &part)
{
    m_parts.emplace(begin, std::pair{end, part});
}

void Concatenate::drain(const std::function<void(const QCborValue &part)> &take)
{
    for (auto it = m_parts.begin(); it != m_parts.end() && it->first == m_next; it = m_parts.erase(it)) {
        m_next = it->second.first;
        take(it->second.second);
    }
}

QCborArray Concatenate::values() const
{
    QCborArray all;
    for (const auto &[begin, part] : m_parts)
        for (const QCborValue &v : part.second.toArray())
            all.append(v);
    return all;
}

void addCounts(std::vector<qint64> &into, const QCborArray &counts)
{
    if (into.size() < size_t(counts.size()))
        into.resize(size_t(counts.size()));
    for (qsizetype k = 0; k < counts.size(); ++k)
        into[size_t(k)] += counts[k].toInteger();
}

void mergeMap(QCborMap &into, const QCborMap &part)
{
    for (auto it = part.cbegin(); it != part.cend(); ++it) {
        const QCborValue key = it.key();
        const QCborValue value = it.value();
        if (!into.contains(key)) {
            into.insert(key, value);
            continue;
        }
        const QCborValue have = into.value(key);
        if (have.isInteger() && value.isInteger())
            into.insert(key, have.toInteger() + value.toInteger());
        else if ((have.isDouble() || have.isInteger()) && (value.isDouble() || value.isInteger()))
            into.insert(key, have.toDouble() + value.toDouble());
        else if (have.isArray() && value.isArray()) {
            const QCborArray a = have.toArray();
            const QCborArray b = value.toArray();
            QCborArray sum;
            for (qsizetype k = 0; k < std::max(a.size(), b.size()); ++k)
                sum.append(k < a.size() && k < b.size() ? a[k].toInteger() + b[k].toInteger()
                                                        : (k < a.size() ? a[k] : b[k]));
            into.insert(key, sum);
        }
    }
}

} // namespace brigade::reducers
