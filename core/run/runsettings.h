// Run settings described once: one spec per setting generates the CLI flags and their help, the GUI
// settings form, the history record and the validation of a RunRequest's settings.
#pragma once

#include "core/base/enumnames.h"
#include "core/base/result.h"
#include "core/run/runrequest.h"

#include <QCborMap>
#include <QList>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace brigade {

// The most workers a run may have: each is a process with its own memory, and past a few hundred a machine
// spends its time switching between them (and may refuse the fork).
inline constexpr int MaxWorkers = 256;

inline constexpr EnumName<BadRowPolicy> BadRowPolicyNames[] = {{BadRowPolicy::Error, u"error"},
                                                               {BadRowPolicy::Skip, u"skip"}};

enum class SettingType {
    Int,    // qint64
    Double, // double
    Bool,   // bool; on the command line a switch (--name) and, if negation is set, its opposite
    Choice, // QString, one of choices (an enum's name table)
    Size,   // qint64 bytes; written 512M, 2G on the command line, in MiB in the form
    Path,   // QString
};

// Where the window shows a setting.
enum class SettingPlace {
    Form,    // the "Run settings" form (RunSettingsForm)
    Dataset, // the dataset panel (the input, the generated table, malformed rows)
    None,    // the command line only
};

struct RunSettingSpec {
    QString name;       // the CLI flag (--name) and the form editor's objectName base
    QString historyKey; // the key of the history record
    SettingType type = SettingType::Int;
    QVariant defaultValue; // RunRequest's own default (read from RunRequest{})
    QVariant minimum;      // Int, Double, Size: the smallest value given explicitly; invalid for none
    QVariant maximum;      // invalid for no bound
    // Int and Size: 0 means "automatic" and is valid outside [minimum, maximum]. autoWord is how the
    // command line and the form say it (empty: a request may hold 0, a user cannot give it).
    bool zeroIsAuto = false;
    QString autoWord;
    QString zeroText;        // the form's name for 0 when 0 is in range ("none")
    double leastNonZero = 0; // Double: a value other than 0 must be at least this (a timeout of 1 ms)
    QStringList choices;     // Choice: the names
    QStringList choiceHelp;  // Choice: what each name does (help and the form's items)
    QString negation;        // Bool: the opposite switch ("unordered")
    QString valueName;       // in the help: N, SECONDS, SIZE
    QString help;
    QString rule; // what a valid value is, for the validation's message ("must be 0 or more")
    SettingPlace place = SettingPlace::Form;
    QString label;          // the form's label, with its mnemonic
    QString formName;       // the form editor's objectName
    QString accessibleName; // the form editor's accessible name
    QVariant formMaximum;   // the form's upper bound when it is tighter than maximum
    // The form's editor value while the request holds 0 (automatic); invalid: one per core.
    QVariant formStart;
    QString formSuffix;   // after the form's number (" s", " MiB")
    QString autoFormName; // autoWord's checkbox in the form: objectName and accessible name
    QString autoAccessibleName;
    QVariant (*read)(const RunRequest &) = nullptr;
    void (*write)(RunRequest &, const QVariant &) = nullptr;
    // The history record's value; null for the value as is (Choice: its name).
    QCborValue (*toHistory)(const QVariant &) = nullptr;
    QVariant (*fromHistory)(const QCborValue &) = nullptr;
};

// Every run setting, in the order of the help and the form.
const QList<RunSettingSpec> &runSettingSpecs();
const RunSettingSpec *findRunSetting(const QString &name);

// A value given as text on the command line, converted and checked against the spec's range;
// the failure says "--name: "VALUE" is not a valid value".
Result<QVariant> parseRunSetting(const RunSettingSpec &spec, const QString &text);

// The one check of a request's settings (every spec's range); the failure names the flag.
Result<void> validateRunSettings(const RunRequest &request);

// "512M", "2G", "1.5GiB", "64k", "1000000" as bytes; nullopt for anything else or less than a byte.
std::optional<qint64> parseSize(const QString &text);

// The settings of a request in the history record, and back (missing keys: the defaults).
void runSettingsToCbor(const RunRequest &request, QCborMap &map);
void runSettingsFromCbor(const QCborMap &map, RunRequest &request);

// The command line's help for the run settings, one line per flag.
QString runSettingsHelp();

} // namespace brigade
