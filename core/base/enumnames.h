// Enum <-> name tables, written once per enum: a constexpr array of {value, name} pairs, read both ways.
#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <string_view>
#include <utility>

namespace brigade {

template<typename E> using EnumName = std::pair<E, std::u16string_view>;

// The name of `value` in `table`; empty when the table does not list it.
template<typename E, std::size_t N> QString enumName(const EnumName<E> (&table)[N], E value)
{
    for (const auto &[v, name] : table)
        if (v == value)
            return QString::fromUtf16(name.data(), qsizetype(name.size()));
    return {};
}

// The value named `name` (exactly, as enumName writes it); nullopt for any other text.
template<typename E, std::size_t N>
std::optional<E> enumFromName(const EnumName<E> (&table)[N], QStringView name)
{
    for (const auto &[v, n] : table)
        if (name == QStringView(n.data(), qsizetype(n.size())))
            return v;
    return std::nullopt;
}

// Every name of the table, in its order (for help texts and choice lists).
template<typename E, std::size_t N> QStringList enumNames(const EnumName<E> (&table)[N])
{
    QStringList names;
    for (const auto &entry : table)
        names.append(QString::fromUtf16(entry.second.data(), qsizetype(entry.second.size())));
    return names;
}

} // namespace brigade
