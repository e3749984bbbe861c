#include "core/data/dtype.h"

namespace brigade {

QLatin1StringView dtypeName(Dtype t)
{
    switch (t) {
    case Dtype::Float64:
        return QLatin1StringView("float64");
    case Dtype::Float32:
        return QLatin1StringView("float32");
    case Dtype::Int64:
        return QLatin1StringView("int64");
    case Dtype::Int32:
        return QLatin1StringView("int32");
    case Dtype::UInt8:
        return QLatin1StringView("uint8");
    }
    return {};
}

} // namespace brigade
