// The result view: a chart or table for each kind of result, thumbnails, Save As.
#include "core/data/images.h"
#include "core/data/npy.h"
#include "helpers/windowdriver.h"
#include "ui/heatmapview.h"
#include "ui/mainwindow.h"
#include "ui/resultview.h"

#include <QBarSeries>
#include <QBarSet>
#include <QBoxPlotSeries>
#include <QBoxSet>
#include <QCborArray>
#include <QChartView>
#include <QComboBox>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;
using namespace testhelpers;

class TestResultView final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void statsRunChartsEachColumn();
    void histogramRunBarsSumToRows();
    void correlationRunShowsHeatmap();
    void saveResultAsCsvJsonNpy();
    void imagePipelineShowsThumbnails();
    void saveAsDialogOffersResultFormats();
};

void TestResultView::initTestCase()
{
    QVERIFY(prepareWindowTests());
}

void TestResultView::statsRunChartsEachColumn()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 300);
    QVERIFY(!path.isEmpty());
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    QVERIFY(runJobOn(window, u"stats"_s, path, &outcome));

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Stats);
    auto *chartView = window.findChild<QChartView *>(u"resultChart"_s);
    QVERIFY(chartView && chartView->isVisibleTo(&window));
    QCOMPARE(chartView->chart()->series().size(), 1);
    auto *boxes = qobject_cast<QBoxPlotSeries *>(chartView->chart()->series().first());
    QVERIFY(boxes);
    // One box per numeric column (the text column is left out), its line at the column's mean.
    QCOMPARE(boxes->count(), 3);
    QStringList labels;
    for (QBoxSet *box : boxes->boxSets())
        labels << box->label();
    QCOMPARE(labels, (QStringList{u"x"_s, u"y"_s, u"z"_s}));
    QCOMPARE(boxes->boxSets()[0]->at(QBoxSet::Median), 149.5);
    QCOMPARE(boxes->boxSets()[1]->at(QBoxSet::LowerExtreme), 1.0);
    QCOMPARE(boxes->boxSets()[1]->at(QBoxSet::UpperExtreme), 599.0);
    QVERIFY(view->summary().contains(u"ok"_s));
    QVERIFY(!view->saveFormats().contains(OutputFormat::Npy)); // no matrix in column statistics
}

void TestResultView::histogramRunBarsSumToRows()
{
    QTemporaryDir dir;
    const int rows = 777;
    const QString path = writeResultsCsv(dir, rows);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    QVERIFY(runJobOn(window, u"histogram"_s, path, &outcome, {{u"bins"_s, u"12"_s}}));

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Histogram);
    auto *picker = window.findChild<QComboBox *>(u"resultPicker"_s);
    QVERIFY(picker && picker->isVisibleTo(&window));
    QCOMPARE(picker->count(), 3);
    auto *chartView = window.findChild<QChartView *>(u"resultChart"_s);
    QVERIFY(chartView);
    for (int column = 0; column < picker->count(); ++column) {
        picker->setCurrentIndex(column);
        QCOMPARE(chartView->chart()->series().size(), 1);
        auto *bars = qobject_cast<QBarSeries *>(chartView->chart()->series().first());
        QVERIFY(bars);
        QCOMPARE(bars->count(), 1);
        QBarSet *set = bars->barSets().first();
        QCOMPARE(set->label(), picker->itemText(column));
        QCOMPARE(set->count(), 12);
        double sum = 0;
        for (int k = 0; k < set->count(); ++k)
            sum += set->at(k);
        QCOMPARE(sum, double(rows));
        QCOMPARE(view->table()->rowCount(), 12); // the picked column's bins
    }
}

void TestResultView::correlationRunShowsHeatmap()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 500);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    QVERIFY(runJobOn(window, u"correlation"_s, path, &outcome));

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Correlation);
    auto *heatmap = window.findChild<HeatmapView *>(u"resultHeatmap"_s);
    QVERIFY(heatmap && heatmap->isVisibleTo(&window));
    QCOMPARE(heatmap->names(), (QStringList{u"x"_s, u"y"_s, u"z"_s}));
    for (int i = 0; i < heatmap->size(); ++i) {
        QCOMPARE(heatmap->value(i, i), 1.0);
        for (int j = 0; j < heatmap->size(); ++j)
            QCOMPARE(heatmap->value(i, j), heatmap->value(j, i));
    }
    QVERIFY(qAbs(heatmap->value(0, 1) - 1.0) < 1e-12); // y = 2x + 1
    // Diverging colours: +1 and -1 on opposite sides of the neutral middle.
    QVERIFY(heatmap->colorOf(1.0).red() > heatmap->colorOf(1.0).blue());
    QVERIFY(heatmap->colorOf(-1.0).blue() > heatmap->colorOf(-1.0).red());
    QVERIFY(view->saveFormats().contains(OutputFormat::Npy));
    // Painted: each diagonal cell in the colour of +1 (sampled off its centre, where the value is written).
    heatmap->resize(480, 360);
    const QImage image = heatmap->grab().toImage();
    QVERIFY(!image.isNull());
    for (int i = 0; i < heatmap->size(); ++i) {
        const QRect cell = heatmap->cellRect(i, i);
        QVERIFY(cell.width() > 8);
        const QPoint corner = cell.topLeft() + QPoint(3, 3);
        QCOMPARE(image.pixelColor(corner * image.devicePixelRatio()).rgb(), heatmap->colorOf(1.0).rgb());
    }

    auto *picker = window.findChild<QComboBox *>(u"resultPicker"_s);
    QVERIFY(picker);
    picker->setCurrentIndex(picker->findData(u"covariance"_s));
    QVERIFY(qAbs(heatmap->value(0, 0) - 500.0 * 501.0 / 12.0) < 1e-6); // var of 0..499, ddof 1
}

void TestResultView::saveResultAsCsvJsonNpy()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 200);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    QVERIFY(runJobOn(window, u"stats"_s, path, &outcome));
    ResultView *view = window.resultView();

    // JSON: the result itself.
    const QString json = dir.filePath(u"stats.json"_s);
    const auto jsonSaved = view->saveAs(json);
    QVERIFY2(jsonSaved, qPrintable(jsonSaved ? QString() : jsonSaved.failure().describe()));
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(jsonFile.readAll()).object(), outcome.result.toJsonObject());

    // CSV: the table shown, header and cells.
    const QString csv = dir.filePath(u"stats.csv"_s);
    QVERIFY(view->saveAs(csv).ok());
    QFile csvFile(csv);
    QVERIFY(csvFile.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(csvFile.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QTableWidget *table = view->table();
    QCOMPARE(lines.size(), table->rowCount() + 1);
    QStringList header;
    for (int c = 0; c < table->columnCount(); ++c)
        header << table->horizontalHeaderItem(c)->text();
    QCOMPARE(lines.first(), header.join(u','));
    for (int row = 0; row < table->rowCount(); ++row) {
        const QStringList cells = lines[row + 1].split(u',');
        QCOMPARE(cells.size(), table->columnCount());
        for (int c = 0; c < table->columnCount(); ++c) {
            const QVariant exact = table->item(row, c)->data(Qt::UserRole);
            if (exact.isValid())
                QCOMPARE(cells[c].toDouble(), exact.toDouble());
            else if (table->item(row, c)->text() != u"–"_s) // a missing value is an empty cell
                QCOMPARE(cells[c], table->item(row, c)->text());
            else
                QVERIFY(cells[c].isEmpty());
        }
    }

    // NPY is not offered for column statistics, and refused when asked for; nothing is left behind.
    const QString npy = dir.filePath(u"stats.npy"_s);
    QVERIFY(!view->saveAs(npy).ok());
    QVERIFY(!QFile::exists(npy));

    // A correlation matrix saves as .npy (numpy's header, then 3 x 3 float64).
    QVERIFY(runJobOn(window, u"correlation"_s, path, &outcome));
    QVERIFY(view->saveAs(npy).ok());
    const auto back = readNpy(npy);
    QVERIFY2(back, qPrintable(back ? QString() : back.failure().describe()));
    QCOMPARE(back->rows(), 3);
    QCOMPARE(back->cols(), 3);
    const QCborArray matrix = outcome.result.value(u"correlation"_s).toArray();
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            QCOMPARE(back->matrix<double>()(i, j), matrix[i].toArray()[j].toDouble());
}

void TestResultView::imagePipelineShowsThumbnails()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString input = dir.filePath(u"images"_s);
    QVERIFY(QDir().mkpath(input));
    const QList<QColor> colors{Qt::red, Qt::green, Qt::blue, Qt::yellow, Qt::magenta};
    for (int i = 0; i < colors.size(); ++i) {
        QImage image(400 + 10 * i, 300, QImage::Format_RGB32);
        image.fill(colors[i]);
        QVERIFY(image.save(QDir(input).filePath(u"img%1.png"_s.arg(i))));
    }
    const QString output = dir.filePath(u"out"_s);
    registerImageCodecs(); // as the brigade executable does: image folders need QtGui

    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    QVERIFY(runJobOn(window, u"image-pipeline"_s, input, &outcome, {{u"output-dir"_s, output}}));

    ResultView *view = window.resultView();
    QCOMPARE(view->kind(), ResultView::Kind::Images);
    QCOMPARE(view->table()->rowCount(), int(colors.size()));
    auto *thumbnails = window.findChild<QListWidget *>(u"resultThumbnails"_s);
    QVERIFY(thumbnails && thumbnails->isVisibleTo(&window));
    QCOMPARE(thumbnails->count(), int(colors.size()));
    // Read in a thread of their own, then shown, each scaled down to the thumbnail's size.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            for (int i = 0; i < thumbnails->count(); ++i)
                if (thumbnails->item(i)->icon().isNull())
                    return false;
            return true;
        }(),
        10000);
    for (int i = 0; i < thumbnails->count(); ++i) {
        QListWidgetItem *item = thumbnails->item(i);
        QCOMPARE(QFileInfo(item->data(Qt::UserRole).toString()).absolutePath(),
                 QFileInfo(output).absoluteFilePath());
        const QSize size = item->icon().availableSizes().value(0);
        QVERIFY2(size.width() <= 128 * window.devicePixelRatio() && size.width() > 0,
                 qPrintable(item->text()));
        const QImage pixels = item->icon().pixmap(size).toImage();
        QCOMPARE(pixels.pixelColor(pixels.width() / 2, pixels.height() / 2).rgb(), QColor(colors[i]).rgb());
    }
}

void TestResultView::saveAsDialogOffersResultFormats()
{
    QTemporaryDir dir;
    const QString path = writeResultsCsv(dir, 100);
    MainWindow window;
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RunOutcome outcome;
    QVERIFY(runJobOn(window, u"stats"_s, path, &outcome));

    auto *save = window.findChild<QPushButton *>(u"resultSaveAs"_s);
    QVERIFY(save && save->isEnabled());
    QTest::mouseClick(save, Qt::LeftButton);
    // The dialog is open without blocking: the test goes on while it shows.
    QFileDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT(
        (dialog = window.findChild<QFileDialog *>(u"resultSaveDialog"_s)) && dialog->isVisible(), 5000);
    const QStringList filters = dialog->nameFilters();
    QCOMPARE(filters.size(), 2); // CSV and JSON; no .npy for column statistics
    QVERIFY(filters[0].contains(u"*.csv"_s));
    QVERIFY(filters[1].contains(u"*.json"_s));
    const QString json = dir.filePath(u"picked.json"_s);
    QSignalSpy saved(window.resultView(), &ResultView::saved);
    dialog->selectFile(json);
    static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept(), as the Save button does
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 5000);
    QCOMPARE(saved.first().first().toString(), json);
    QFile file(json);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(file.readAll()).object(), outcome.result.toJsonObject());
}

QTEST_MAIN(TestResultView)
#include "tst_resultview.moc"
