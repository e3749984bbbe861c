// ResultKind: the shape of a job's result, declared by the job (Job::resultKind()); the store writes each
// kind in one layout per format, and the result view picks its chart by it.
#pragma once

#include "core/base/enumnames.h"

#include <QString>

#include <optional>

namespace brigade {

enum class ResultKind {
    Scalars,       // named numbers and texts ("count", "sum", ...): a key,value table
    ColumnStats,   // "columns": per column count, mean, std, min, max
    Histogram,     // "columns": per column "edges" and "counts"
    Matrix,        // "columns" names, "correlation" (and "covariance") matrices
    ImageFeatures, // "features": per image size, mean colour and a brightness histogram
    Array,         // scalars, and the float64 array the job changed in place (what an output file holds)
    List,          // scalars, and a list of values (one a line in an output file)
    Rows,          // scalars; the job streams its rows to the output file as they arrive
};

inline constexpr EnumName<ResultKind> ResultKindNames[] = {
    {ResultKind::Scalars, u"scalars"},
    {ResultKind::ColumnStats, u"column-stats"},
    {ResultKind::Histogram, u"histogram"},
    {ResultKind::Matrix, u"matrix"},
    {ResultKind::ImageFeatures, u"image-features"},
    {ResultKind::Array, u"array"},
    {ResultKind::List, u"list"},
    {ResultKind::Rows, u"rows"},
};

inline QString resultKindName(ResultKind kind)
{
    return enumName(ResultKindNames, kind);
}

inline std::optional<ResultKind> resultKindFromName(QStringView name)
{
    return enumFromName(ResultKindNames, name);
}

// The key of a run's result map that names its kind (the engine adds it: {"kind": "histogram", ...}).
inline QString resultKindKey()
{
    return QStringLiteral("kind");
}

} // namespace brigade
