// ParamForm: one editor per ParamSpec; convertParam (the CLI's own check) validates every edit.
#include "ui/paramform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace brigade {

ParamForm::ParamForm(const QList<ParamSpec> &specs, QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QFormLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    if (specs.isEmpty()) {
        auto *none = new QLabel(tr("This job has no parameters."), this);
        none->setEnabled(false);
        layout->addRow(none);
    }
    for (const ParamSpec &spec : specs) {
        Field field;
        field.spec = spec;
        field.editor = makeEditor(spec);
        field.editor->setObjectName(u"param-"_s + spec.name);
        field.editor->setAccessibleName(spec.name);
        field.editor->setAccessibleDescription(spec.help);
        field.editor->setToolTip(spec.help);

        field.error = new QLabel(this);
        field.error->setObjectName(u"param-error-"_s + spec.name);
        field.error->setWordWrap(true);
        field.error->setStyleSheet(u"color: #c62828;"_s);
        field.error->setVisible(false);

        // The editor and its error label share the field column, so the error sits right under it.
        auto *cell = new QWidget(this);
        auto *cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->setSpacing(2);
        cellLayout->addWidget(field.editor);
        cellLayout->addWidget(field.error);

        auto *label = new QLabel(spec.name + u":"_s, this);
        label->setBuddy(field.editor);
        label->setToolTip(spec.help);
        layout->addRow(label, cell);
        m_fields.append(field);
    }
    for (qsizetype i = 0; i < m_fields.size(); ++i)
        revalidate(i);
}

QWidget *ParamForm::makeEditor(const ParamSpec &spec)
{
    const qsizetype index = m_fields.size();
    switch (spec.type) {
    case ParamType::Bool: {
        auto *box = new QCheckBox(this);
        box->setChecked(spec.defaultValue.toBool());
        connect(box, &QCheckBox::toggled, this, [this, index] { revalidate(index); });
        return box;
    }
    case ParamType::Choice: {
        auto *combo = new QComboBox(this);
        combo->addItems(spec.choices);
        combo->setCurrentText(spec.defaultValue.toString());
        connect(combo, &QComboBox::currentIndexChanged, this, [this, index] { revalidate(index); });
        return combo;
    }
    case ParamType::Int:
    case ParamType::Double:
    case ParamType::String: {
        // A line edit for numbers too: qint64 does not fit a QSpinBox, and a typo must show its reason.
        auto *edit = new QLineEdit(this);
        if (spec.defaultValue.isValid())
            edit->setText(spec.type == ParamType::Double
                              ? QString::number(spec.defaultValue.toDouble(), 'g', 15)
                              : spec.defaultValue.toString());
        QString hint = spec.type == ParamType::String ? spec.help : paramTypeName(spec.type);
        if (spec.minimum.isValid() && spec.maximum.isValid())
            hint += u" %1 to %2"_s.arg(spec.minimum.toString(), spec.maximum.toString());
        else if (spec.minimum.isValid())
            hint += u" ≥ %1"_s.arg(spec.minimum.toString());
        else if (spec.maximum.isValid())
            hint += u" ≤ %1"_s.arg(spec.maximum.toString());
        edit->setPlaceholderText(hint);
        connect(edit, &QLineEdit::textChanged, this, [this, index] { revalidate(index); });
        return edit;
    }
    }
    return new QWidget(this);
}

QVariant ParamForm::rawValue(const Field &field) const
{
    if (auto *box = qobject_cast<QCheckBox *>(field.editor))
        return box->isChecked();
    if (auto *combo = qobject_cast<QComboBox *>(field.editor))
        return combo->currentText();
    if (auto *edit = qobject_cast<QLineEdit *>(field.editor))
        return edit->text();
    return {};
}

void ParamForm::revalidate(qsizetype index)
{
    Field &field = m_fields[index];
    const bool wasFormValid = isValid();
    const auto converted = convertParam(field.spec, rawValue(field));
    const bool valid = converted.ok();
    field.error->setText(valid ? QString() : converted.failure().message);
    field.error->setVisible(!valid);
    field.editor->setStyleSheet(valid ? QString() : u"border: 1px solid #c62828;"_s);
    if (valid != field.valid) {
        field.valid = valid;
        m_invalid += valid ? -1 : 1;
    }
    if (wasFormValid != isValid())
        Q_EMIT validityChanged(isValid());
    Q_EMIT valuesChanged();
}

QVariantMap ParamForm::values() const
{
    QVariantMap map;
    for (const Field &field : m_fields) {
        const auto converted = convertParam(field.spec, rawValue(field));
        if (converted)
            map.insert(field.spec.name, converted.value());
    }
    return map;
}

void ParamForm::setValues(const QVariantMap &values)
{
    for (const Field &field : std::as_const(m_fields)) {
        if (!values.contains(field.spec.name))
            continue;
        const QVariant v = values.value(field.spec.name);
        if (auto *box = qobject_cast<QCheckBox *>(field.editor))
            box->setChecked(v.toBool());
        else if (auto *combo = qobject_cast<QComboBox *>(field.editor))
            combo->setCurrentText(v.toString());
        else if (auto *edit = qobject_cast<QLineEdit *>(field.editor))
            edit->setText(v.typeId() == QMetaType::Double ? QString::number(v.toDouble(), 'g', 17)
                                                          : v.toString());
    }
}

QWidget *ParamForm::editor(const QString &name) const
{
    for (const Field &field : m_fields)
        if (field.spec.name == name)
            return field.editor;
    return nullptr;
}

} // namespace brigade
