#include "core/jobs/params.h"

#include "core/base/enumnames.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr EnumName<ParamType> ParamTypeNames[] = {{ParamType::Int, u"integer"},
                                                  {ParamType::Double, u"number"},
                                                  {ParamType::String, u"text"},
                                                  {ParamType::Bool, u"boolean"},
                                                  {ParamType::Choice, u"choice"}};

} // namespace

QString paramTypeName(ParamType type)
{
    return enumName(ParamTypeNames, type);
}

Result<QVariant> convertParam(const ParamSpec &spec, const QVariant &given)
{
    const QString flag = u"--"_s + spec.name;
    const QString text = given.toString().trimmed();
    switch (spec.type) {
    case ParamType::Int: {
        bool ok = false;
        const qint64 v = given.typeId() == QMetaType::QString ? text.toLongLong(&ok) : given.toLongLong(&ok);
        if (!ok)
            return usageFailure(flag + u": \"%1\" is not an integer"_s.arg(text));
        if (spec.minimum.isValid() && v < spec.minimum.toLongLong())
            return usageFailure(flag +
                                u": %1 is below the minimum %2"_s.arg(v).arg(spec.minimum.toLongLong()));
        if (spec.maximum.isValid() && v > spec.maximum.toLongLong())
            return usageFailure(flag +
                                u": %1 is above the maximum %2"_s.arg(v).arg(spec.maximum.toLongLong()));
        return QVariant(v);
    }
    case ParamType::Double: {
        bool ok = false;
        const double v = given.typeId() == QMetaType::QString ? text.toDouble(&ok) : given.toDouble(&ok);
        if (!ok || !std::isfinite(v))
            return usageFailure(flag + u": \"%1\" is not a finite number"_s.arg(text));
        if (spec.minimum.isValid() && v < spec.minimum.toDouble())
            return usageFailure(flag + u": %1 is below the minimum %2"_s.arg(v).arg(spec.minimum.toDouble()));
        if (spec.maximum.isValid() && v > spec.maximum.toDouble())
            return usageFailure(flag + u": %1 is above the maximum %2"_s.arg(v).arg(spec.maximum.toDouble()));
        return QVariant(v);
    }
    case ParamType::Bool: {
        if (given.typeId() == QMetaType::Bool)
            return given;
        const QString t = text.toLower();
        if (t == u"true"_s || t == u"1"_s || t == u"yes"_s || t == u"on"_s)
            return QVariant(true);
        if (t == u"false"_s || t == u"0"_s || t == u"no"_s || t == u"off"_s)
            return QVariant(false);
        return usageFailure(flag + u": \"%1\" is not true or false"_s.arg(text));
    }
    case ParamType::Choice:
        if (!spec.choices.contains(text))
            return usageFailure(flag + u": \"%1\" is not one of %2"_s.arg(text, spec.choices.join(u", "_s)));
        return QVariant(text);
    case ParamType::String:
        return QVariant(given.toString());
    }
    return usageFailure(flag + u": unknown parameter type"_s);
}

Result<QVariantMap> resolveParams(const QList<ParamSpec> &specs, const QVariantMap &given)
{
    QVariantMap resolved;
    for (auto it = given.cbegin(); it != given.cend(); ++it) {
        const bool known =
            std::any_of(specs.cbegin(), specs.cend(), [&](const ParamSpec &s) { return s.name == it.key(); });
        if (!known)
            return usageFailure(u"--"_s + it.key() + u": unknown parameter"_s);
    }
    for (const ParamSpec &spec : specs) {
        if (!given.contains(spec.name)) {
            resolved.insert(spec.name, spec.defaultValue);
            continue;
        }
        auto value = convertParam(spec, given.value(spec.name));
        if (!value)
            return value.failure();
        resolved.insert(spec.name, *value);
    }
    return resolved;
}

} // namespace brigade
