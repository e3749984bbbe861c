// Element types a shared array can hold, with their names as numpy spells them.
#pragma once

#include <QLatin1StringView>

#include <cstdint>

namespace brigade {

enum class Dtype : std::uint32_t {
    Float64 = 1,
    Float32 = 2,
    Int64 = 3,
    Int32 = 4,
    UInt8 = 5,
};

constexpr int dtypeSize(Dtype t)
{
    switch (t) {
    case Dtype::Float64:
    case Dtype::Int64:
        return 8;
    case Dtype::Float32:
    case Dtype::Int32:
        return 4;
    case Dtype::UInt8:
        return 1;
    }
    return 0;
}

// "float64", "int32", ...; empty for an unknown value.
QLatin1StringView dtypeName(Dtype t);

template<typename T> constexpr Dtype dtypeOf();
template<> constexpr Dtype dtypeOf<double>()
{
    return Dtype::Float64;
}
template<> constexpr Dtype dtypeOf<float>()
{
    return Dtype::Float32;
}
template<> constexpr Dtype dtypeOf<std::int64_t>()
{
    return Dtype::Int64;
}
template<> constexpr Dtype dtypeOf<std::int32_t>()
{
    return Dtype::Int32;
}
template<> constexpr Dtype dtypeOf<std::uint8_t>()
{
    return Dtype::UInt8;
}

} // namespace brigade
