// The run-settings table: every setting of a RunRequest, how it is given, checked and recorded.
#include "core/run/runsettings.h"

#include <QCborValue>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

template<typename E, std::size_t N> QVariant choice(const EnumName<E> (&table)[N], E value)
{
    return enumName(table, value);
}
template<typename E, std::size_t N> E fromChoice(const EnumName<E> (&table)[N], const QVariant &v, E fallback)
{
    return enumFromName(table, v.toString()).value_or(fallback);
}

QList<RunSettingSpec> makeSpecs()
{
    QList<RunSettingSpec> specs;
    auto add = [&](RunSettingSpec spec) {
        spec.defaultValue = spec.read(RunRequest{});
        specs.append(std::move(spec));
    };
    RunSettingSpec s;

    s = {};
    s.name = u"input"_s;
    s.historyKey = u"input"_s;
    s.type = SettingType::Path;
    s.valueName = u"PATH"_s;
    s.help = u"the dataset: a .csv, .tsv, .npy file or a folder of images"_s;
    s.place = SettingPlace::Dataset;
    s.read = [](const RunRequest &r) { return QVariant(r.input.path); };
    s.write = [](RunRequest &r, const QVariant &v) { r.input.path = v.toString(); };
    add(s);

    s = {};
    s.name = u"rows"_s;
    s.historyKey = u"rows"_s;
    s.minimum = qint64(1);
    s.zeroIsAuto = true; // 0: no generated table
    s.valueName = u"N"_s;
    s.help = u"instead of --input: a generated table of N rows"_s;
    s.rule = u"must be at least 1"_s;
    s.place = SettingPlace::Dataset;
    s.read = [](const RunRequest &r) { return QVariant(r.input.generatedRows); };
    s.write = [](RunRequest &r, const QVariant &v) { r.input.generatedRows = v.toLongLong(); };
    add(s);

    s = {};
    s.name = u"cols"_s;
    s.historyKey = u"cols"_s;
    s.minimum = qint64(1);
    s.valueName = u"C"_s;
    s.help = u"the generated table's columns"_s;
    s.rule = u"must be at least 1"_s;
    s.place = SettingPlace::Dataset;
    s.read = [](const RunRequest &r) { return QVariant(r.input.generatedCols); };
    s.write = [](RunRequest &r, const QVariant &v) { r.input.generatedCols = v.toLongLong(); };
    add(s);

    s = {};
    s.name = u"distribution"_s;
    s.historyKey = u"distribution"_s;
    s.type = SettingType::Choice;
    s.choices = enumNames(DistributionNames);
    s.choiceHelp = {u"the row index"_s, u"uniform on [0, 1)"_s, u"standard normal"_s};
    s.help = u"the generated table's values"_s;
    s.place = SettingPlace::Dataset;
    s.read = [](const RunRequest &r) { return choice(DistributionNames, r.input.distribution); };
    s.write = [](RunRequest &r, const QVariant &v) {
        r.input.distribution = fromChoice(DistributionNames, v, Distribution::Range);
    };
    add(s);

    s = {};
    s.name = u"seed"_s;
    s.historyKey = u"seed"_s;
    s.minimum = qint64(0);
    s.valueName = u"S"_s;
    s.help = u"the generated table's random seed"_s;
    s.rule = u"must be 0 or more"_s;
    s.place = SettingPlace::Dataset;
    s.read = [](const RunRequest &r) { return QVariant(qint64(r.input.seed)); };
    s.write = [](RunRequest &r, const QVariant &v) { r.input.seed = quint64(v.toLongLong()); };
    add(s);

    s = {};
    s.name = u"on-bad-row"_s;
    s.historyKey = u"skip_bad_rows"_s;
    s.type = SettingType::Choice;
    s.choices = enumNames(BadRowPolicyNames);
    s.choiceHelp = {u"stop the run"_s, u"skip the row and count it"_s};
    s.help = u"CSV rows with the wrong number of fields"_s;
    s.place = SettingPlace::Dataset;
    s.read = [](const RunRequest &r) { return choice(BadRowPolicyNames, r.input.onBadRow); };
    s.write = [](RunRequest &r, const QVariant &v) {
        r.input.onBadRow = fromChoice(BadRowPolicyNames, v, BadRowPolicy::Error);
    };
    s.toHistory = [](const QVariant &v) { return QCborValue(v.toString() == u"skip"_s); };
    s.fromHistory = [](const QCborValue &v) { return QVariant(v.toBool() ? u"skip"_s : u"error"_s); };
    add(s);

    s = {};
    s.name = u"output"_s;
    s.historyKey = u"output"_s;
    s.type = SettingType::Path;
    s.valueName = u"PATH"_s;
    s.help = u"write the result there (.csv, .npy, .json), only when the run succeeds"_s;
    s.place = SettingPlace::None;
    s.read = [](const RunRequest &r) { return QVariant(r.output); };
    s.write = [](RunRequest &r, const QVariant &v) { r.output = v.toString(); };
    add(s);

    s = {};
    s.name = u"workers"_s;
    s.historyKey = u"workers"_s;
    s.minimum = qint64(1);
    s.zeroIsAuto = true; // 0: one per core
    s.valueName = u"N"_s;
    s.maximum = qint64(MaxWorkers);
    s.help = u"Number of worker processes (at most %1)"_s.arg(MaxWorkers);
    s.rule = u"must be 1 to %1"_s.arg(MaxWorkers);
    s.label = u"&Workers:"_s;
    s.formName = u"workers"_s;
    s.accessibleName = u"Workers"_s;
    s.formMaximum = qint64(64);
    s.read = [](const RunRequest &r) { return QVariant(qint64(r.workers)); };
    s.write = [](RunRequest &r, const QVariant &v) { r.workers = int(v.toLongLong()); };
    add(s);

    s = {};
    s.name = u"chunk-size"_s;
    s.historyKey = u"chunk_size"_s;
    s.minimum = qint64(1);
    s.formMaximum = qint64(1'000'000'000);
    s.formStart = qint64(1000);
    s.autoFormName = u"chunkAuto"_s;
    s.autoAccessibleName = u"Automatic chunk size"_s;
    s.zeroIsAuto = true;
    s.autoWord = u"auto"_s;
    s.valueName = u"N|auto"_s;
    s.help = u"Items per task"_s;
    s.rule = u"must be a positive number or auto"_s;
    s.label = u"&Chunk size:"_s;
    s.formName = u"chunkSize"_s;
    s.accessibleName = u"Chunk size"_s;
    s.read = [](const RunRequest &r) { return QVariant(r.chunkSize); };
    s.write = [](RunRequest &r, const QVariant &v) { r.chunkSize = v.toLongLong(); };
    add(s);

    s = {};
    s.name = u"ordered"_s;
    s.historyKey = u"ordered"_s;
    s.type = SettingType::Bool;
    s.negation = u"unordered"_s;
    s.help = u"Reduce results in task order"_s;
    s.label = u"Ordered:"_s;
    s.formName = u"ordered"_s;
    s.accessibleName = u"Ordered"_s;
    s.read = [](const RunRequest &r) { return QVariant(r.ordered); };
    s.write = [](RunRequest &r, const QVariant &v) { r.ordered = v.toBool(); };
    add(s);

    s = {};
    s.name = u"retries"_s;
    s.historyKey = u"retries"_s;
    s.minimum = qint64(0);
    s.formMaximum = qint64(100);
    s.valueName = u"N"_s;
    s.help = u"Further attempts of a task after a failed one, each on a fresh worker"_s;
    s.rule = u"must be 0 or more"_s;
    s.label = u"&Retries:"_s;
    s.formName = u"retries"_s;
    s.accessibleName = u"Retries"_s;
    s.read = [](const RunRequest &r) { return QVariant(qint64(r.retries)); };
    s.write = [](RunRequest &r, const QVariant &v) { r.retries = int(v.toLongLong()); };
    add(s);

    s = {};
    s.name = u"timeout"_s;
    s.historyKey = u"timeout_s"_s;
    s.type = SettingType::Double;
    s.minimum = 0.0;
    s.maximum = 7 * 24 * 3600.0;
    s.zeroText = u"none"_s;
    s.formSuffix = u" s"_s;
    s.valueName = u"SECONDS"_s;
    s.help = u"A task running longer is stopped and tried again; 0 for no limit"_s;
    s.leastNonZero = 0.001; // below a millisecond a timer cannot tell it from none
    s.rule = u"must be 0 (none) or at least 0.001 seconds"_s;
    s.label = u"&Timeout:"_s;
    s.formName = u"timeout"_s;
    s.accessibleName = u"Task timeout"_s;
    s.read = [](const RunRequest &r) { return QVariant(r.timeoutSeconds); };
    s.write = [](RunRequest &r, const QVariant &v) { r.timeoutSeconds = v.toDouble(); };
    add(s);

    s = {};
    s.name = u"memory-limit"_s;
    s.historyKey = u"memory_limit"_s;
    s.type = SettingType::Size;
    s.minimum = qint64(0);
    s.formMaximum = qint64(1) << 44; // 2^24 MiB
    s.zeroText = u"available"_s;
    s.formSuffix = u" MiB"_s;
    s.valueName = u"SIZE"_s;
    s.help = u"Memory for Brigade and its workers together; a CSV that would not fit is streamed through "
             u"the pool in chunks. 0: the memory available"_s;
    s.rule = u"must be a size such as 512M or 2G"_s;
    s.label = u"&Memory:"_s;
    s.formName = u"memoryLimit"_s;
    s.accessibleName = u"Memory limit"_s;
    s.read = [](const RunRequest &r) { return QVariant(r.memoryLimit); };
    s.write = [](RunRequest &r, const QVariant &v) { r.memoryLimit = v.toLongLong(); };
    add(s);

    s = {};
    s.name = u"halt"_s;
    s.historyKey = u"halt"_s;
    s.type = SettingType::Choice;
    s.choices = enumNames(HaltPolicyNames);
    s.choiceHelp = {u"finish the rest"_s, u"let running tasks finish"_s, u"stop at once"_s};
    s.help = u"What the run does once a task has failed every attempt"_s;
    s.label = u"On failure:"_s;
    s.formName = u"halt"_s;
    s.accessibleName = u"Halt policy"_s;
    s.read = [](const RunRequest &r) { return choice(HaltPolicyNames, r.halt); };
    s.write = [](RunRequest &r, const QVariant &v) {
        r.halt = fromChoice(HaltPolicyNames, v, HaltPolicy::Never);
    };
    add(s);

    s = {};
    s.name = u"max-tasks-per-worker"_s;
    s.historyKey = u"max_tasks_per_worker"_s;
    s.minimum = qint64(0);
    s.valueName = u"N"_s;
    s.help = u"recycle a worker after N tasks; 0 never"_s;
    s.rule = u"must be 0 (never recycle) or more"_s;
    s.place = SettingPlace::None;
    s.read = [](const RunRequest &r) { return QVariant(qint64(r.maxTasksPerWorker)); };
    s.write = [](RunRequest &r, const QVariant &v) { r.maxTasksPerWorker = int(v.toLongLong()); };
    add(s);

    s = {};
    s.name = u"backend"_s;
    s.historyKey = u"backend"_s;
    s.type = SettingType::Path; // a name the engine's backend factory checks (core/engine/workerbackend.h)
    s.valueName = u"NAME"_s;
    s.help = u"What runs the workers: local (processes on this machine)"_s;
    s.place = SettingPlace::None;
    s.read = [](const RunRequest &r) { return QVariant(r.backend); };
    s.write = [](RunRequest &r, const QVariant &v) { r.backend = v.toString(); };
    add(s);

    return specs;
}

bool inRange(const RunSettingSpec &spec, const QVariant &value)
{
    if (spec.type == SettingType::Choice)
        return spec.choices.contains(value.toString());
    if (spec.type != SettingType::Int && spec.type != SettingType::Size && spec.type != SettingType::Double)
        return true;
    const double x = value.toDouble();
    if (spec.zeroIsAuto && x == 0)
        return true;
    if (spec.minimum.isValid() && x < spec.minimum.toDouble())
        return false;
    if (spec.maximum.isValid() && x > spec.maximum.toDouble())
        return false;
    if (x != 0 && std::abs(x) < spec.leastNonZero)
        return false;
    return std::isfinite(x);
}

} // namespace

const QList<RunSettingSpec> &runSettingSpecs()
{
    static const QList<RunSettingSpec> specs = makeSpecs();
    return specs;
}

const RunSettingSpec *findRunSetting(const QString &name)
{
    for (const RunSettingSpec &spec : runSettingSpecs())
        if (spec.name == name)
            return &spec;
    return nullptr;
}

std::optional<qint64> parseSize(const QString &text)
{
    static const QRegularExpression pattern(uR"(^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*$)"_s);
    const auto match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const double number = match.captured(1).toDouble();
    const QString unit = match.captured(2).toUpper();
    const int shift = unit == u"K"_s   ? 10
                      : unit == u"M"_s ? 20
                      : unit == u"G"_s ? 30
                      : unit == u"T"_s ? 40
                                       : 0;
    const double bytes = std::ldexp(number, shift);
    if (bytes < 1 || bytes > 9e18)
        return std::nullopt;
    return qint64(bytes);
}

Result<QVariant> parseRunSetting(const RunSettingSpec &spec, const QString &text)
{
    const Failure invalid = usageFailure(u"--%1: \"%2\" is not a valid value"_s.arg(spec.name, text));
    QVariant value;
    bool ok = true;
    switch (spec.type) {
    case SettingType::Int:
        if (spec.zeroIsAuto && !spec.autoWord.isEmpty() && text == spec.autoWord)
            return QVariant(qint64(0));
        value = text.toLongLong(&ok);
        if (ok && value.toLongLong() == 0 && spec.zeroIsAuto) // 0 is said by its word, if at all
            ok = false;
        break;
    case SettingType::Double:
        value = text.toDouble(&ok);
        break;
    case SettingType::Bool:
        ok = text == u"true"_s || text == u"false"_s;
        value = text == u"true"_s;
        break;
    case SettingType::Choice:
    case SettingType::Path:
        value = text;
        break;
    case SettingType::Size: {
        const auto bytes = parseSize(text);
        ok = bytes.has_value();
        value = bytes.value_or(0);
        break;
    }
    }
    if (!ok)
        return invalid;
    if (!inRange(spec, value)) // a number, but not one the setting takes: say which it takes
        return spec.rule.isEmpty()
                   ? invalid
                   : usageFailure(u"--%1: \"%2\" is not a valid value: %3"_s.arg(spec.name, text, spec.rule));
    return value;
}

Result<void> validateRunSettings(const RunRequest &request)
{
    for (const RunSettingSpec &spec : runSettingSpecs())
        if (!inRange(spec, spec.read(request)))
            return usageFailure(u"--%1: %2"_s.arg(spec.name, spec.rule));
    return {};
}

void runSettingsToCbor(const RunRequest &request, QCborMap &map)
{
    for (const RunSettingSpec &spec : runSettingSpecs()) {
        const QVariant value = spec.read(request);
        map.insert(spec.historyKey, spec.toHistory ? spec.toHistory(value) : QCborValue::fromVariant(value));
    }
}

void runSettingsFromCbor(const QCborMap &map, RunRequest &request)
{
    for (const RunSettingSpec &spec : runSettingSpecs()) {
        const QCborValue v = map.value(spec.historyKey);
        if (v.isUndefined() || v.isNull()) {
            spec.write(request, spec.defaultValue);
            continue;
        }
        if (spec.fromHistory) {
            spec.write(request, spec.fromHistory(v));
            continue;
        }
        switch (spec.type) {
        case SettingType::Int:
        case SettingType::Size:
            spec.write(request, v.toInteger());
            break;
        case SettingType::Double:
            spec.write(request, v.toDouble());
            break;
        case SettingType::Bool:
            spec.write(request, v.toBool());
            break;
        case SettingType::Choice:
        case SettingType::Path:
            spec.write(request, v.toString());
            break;
        }
    }
}

QString runSettingsHelp()
{
    QString help;
    for (const RunSettingSpec &spec : runSettingSpecs()) {
        QString flag = u"--"_s + spec.name;
        if (spec.type == SettingType::Bool && !spec.negation.isEmpty())
            flag += u"|--"_s + spec.negation;
        else if (spec.type == SettingType::Choice)
            flag += u' ' + spec.choices.join(u'|');
        else if (spec.type != SettingType::Bool)
            flag += u' ' + spec.valueName;
        QString line = u"  "_s + flag.leftJustified(34) + u' ' + spec.help;
        if (spec.type == SettingType::Choice) {
            QStringList items;
            for (qsizetype i = 0; i < spec.choices.size(); ++i)
                items << spec.choices[i] + u": "_s + spec.choiceHelp.value(i);
            line += u" ("_s + items.join(u"; "_s) + u')';
        }
        QString defaultText = spec.defaultValue.toString();
        if (spec.type == SettingType::Bool)
            defaultText = spec.defaultValue.toBool() ? u"on"_s : u"off"_s;
        else if (spec.defaultValue.toDouble() == 0 && spec.type != SettingType::Choice)
            defaultText = spec.zeroIsAuto           ? spec.autoWord
                          : spec.zeroText.isEmpty() ? defaultText
                                                    : spec.zeroText;
        if (spec.type == SettingType::Size)
            line += u" (a size: 512M, 2G)"_s;
        if (!defaultText.isEmpty() && spec.type != SettingType::Path)
            line += u" [default "_s + defaultText + u']';
        help += line + u'\n';
    }
    return help;
}

} // namespace brigade
