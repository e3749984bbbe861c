// ResultView: a run's result as a table (per-column statistics or key/value pairs) and a summary line.
#pragma once

#include "core/pool/jobrun.h"

#include <QWidget>

class QLabel;
class QTableWidget;

namespace brigade {

class ResultView : public QWidget
{
    Q_OBJECT

public:
    explicit ResultView(QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }
    QString summary() const;

    // Text for one result value: numbers without grouping, so "8363" reads (and greps) as itself.
    static QString valueText(const QCborValue &value);

public Q_SLOTS:
    void clear();
    void showOutcome(const brigade::RunOutcome &outcome);

private:
    void showColumns(const QCborArray &columns);
    void showPairs(const QCborMap &map);

    QLabel *m_summary = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace brigade
