// Typed job parameters: one spec per parameter generates the CLI flag, the GUI field and the validation.
#pragma once

#include "core/base/result.h"

#include <QStringList>
#include <QVariant>
#include <QVariantMap>

namespace brigade {

enum class ParamType { Int, Double, String, Bool, Choice };

struct ParamSpec {
    QString name; // also the CLI flag: --name
    ParamType type = ParamType::Int;
    QVariant defaultValue;
    QVariant minimum; // Int and Double only; invalid for no bound
    QVariant maximum;
    QStringList choices; // Choice only
    QString help;
};

// Converts a value given as text (CLI) or typed (GUI) to the spec's type and checks its range.
// The failure message names the parameter and says what is expected.
Result<QVariant> convertParam(const ParamSpec &spec, const QVariant &given);

// Applies defaults and checks every given value; unknown names are a usage failure.
Result<QVariantMap> resolveParams(const QList<ParamSpec> &specs, const QVariantMap &given);

QString paramTypeName(ParamType type);

} // namespace brigade
