// RunSettingsForm: one editor per run-setting spec of the form, built and read from the spec table.
#include "ui/runsettingsform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QThread>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr int MiBShift = 20; // the form shows sizes in MiB

int intMaximum(const RunSettingSpec &spec)
{
    const QVariant bound = spec.formMaximum.isValid() ? spec.formMaximum : spec.maximum;
    qint64 max = bound.isValid() ? bound.toLongLong() : std::numeric_limits<int>::max();
    if (spec.type == SettingType::Size)
        max >>= MiBShift;
    return int(std::min<qint64>(max, std::numeric_limits<int>::max()));
}

} // namespace

RunSettingsForm::RunSettingsForm(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QFormLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (const RunSettingSpec &spec : runSettingSpecs()) {
        if (spec.place != SettingPlace::Form)
            continue;
        Field field;
        field.spec = &spec;
        QWidget *editor = makeEditor(field);
        field.editor->setObjectName(spec.formName);
        field.editor->setAccessibleName(spec.accessibleName);
        field.editor->setToolTip(spec.help);
        auto *label = new QLabel(spec.label, this);
        label->setBuddy(field.automatic ? static_cast<QWidget *>(field.automatic) : field.editor);
        layout->addRow(label, editor);
        m_fields.append(field);
    }
    setFrom(RunRequest{});
}

QWidget *RunSettingsForm::makeEditor(Field &field)
{
    const RunSettingSpec &spec = *field.spec;
    switch (spec.type) {
    case SettingType::Bool: {
        auto *box = new QCheckBox(spec.help, this);
        field.editor = box;
        return box;
    }
    case SettingType::Choice: {
        auto *combo = new QComboBox(this);
        for (qsizetype i = 0; i < spec.choices.size(); ++i)
            combo->addItem(spec.choices[i] + u": "_s + spec.choiceHelp.value(i), spec.choices[i]);
        field.editor = combo;
        return combo;
    }
    case SettingType::Double: {
        auto *spin = new QDoubleSpinBox(this);
        spin->setRange(spec.minimum.toDouble(), spec.maximum.toDouble());
        spin->setDecimals(1);
        spin->setSuffix(spec.formSuffix);
        spin->setSpecialValueText(spec.zeroText);
        field.editor = spin;
        return spin;
    }
    case SettingType::Int:
    case SettingType::Size: {
        auto *spin = new QSpinBox(this);
        spin->setRange(int(spec.minimum.toLongLong()), intMaximum(spec));
        spin->setSuffix(spec.formSuffix);
        spin->setSpecialValueText(spec.zeroText);
        if (spec.type == SettingType::Size)
            spin->setSingleStep(256);
        // What the number shows while the request says "automatic" (0): one per core for the workers.
        if (spec.zeroIsAuto)
            spin->setValue(int(std::clamp<qint64>(spec.formStart.isValid() ? spec.formStart.toLongLong()
                                                                           : QThread::idealThreadCount(),
                                                  spin->minimum(), spin->maximum())));
        field.editor = spin;
        if (spec.autoWord.isEmpty())
            return spin;
        // "auto" beside the number: the number is used only while "auto" is off.
        auto *row = new QWidget(this);
        auto *rowLayout = new QHBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        field.automatic = new QCheckBox(spec.autoWord, row);
        field.automatic->setObjectName(spec.autoFormName);
        field.automatic->setAccessibleName(spec.autoAccessibleName);
        spin->setParent(row);
        connect(field.automatic, &QCheckBox::toggled, spin,
                [spin](bool automatic) { spin->setEnabled(!automatic); });
        rowLayout->addWidget(field.automatic);
        rowLayout->addWidget(spin, 1);
        return row;
    }
    case SettingType::Path:
        break;
    }
    field.editor = new QWidget(this);
    return field.editor;
}

const RunSettingsForm::Field *RunSettingsForm::field(const QString &name) const
{
    for (const Field &f : m_fields)
        if (f.spec->name == name)
            return &f;
    return nullptr;
}

QWidget *RunSettingsForm::editor(const QString &name) const
{
    const Field *f = field(name);
    return f ? f->editor : nullptr;
}

QVariant RunSettingsForm::value(const QString &name) const
{
    const Field *f = field(name);
    if (!f)
        return {};
    if (f->automatic && f->automatic->isChecked())
        return qint64(0);
    if (auto *box = qobject_cast<QCheckBox *>(f->editor))
        return box->isChecked();
    if (auto *combo = qobject_cast<QComboBox *>(f->editor))
        return combo->currentData();
    if (auto *spin = qobject_cast<QDoubleSpinBox *>(f->editor))
        return spin->value();
    if (auto *spin = qobject_cast<QSpinBox *>(f->editor))
        return f->spec->type == SettingType::Size ? qint64(spin->value()) << MiBShift : qint64(spin->value());
    return {};
}

void RunSettingsForm::setValue(const QString &name, const QVariant &value)
{
    const Field *f = field(name);
    if (!f)
        return;
    const RunSettingSpec &spec = *f->spec;
    if (auto *box = qobject_cast<QCheckBox *>(f->editor))
        box->setChecked(value.toBool());
    else if (auto *combo = qobject_cast<QComboBox *>(f->editor))
        combo->setCurrentIndex(std::max(0, combo->findData(value.toString())));
    else if (auto *spin = qobject_cast<QDoubleSpinBox *>(f->editor))
        spin->setValue(value.toDouble());
    else if (auto *spin = qobject_cast<QSpinBox *>(f->editor)) {
        qint64 v = value.toLongLong();
        if (spec.type == SettingType::Size)
            v >>= MiBShift;
        if (f->automatic)
            f->automatic->setChecked(v == 0);
        if (v == 0 && spec.zeroIsAuto)
            return; // automatic: the number keeps what it shows
        spin->setValue(int(std::clamp<qint64>(v, spin->minimum(), spin->maximum())));
    }
}

void RunSettingsForm::setFrom(const RunRequest &request)
{
    for (const Field &f : std::as_const(m_fields))
        setValue(f.spec->name, f.spec->read(request));
}

void RunSettingsForm::applyTo(RunRequest &request) const
{
    for (const Field &f : m_fields)
        f.spec->write(request, value(f.spec->name));
}

} // namespace brigade
