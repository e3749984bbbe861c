// ResultView: reads the shape of RunOutcome::result (its job's reducer) and picks the chart that shows it.
#include "ui/resultview.h"

#include "ui/heatmapview.h"
#include "ui/thumbnailloader.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QCborArray>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr int MaxHistogramBars = 200; // more bins are merged for the chart (the table keeps them all)
constexpr int ThumbnailSide = 128;

QTableWidgetItem *cell(const QCborValue &value)
{
    auto *item = new QTableWidgetItem(ResultView::valueText(value));
    item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
    if (value.isDouble() || value.isInteger()) {
        item->setData(Qt::UserRole, value.toVariant()); // the exact number, for copying and tests
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    }
    return item;
}

bool isScalar(const QCborValue &value)
{
    return !value.isArray() && !value.isMap();
}

bool isNumber(const QCborValue &value)
{
    return (value.isDouble() || value.isInteger()) && std::isfinite(value.toDouble());
}

QString counted(qint64 n, const QString &one, const QString &many)
{
    return u"%1 %2"_s.arg(n).arg(n == 1 ? one : many);
}

// An axis label: three significant digits, a true minus sign.
QString shortNumber(double v)
{
    return QString::number(v, 'g', 4).replace(u'-', u'−');
}

// The view of a result, by the kind its job declared (core/run/resultkind.h).
ResultView::Kind kindOf(const QCborMap &result)
{
    if (result.isEmpty())
        return ResultView::Kind::None;
    switch (resultKindOf(result)) {
    case ResultKind::ColumnStats:
        return ResultView::Kind::Stats;
    case ResultKind::Histogram:
        return ResultView::Kind::Histogram;
    case ResultKind::Matrix:
        return ResultView::Kind::Correlation;
    case ResultKind::ImageFeatures:
        return ResultView::Kind::Images;
    case ResultKind::Scalars:
    case ResultKind::Array:
    case ResultKind::List:
    case ResultKind::Rows:
        break;
    }
    return ResultView::Kind::Pairs;
}

} // namespace

ResultView::ResultView(QWidget *parent)
    : QWidget(parent)
    , m_loader(new ThumbnailLoader(this))
{
    setObjectName(u"resultView"_s);
    auto *layout = new QVBoxLayout(this);

    m_summary = new QLabel(tr("No result yet"), this);
    m_summary->setObjectName(u"resultSummary"_s);
    m_summary->setAccessibleName(tr("Result summary"));
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    auto *bar = new QHBoxLayout;
    m_pickerLabel = new QLabel(this);
    m_picker = new QComboBox(this);
    m_picker->setObjectName(u"resultPicker"_s);
    m_picker->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_pickerLabel->setBuddy(m_picker);
    m_saveStatus = new QLabel(this);
    m_saveStatus->setObjectName(u"resultSaveStatus"_s);
    m_saveStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_saveButton = new QPushButton(tr("Save &As…"), this);
    m_saveButton->setObjectName(u"resultSaveAs"_s);
    m_saveButton->setAccessibleName(tr("Save result as"));
    m_saveButton->setToolTip(tr("Save the result as CSV, JSON or (for a matrix) NumPy .npy"));
    bar->addWidget(m_pickerLabel);
    bar->addWidget(m_picker);
    bar->addStretch(1);
    bar->addWidget(m_saveStatus);
    bar->addWidget(m_saveButton);
    layout->addLayout(bar);
    connect(m_picker, &QComboBox::currentIndexChanged, this, &ResultView::showPicked);
    connect(m_saveButton, &QPushButton::clicked, this, &ResultView::chooseSaveFile);

    m_charts = new QStackedWidget(this);
    m_charts->setObjectName(u"resultCharts"_s);
    m_chartView = new QChartView(m_charts);
    m_chartView->setObjectName(u"resultChart"_s);
    m_chartView->setAccessibleName(tr("Result chart"));
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(200);
    m_heatmap = new HeatmapView(m_charts);
    m_thumbnails = new QListWidget(m_charts);
    m_thumbnails->setObjectName(u"resultThumbnails"_s);
    m_thumbnails->setAccessibleName(tr("Transformed images"));
    m_thumbnails->setViewMode(QListView::IconMode);
    m_thumbnails->setIconSize({ThumbnailSide, ThumbnailSide});
    m_thumbnails->setSpacing(8);
    m_thumbnails->setResizeMode(QListView::Adjust);
    m_thumbnails->setMovement(QListView::Static);
    m_thumbnails->setWordWrap(true);
    m_charts->addWidget(m_chartView);
    m_charts->addWidget(m_heatmap);
    m_charts->addWidget(m_thumbnails);

    m_table = new QTableWidget(this);
    m_table->setObjectName(u"resultTable"_s);
    m_table->setAccessibleName(tr("Result table"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);

    m_splitter = new QSplitter(Qt::Vertical, this);
    m_splitter->setObjectName(u"resultSplitter"_s);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(m_charts);
    m_splitter->addWidget(m_table);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    layout->addWidget(m_splitter, 1);

    connect(m_loader, &ThumbnailLoader::thumbnailLoaded, this, [this](int index, const QImage &image) {
        if (QListWidgetItem *item = m_thumbnails->item(index))
            item->setIcon(QIcon(QPixmap::fromImage(image)));
    });
    connect(m_loader, &ThumbnailLoader::thumbnailFailed, this, [this](int index, const QString &reason) {
        if (QListWidgetItem *item = m_thumbnails->item(index))
            item->setToolTip(item->toolTip() + u"\n"_s + tr("Cannot show: %1").arg(reason));
    });
    connect(m_loader, &ThumbnailLoader::batchFinished, this, &ResultView::thumbnailsFinished);

    clear();
    m_summary->setText(tr("No result yet"));
}

ResultView::~ResultView() = default;

QString ResultView::summary() const
{
    return m_summary->text();
}

QString ResultView::valueText(const QCborValue &value)
{
    if (value.isInteger())
        return QString::number(value.toInteger());
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 12);
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? u"true"_s : u"false"_s;
    if (value.isNull() || value.isUndefined())
        return u"–"_s;
    if (value.isArray() && value.toArray().size() > 16)
        return tr("[%1 values]").arg(value.toArray().size());
    return value.toDiagnosticNotation(QCborValue::Compact);
}

void ResultView::clear()
{
    m_loader->cancel();
    m_kind = Kind::None;
    m_result = {};
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    {
        const QSignalBlocker blocker(m_picker);
        m_picker->clear();
    }
    m_picker->hide();
    m_pickerLabel->hide();
    m_saveStatus->clear();
    m_saveButton->setEnabled(false);
    m_heatmap->clear();
    m_thumbnails->clear();
    showChart(freshChart({}));
    m_charts->hide();
    m_summary->setText(tr("Running…"));
}

QChart *ResultView::freshChart(const QString &title)
{
    auto *chart = new QChart;
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setAnimationOptions(QChart::NoAnimation);
    return chart;
}

// The view takes the new chart but only releases the one it showed, which is ours to delete.
void ResultView::showChart(QChart *chart)
{
    QChart *previous = m_chartView->chart();
    m_chartView->setChart(chart);
    delete previous;
}

void ResultView::setChartPage(QWidget *page)
{
    m_charts->setCurrentWidget(page);
    m_charts->show();
}

void ResultView::showOutcome(const RunOutcome &outcome)
{
    clear();
    m_result = outcome.result;
    m_kind = kindOf(m_result);
    m_saveButton->setEnabled(!saveFormats().isEmpty());

    switch (m_kind) {
    case Kind::Stats:
        showStats();
        fillTable(resultTable(m_result));
        break;
    case Kind::Histogram: {
        m_pickerLabel->setText(tr("&Column:"));
        const QSignalBlocker blocker(m_picker);
        for (const QCborValue &column : m_result.value(u"columns"_s).toArray())
            m_picker->addItem(column.toMap().value(u"name"_s).toString());
        break;
    }
    case Kind::Correlation: {
        m_pickerLabel->setText(tr("&Matrix:"));
        const QSignalBlocker blocker(m_picker);
        m_picker->addItem(tr("correlation"), u"correlation"_s);
        if (m_result.value(u"covariance"_s).isArray())
            m_picker->addItem(tr("covariance"), u"covariance"_s);
        break;
    }
    case Kind::Images:
        showImages();
        fillTable(resultTable(m_result));
        break;
    case Kind::Pairs:
        fillTable(resultTable(m_result));
        break;
    case Kind::None:
        break;
    }
    if (m_picker->count() > 0) {
        m_picker->setVisible(m_picker->count() > 1);
        m_pickerLabel->setVisible(m_picker->count() > 1);
        m_picker->setCurrentIndex(0);
        showPicked(0);
    }

    QStringList parts{runStatusName(outcome.status)};
    for (auto it = outcome.result.cbegin(); it != outcome.result.cend(); ++it)
        if (isScalar(it.value()) && it.key().toString() != resultKindKey())
            parts.append(it.key().toString() + u": "_s + valueText(it.value()));
    const QCborValue columns = outcome.result.value(u"columns"_s);
    if (columns.isArray() && !columns.toArray().isEmpty())
        parts.append(counted(columns.toArray().size(), tr("column"), tr("columns")));
    const QCborArray textColumns = outcome.result.value(u"text_columns"_s).toArray();
    if (!textColumns.isEmpty())
        parts.append(tr("text columns left out: %1")
                         .arg(QVariant(textColumns.toVariantList()).toStringList().join(u", "_s)));
    parts.append(counted(outcome.workers, tr("worker"), tr("workers")));
    parts.append(counted(outcome.tasks, tr("task"), tr("tasks")));
    if (outcome.failedTasks > 0)
        parts.append(tr("%1 failed").arg(outcome.failedTasks));
    parts.append(u"%1 s"_s.arg(outcome.elapsedSeconds, 0, 'f', 2));
    QString text = parts.join(u" · "_s);
    if (outcome.failure)
        text += u"\n"_s + outcome.failure->describe();
    m_summary->setText(text);
}

void ResultView::showPicked(int index)
{
    if (index < 0)
        return;
    if (m_kind == Kind::Histogram)
        showHistogram(index);
    else if (m_kind == Kind::Correlation)
        showMatrix(m_picker->itemData(index).toString());
}

void ResultView::showStats()
{
    // One box per numeric column: the box spans mean ± std, the line in it is the mean, the whiskers reach
    // the minimum and maximum. Columns without a finite mean (all missing) have nothing to draw.
    auto *series = new QBoxPlotSeries;
    series->setName(tr("columns"));
    for (const QCborValue &value : m_result.value(u"columns"_s).toArray()) {
        const QCborMap column = value.toMap();
        if (!isNumber(column.value(u"mean"_s)))
            continue;
        const double mean = column.value(u"mean"_s).toDouble();
        const double low = isNumber(column.value(u"min"_s)) ? column.value(u"min"_s).toDouble() : mean;
        const double high = isNumber(column.value(u"max"_s)) ? column.value(u"max"_s).toDouble() : mean;
        const double std = isNumber(column.value(u"std"_s)) ? column.value(u"std"_s).toDouble() : 0.0;
        auto *box = new QBoxSet(column.value(u"name"_s).toString());
        box->setValue(QBoxSet::LowerExtreme, low);
        box->setValue(QBoxSet::LowerQuartile, std::max(low, mean - std));
        box->setValue(QBoxSet::Median, mean);
        box->setValue(QBoxSet::UpperQuartile, std::min(high, mean + std));
        box->setValue(QBoxSet::UpperExtreme, high);
        series->append(box);
    }
    if (series->count() == 0) {
        delete series;
        return;
    }
    series->setBoxWidth(0.4);
    connect(series, &QBoxPlotSeries::hovered, this, [this](bool on, QBoxSet *box) {
        if (!on) {
            QToolTip::hideText();
            return;
        }
        QToolTip::showText(QCursor::pos(),
                           tr("%1\nmean %2, std %3\nmin %4, max %5")
                               .arg(box->label(), shortNumber(box->at(QBoxSet::Median)),
                                    shortNumber(box->at(QBoxSet::UpperQuartile) - box->at(QBoxSet::Median)),
                                    shortNumber(box->at(QBoxSet::LowerExtreme)),
                                    shortNumber(box->at(QBoxSet::UpperExtreme))),
                           m_chartView);
    });
    QChart *chart = freshChart(tr("Mean ± std (box) and min–max (whiskers) per column"));
    chart->addSeries(series);
    chart->createDefaultAxes();
    for (QAbstractAxis *axis : chart->axes(Qt::Vertical))
        if (auto *values = qobject_cast<QValueAxis *>(axis))
            values->applyNiceNumbers();
    showChart(chart);
    setChartPage(m_chartView);
}

void ResultView::showHistogram(int columnIndex)
{
    const QCborArray columns = m_result.value(u"columns"_s).toArray();
    if (columnIndex >= columns.size())
        return;
    const QCborMap column = columns[columnIndex].toMap();
    const QString name = column.value(u"name"_s).toString();
    const QCborArray counts = column.value(u"counts"_s).toArray();
    const QCborArray edges = column.value(u"edges"_s).toArray();

    // The table: this column's bins.
    ResultTable table = resultTable(m_result);
    table.rows.removeIf([&](const QCborArray &row) { return row.first().toString() != name; });
    table.header.removeFirst();
    for (QCborArray &row : table.rows)
        row.removeFirst();
    fillTable(table);

    // The chart: bars that touch, as a histogram's do, over a value axis of the bins' edges; more bins than
    // MaxHistogramBars are merged k at a time (the bars still sum to the column's count).
    const qsizetype bins = counts.size();
    if (bins == 0 || edges.size() != bins + 1)
        return;
    const qsizetype merge = (bins + MaxHistogramBars - 1) / MaxHistogramBars;
    const qsizetype bars = (bins + merge - 1) / merge;
    const double left = edges.first().toDouble();
    const double width = (edges.last().toDouble() - left) / double(bins);
    auto *set = new QBarSet(name);
    auto *categories = new QBarCategoryAxis;
    for (qsizetype b = 0; b < bars; ++b) {
        qint64 sum = 0;
        for (qsizetype k = b * merge; k < std::min(bins, (b + 1) * merge); ++k)
            sum += counts[k].toInteger();
        set->append(double(sum));
        categories->append(QString::number(b));
    }
    set->setColor(palette().color(QPalette::Highlight));
    set->setBorderColor(palette().color(QPalette::Base));
    auto *series = new QBarSeries;
    series->setBarWidth(1.0);
    series->append(set);
    connect(series, &QBarSeries::hovered, this, [this, left, width, merge](bool on, int index, QBarSet *bar) {
        if (!on) {
            QToolTip::hideText();
            return;
        }
        const double from = left + width * double(index * merge);
        QToolTip::showText(QCursor::pos(),
                           tr("[%1, %2): %3")
                               .arg(shortNumber(from), shortNumber(from + width * double(merge)))
                               .arg(qint64(bar->at(index))),
                           m_chartView);
    });

    QString title = tr("Histogram of %1").arg(name);
    if (merge > 1)
        title += tr(" (%1 bins, shown %2 to a bar)").arg(bins).arg(merge);
    const qint64 missing = column.value(u"missing"_s).toInteger();
    if (missing > 0)
        title += tr(", %1 missing").arg(missing);
    QChart *chart = freshChart(title);
    chart->addSeries(series);
    // The bars are placed by a hidden category axis; a value axis over the same span shows the edges.
    chart->addAxis(categories, Qt::AlignBottom);
    series->attachAxis(categories);
    categories->setVisible(false);
    auto *values = new QValueAxis;
    values->setRange(left, left + width * double(bars * merge));
    values->setLabelFormat(u"%.4g"_s);
    values->setTickCount(7);
    values->setTitleText(name);
    chart->addAxis(values, Qt::AlignBottom);
    auto *frequency = new QValueAxis;
    frequency->setLabelFormat(u"%.0f"_s);
    frequency->setTitleText(tr("count"));
    chart->addAxis(frequency, Qt::AlignLeft);
    series->attachAxis(frequency);
    frequency->setMin(0);
    frequency->applyNiceNumbers();
    showChart(chart);
    setChartPage(m_chartView);
}

void ResultView::showMatrix(const QString &key)
{
    const QCborArray names = m_result.value(u"columns"_s).toArray();
    const QCborArray rows = m_result.value(key).toArray();
    QStringList labels;
    for (const QCborValue &name : names)
        labels << name.toString();
    std::vector<double> values;
    values.reserve(size_t(labels.size() * labels.size()));
    ResultTable table;
    table.header << u"name"_s << labels;
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const QCborArray row = rows.at(i).toArray();
        QCborArray tableRow{names[i]};
        for (qsizetype j = 0; j < labels.size(); ++j) {
            const QCborValue v = row.at(j);
            values.push_back(isNumber(v) ? v.toDouble() : std::numeric_limits<double>::quiet_NaN());
            tableRow.append(v);
        }
        table.rows.append(tableRow);
    }
    // A correlation is bounded by ±1; a covariance is scaled to its largest magnitude.
    m_heatmap->setMatrix(labels, std::move(values), key == u"correlation"_s ? 1.0 : 0.0);
    m_heatmap->setAccessibleName(key == u"correlation"_s ? tr("Correlation heatmap")
                                                         : tr("Covariance heatmap"));
    fillTable(table);
    setChartPage(m_heatmap);
}

void ResultView::showImages()
{
    // Thumbnails of the images the run wrote, named as the job names them: the input's base name (with
    // its suffix when two inputs share a base name) and the output format's extension.
    const QString outputDir = m_result.value(u"output_dir"_s).toString();
    if (outputDir.isEmpty())
        return;
    const QDir dir(outputDir);
    QHash<QString, QString> byBase; // base name -> file written; the newest, should an older run's remain
    for (const QFileInfo &file : dir.entryInfoList(QDir::Files, QDir::Time))
        if (!byBase.contains(file.completeBaseName()))
            byBase.insert(file.completeBaseName(), file.fileName());
    QHash<QString, int> baseCount;
    const QCborArray features = m_result.value(u"features"_s).toArray();
    for (const QCborValue &value : features)
        ++baseCount[QFileInfo(value.toMap().value(u"name"_s).toString()).completeBaseName()];
    QStringList paths;
    for (const QCborValue &value : features) {
        const QCborMap row = value.toMap();
        const QFileInfo input(row.value(u"name"_s).toString());
        const QString base = baseCount.value(input.completeBaseName()) > 1
                                 ? input.completeBaseName() + u'_' + input.suffix()
                                 : input.completeBaseName();
        const QString file = byBase.value(base);
        if (file.isEmpty())
            continue;
        auto *item = new QListWidgetItem(file, m_thumbnails);
        item->setToolTip(tr("%1\n%2 × %3, %4 channels\nmean RGB %5, %6, %7")
                             .arg(dir.filePath(file), valueText(row.value(u"width"_s)),
                                  valueText(row.value(u"height"_s)), valueText(row.value(u"channels"_s)),
                                  shortNumber(row.value(u"mean_r"_s).toDouble()),
                                  shortNumber(row.value(u"mean_g"_s).toDouble()),
                                  shortNumber(row.value(u"mean_b"_s).toDouble())));
        item->setData(Qt::UserRole, dir.filePath(file));
        item->setTextAlignment(Qt::AlignHCenter | Qt::AlignTop);
        // Room for the icon from the start: the thumbnails arrive later and must not reflow the view.
        item->setSizeHint({ThumbnailSide + 16, ThumbnailSide + 2 * fontMetrics().height() + 8});
        paths << dir.filePath(file);
    }
    if (paths.isEmpty())
        return;
    setChartPage(m_thumbnails);
    const qreal dpr = devicePixelRatioF();
    m_loader->load(paths, QSize(ThumbnailSide, ThumbnailSide) * dpr);
}

void ResultView::fillTable(const ResultTable &table)
{
    m_table->clear();
    m_table->setColumnCount(int(table.header.size()));
    m_table->setHorizontalHeaderLabels(table.header);
    m_table->setRowCount(int(table.rows.size()));
    for (int row = 0; row < table.rows.size(); ++row) {
        const QCborArray &cells = table.rows[row];
        for (int c = 0; c < cells.size() && c < table.header.size(); ++c)
            m_table->setItem(row, c, cell(cells[c]));
    }
    m_table->resizeColumnsToContents();
}

} // namespace brigade
