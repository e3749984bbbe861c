// HeatmapView: a square matrix (a correlation or covariance matrix) painted as coloured cells, diverging
// around 0 (blue below, red above), with the row and column names, the values in the cells when they fit,
// a tooltip per cell and a colour scale.
#pragma once

#include <QStringList>
#include <QWidget>

#include <vector>

namespace brigade {

class HeatmapView : public QWidget
{
    Q_OBJECT

public:
    explicit HeatmapView(QWidget *parent = nullptr);

    // values: row-major, names.size() squared; NaN for a missing value. The colour scale runs from
    // -limit to +limit; limit <= 0 takes the largest magnitude among the values.
    void setMatrix(const QStringList &names, std::vector<double> values, double limit = 1.0);
    void clear();

    int size() const { return int(m_names.size()); }
    const QStringList &names() const { return m_names; }
    double value(int row, int column) const
    {
        return m_values[size_t(row) * size_t(size()) + size_t(column)];
    }
    double limit() const { return m_limit; }

    // The colour of a value on this map's scale; a NaN is the palette's mid tone.
    QColor colorOf(double value) const;
    // The cell under a point in widget coordinates, or {-1, -1}.
    QPoint cellAt(const QPoint &position) const;
    QRect cellRect(int row, int column) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Layout {
        QRect grid;   // the cells
        QRect legend; // the colour scale
        int cell = 0;
        int labelWidth = 0; // of the row names, with a margin
        int header = 0;     // the height of the column names
    };
    Layout layout() const;
    QString valueText(double value, int precision) const;

    QStringList m_names;
    std::vector<double> m_values;
    double m_limit = 1.0;
};

} // namespace brigade
