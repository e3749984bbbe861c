// RunSettingsForm: the editor of the run settings, generated from the run-setting specs (runsettings.h).
#pragma once

#include "core/run/runsettings.h"

#include <QWidget>

class QCheckBox;

namespace brigade {

class RunSettingsForm : public QWidget
{
    Q_OBJECT

public:
    explicit RunSettingsForm(QWidget *parent = nullptr);

    // Writes the form's settings into a request (the settings the form does not show are left alone).
    void applyTo(RunRequest &request) const;
    // Fills the editors from a request's settings; an automatic setting (0) without an "auto" checkbox
    // (the workers' "one per core") keeps the editor's value.
    void setFrom(const RunRequest &request);
    // One setting, in the spec's value type (e.g. "workers", qint64(4); "chunk-size", 0 for auto).
    void setValue(const QString &name, const QVariant &value);
    QVariant value(const QString &name) const;
    // The editor of a setting (its objectName is the spec's formName), or null.
    QWidget *editor(const QString &name) const;

private:
    struct Field {
        const RunSettingSpec *spec = nullptr;
        QWidget *editor = nullptr;
        QCheckBox *automatic = nullptr; // autoWord's checkbox, if the setting has one
    };

    QWidget *makeEditor(Field &field);
    const Field *field(const QString &name) const;

    QList<Field> m_fields;
};

} // namespace brigade
