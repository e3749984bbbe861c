// DatasetPanel: choosing the input (open, folder, sample, generate, recent, drop) and previewing it.
#include "ui/datasetpanel.h"

#include "core/engine/datasets.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QThreadPool>
#include <QUrl>
#include <QVBoxLayout>

#include <limits>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr int MaxRecentFiles = 8;

QSettings settings()
{
    return QSettings(u"Brigade"_s, u"Brigade"_s);
}

} // namespace

DatasetPanel::DatasetPanel(QWidget *parent)
    : QGroupBox(tr("Dataset"), parent)
{
    auto *layout = new QVBoxLayout(this);
    m_label = new QLabel(tr("No dataset: drop a file here"), this);
    m_label->setObjectName(u"datasetLabel"_s);
    m_label->setAccessibleName(tr("Dataset"));
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long path is clipped rather than widening the whole column; the tooltip shows it in full.
    m_label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(m_label);
    auto *buttons = new QHBoxLayout;
    auto *openButton = new QPushButton(tr("Open…"), this);
    openButton->setObjectName(u"openButton"_s);
    openButton->setAccessibleName(tr("Open dataset"));
    openButton->setToolTip(tr("Open a .csv, .tsv or .npy file (Ctrl+O)"));
    connect(openButton, &QPushButton::clicked, this, &DatasetPanel::openDatasetDialog);
    auto *sampleButton = new QPushButton(tr("Sample"), this);
    sampleButton->setObjectName(u"sampleButton"_s);
    sampleButton->setAccessibleName(tr("Use the sample dataset"));
    sampleButton->setToolTip(tr("Use the bundled sample measurements"));
    connect(sampleButton, &QPushButton::clicked, this, &DatasetPanel::selectSample);
    auto *generateButton = new QPushButton(tr("Generate…"), this);
    generateButton->setObjectName(u"generateButton"_s);
    generateButton->setAccessibleName(tr("Generate a dataset"));
    generateButton->setToolTip(tr("A table of an integer range or seeded random numbers"));
    connect(generateButton, &QPushButton::clicked, this, &DatasetPanel::openGenerateDialog);
    buttons->addWidget(openButton);
    buttons->addWidget(sampleButton);
    buttons->addWidget(generateButton);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    m_previewInfo = new QLabel(this);
    m_previewInfo->setObjectName(u"previewInfo"_s);
    m_previewInfo->setWordWrap(true);
    layout->addWidget(m_previewInfo);
    m_preview = new QTableWidget(this);
    m_preview->setObjectName(u"datasetPreview"_s);
    m_preview->setAccessibleName(tr("Dataset preview"));
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setMaximumHeight(150);
    // Wide tables scroll inside the preview instead of widening the controls column.
    m_preview->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_preview->verticalHeader()->hide();
    m_preview->hide();
    layout->addWidget(m_preview);
    m_skipBadRows = new QCheckBox(tr("Skip malformed CSV rows (and count them)"), this);
    m_skipBadRows->setObjectName(u"skipBadRows"_s);
    m_skipBadRows->setToolTip(tr("Rows with the wrong number of fields are skipped instead of stopping "
                                 "the run"));
    layout->addWidget(m_skipBadRows);
}

QStringList DatasetPanel::droppedDatasets(const QMimeData *mime)
{
    QStringList found;
    if (!mime || !mime->hasUrls())
        return found;
    for (const QUrl &url : mime->urls()) {
        if (!url.isLocalFile())
            continue;
        const QString path = url.toLocalFile();
        const QFileInfo info(path);
        if (info.isDir()) {
            const QStringList files = datasets::dataFilesIn(path);
            if (!files.isEmpty()) {
                found << files;
                continue;
            }
        }
        if (datasets::isSupported(path))
            found << info.absoluteFilePath();
    }
    return found;
}

BadRowPolicy DatasetPanel::onBadRow() const
{
    return m_skipBadRows->isChecked() ? BadRowPolicy::Skip : BadRowPolicy::Error;
}

DatasetSource DatasetPanel::source() const
{
    DatasetSource source = hasGeneratedDataset() ? m_generated : DatasetSource{m_dataset};
    source.onBadRow = onBadRow();
    return source;
}

void DatasetPanel::setSource(const DatasetSource &source)
{
    if (source.generatedRows > 0)
        setGeneratedDataset(source.generatedRows, source.generatedCols, source.distribution, source.seed);
    else if (!source.path.isEmpty())
        setDataset(source.path);
    m_skipBadRows->setChecked(source.onBadRow == BadRowPolicy::Skip);
}

void DatasetPanel::setGeneratedDataset(qint64 rows, qint64 cols, Distribution distribution, quint64 seed)
{
    if (rows <= 0)
        return setDataset({});
    m_dataset.clear();
    m_generated = DatasetSource{{}, rows, std::max<qint64>(cols, 1), distribution, seed};
    m_label->setText(tr("Generated: %1 rows x %2 columns, %3 (seed %4)")
                         .arg(rows)
                         .arg(m_generated.generatedCols)
                         .arg(distributionName(distribution))
                         .arg(seed));
    m_label->setToolTip({});
    Q_EMIT datasetChanged({});
}

void DatasetPanel::openGenerateDialog()
{
    auto *dialog = new QDialog(this);
    dialog->setObjectName(u"generateDialog"_s);
    dialog->setWindowTitle(tr("Generate a dataset"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *form = new QFormLayout(dialog);
    auto *rows = new QSpinBox(dialog);
    rows->setObjectName(u"rows"_s);
    rows->setRange(1, std::numeric_limits<int>::max());
    rows->setValue(int(std::max<qint64>(m_generated.generatedRows, 1'000'000)));
    auto *cols = new QSpinBox(dialog);
    cols->setObjectName(u"cols"_s);
    cols->setRange(1, 10'000);
    cols->setValue(int(m_generated.generatedCols));
    auto *distribution = new QComboBox(dialog);
    distribution->setObjectName(u"distribution"_s);
    for (const QString &name : enumNames(DistributionNames))
        distribution->addItem(name);
    distribution->setCurrentText(distributionName(m_generated.distribution));
    auto *seed = new QSpinBox(dialog);
    seed->setObjectName(u"seed"_s);
    seed->setRange(0, std::numeric_limits<int>::max());
    seed->setValue(int(m_generated.seed));
    form->addRow(tr("&Rows"), rows);
    form->addRow(tr("&Columns"), cols);
    form->addRow(tr("&Values"), distribution);
    form->addRow(tr("&Seed"), seed);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(dialog, &QDialog::accepted, this, [=, this] {
        setGeneratedDataset(rows->value(), cols->value(),
                            distributionFromName(distribution->currentText()).value_or(Distribution::Range),
                            quint64(seed->value()));
    });
    dialog->open();
}

void DatasetPanel::setDataset(const QString &path)
{
    m_dataset = path;
    m_generated = {};
    if (path.isEmpty()) {
        m_label->setText(tr("No dataset: drop a file here"));
        m_label->setToolTip({});
    } else {
        const bool bundled = datasets::isBundled(path);
        m_label->setText(bundled ? tr("Bundled sample: %1").arg(QFileInfo(path).fileName())
                                 : QDir::toNativeSeparators(path));
        m_label->setToolTip(QDir::toNativeSeparators(path));
        if (!bundled)
            rememberRecent(path);
    }
    showPreview(path);
    Q_EMIT datasetChanged(path);
}

void DatasetPanel::showPreview(const QString &path)
{
    const int generation = ++m_previewGeneration;
    m_preview->hide();
    m_previewInfo->clear();
    if (path.isEmpty())
        return;
    m_previewInfo->setText(tr("Inspecting…"));
    // Off the UI thread: inspecting counts a CSV's records, a pass over the whole file.
    QPointer<DatasetPanel> self(this);
    QThreadPool::globalInstance()->start([self, path, generation] {
        auto info = datasets::inspect(path);
        QMetaObject::invokeMethod(qApp, [self, generation, info = std::move(info)] {
            if (!self || generation != self->m_previewGeneration)
                return;
            if (!info) {
                self->m_previewInfo->setText(info.failure().describe());
                return;
            }
            const QLocale locale;
            self->m_previewInfo->setText(
                info->kind == u"image-folder"_s
                    ? tr("%1 images, %2").arg(info->rows).arg(locale.formattedDataSize(info->fileBytes))
                    : tr("%1: %2 rows x %3 numeric columns, %4; a run shares %5")
                          .arg(info->kind.toUpper())
                          .arg(info->rows)
                          .arg(info->cols)
                          .arg(locale.formattedDataSize(info->fileBytes),
                               locale.formattedDataSize(info->runBytes)));
            QTableWidget *table = self->m_preview;
            table->clear();
            table->setColumnCount(int(info->columns.size()));
            table->setRowCount(int(info->preview.size()));
            QStringList headers;
            for (const ColumnInfo &c : info->columns)
                headers << u"%1 (%2)"_s.arg(c.name, c.type);
            table->setHorizontalHeaderLabels(headers);
            for (int r = 0; r < info->preview.size(); ++r)
                for (int c = 0; c < info->preview[r].size() && c < table->columnCount(); ++c)
                    table->setItem(r, c, new QTableWidgetItem(info->preview[r][c]));
            table->resizeColumnsToContents();
            table->setVisible(table->columnCount() > 0);
        });
    });
}

QStringList DatasetPanel::recentFiles() const
{
    return settings().value(u"recentFiles"_s).toStringList();
}

void DatasetPanel::rememberRecent(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxRecentFiles)
        recent.removeLast();
    settings().setValue(u"recentFiles"_s, recent);
    Q_EMIT recentFilesChanged();
}

void DatasetPanel::selectSample()
{
    setDataset(datasets::bundledSample());
}

void DatasetPanel::openDatasetDialog()
{
    const QString dir = m_dataset.isEmpty() || m_dataset.startsWith(u':')
                            ? settings().value(u"datasetDir"_s, QDir::homePath()).toString()
                            : QFileInfo(m_dataset).absolutePath();
    // open(), not exec(): the window keeps handling the run's signals while the dialog is up.
    auto *dialog = new QFileDialog(window(), tr("Open dataset"), dir,
                                   tr("Datasets (*.csv *.tsv *.tab *.npy);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &file) {
        settings().setValue(u"datasetDir"_s, QFileInfo(file).absolutePath());
        setDataset(file);
    });
    dialog->open();
}

void DatasetPanel::openFolderDialog()
{
    auto *dialog = new QFileDialog(window(), tr("Open a folder of images"),
                                   settings().value(u"datasetDir"_s, QDir::homePath()).toString());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::Directory);
    dialog->setOption(QFileDialog::ShowDirsOnly);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
        settings().setValue(u"datasetDir"_s, folder);
        setDataset(folder);
    });
    dialog->open();
}

} // namespace brigade
