// ResultView: a run's result as a summary line, a chart suited to the job (box plot of column statistics,
// histogram bars, correlation heatmap, thumbnails of transformed images), a table, and Save As.
#pragma once

#include "core/engine/jobrun.h"
#include "core/store/writers.h"

#include <QWidget>

class QChart;
class QChartView;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSplitter;
class QStackedWidget;
class QTableWidget;

namespace brigade {

class HeatmapView;
class ThumbnailLoader;

class ResultView : public QWidget
{
    Q_OBJECT

public:
    // What the result holds, and so which chart shows it.
    enum class Kind { None, Pairs, Stats, Histogram, Correlation, Images };
    Q_ENUM(Kind)

    explicit ResultView(QWidget *parent = nullptr);
    ~ResultView() override;

    QTableWidget *table() const { return m_table; }
    QChartView *chartView() const { return m_chartView; }
    HeatmapView *heatmap() const { return m_heatmap; }
    QListWidget *thumbnails() const { return m_thumbnails; }
    QComboBox *picker() const { return m_picker; }
    QString summary() const;
    Kind kind() const { return m_kind; }
    const QCborMap &result() const { return m_result; }

    // The formats Save As offers for the result shown: see resultFormats().
    QList<OutputFormat> saveFormats() const;
    // Writes the result shown to path, the extension picking the format (atomic); Save As's back end.
    Result<void> saveAs(const QString &path);

    // Text for one result value: numbers without grouping, so "8363" reads (and greps) as itself.
    static QString valueText(const QCborValue &value);

public Q_SLOTS:
    void clear();
    void showOutcome(const brigade::RunOutcome &outcome);
    // Opens the (non-blocking) file dialog; the chosen name's extension picks the format.
    void chooseSaveFile();

Q_SIGNALS:
    void saved(const QString &path);
    void thumbnailsFinished();

private:
    void showPicked(int index); // the picker's choice: a histogram's column, or which matrix
    void showStats();
    void showHistogram(int column);
    void showMatrix(const QString &key);
    void showImages();
    void fillTable(const ResultTable &table);
    void setChartPage(QWidget *page);
    QChart *freshChart(const QString &title);
    void showChart(QChart *chart);

    Kind m_kind = Kind::None;
    QCborMap m_result;
    QLabel *m_summary = nullptr;
    QLabel *m_pickerLabel = nullptr;
    QComboBox *m_picker = nullptr;
    QLabel *m_saveStatus = nullptr;
    QPushButton *m_saveButton = nullptr;
    QSplitter *m_splitter = nullptr;
    QStackedWidget *m_charts = nullptr;
    QChartView *m_chartView = nullptr;
    HeatmapView *m_heatmap = nullptr;
    QListWidget *m_thumbnails = nullptr;
    ThumbnailLoader *m_loader = nullptr;
    QTableWidget *m_table = nullptr;
};

} // namespace brigade
