// ParamForm: the editor for a job's parameters, generated from its ParamSpecs and validated inline.
#pragma once

#include "core/jobs/params.h"

#include <QWidget>

class QLabel;

namespace brigade {

class ParamForm : public QWidget
{
    Q_OBJECT

public:
    explicit ParamForm(const QList<ParamSpec> &specs, QWidget *parent = nullptr);

    // The typed values of the valid fields (an invalid field is left out).
    QVariantMap values() const;
    // Fills the editors from values (e.g. a past run's); parameters not in `values` keep theirs.
    void setValues(const QVariantMap &values);
    bool isValid() const { return m_invalid == 0; }
    // The editor of a parameter, or null; its objectName is "param-<name>".
    QWidget *editor(const QString &name) const;

Q_SIGNALS:
    void validityChanged(bool valid);
    void valuesChanged();

private:
    struct Field {
        ParamSpec spec;
        QWidget *editor = nullptr;
        QLabel *error = nullptr;
        bool valid = true;
    };

    QWidget *makeEditor(const ParamSpec &spec);
    QVariant rawValue(const Field &field) const;
    void revalidate(qsizetype index);

    QList<Field> m_fields;
    int m_invalid = 0;
};

} // namespace brigade
