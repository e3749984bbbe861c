// MainWindow: builds a RunRequest from the controls and shows one JobRun at a time through its views.
#include "ui/mainwindow.h"

#include "core/data/dataset.h"
#include "core/data/inspect.h"
#include "core/engine/trialrun.h"
#include "core/jobs/registry.h"
#include "ui/errorconsole.h"
#include "ui/historyview.h"
#include "ui/paramform.h"
#include "ui/resultview.h"
#include "ui/runmonitor.h"
#include "ui/runqueue.h"
#include "ui/segmentpanel.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QPointer>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableWidget>
#include <QThread>
#include <QThreadPool>
#include <QTimer>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr int MaxWorkers = 64;

QSettings settings()
{
    return QSettings(u"Brigade"_s, u"Brigade"_s);
}

constexpr int MaxRecentFiles = 8;

// The datasets among dropped URLs: files loadDataset reads, and the data files inside a dropped folder
// (a folder that is itself a dataset, such as a folder of images, counts as one).
QStringList droppedDatasets(const QMimeData *mime)
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
            const QFileInfoList files = QDir(path).entryInfoList(
                {u"*.csv"_s, u"*.tsv"_s, u"*.tab"_s, u"*.npy"_s}, QDir::Files | QDir::Readable, QDir::Name);
            if (!files.isEmpty()) {
                for (const QFileInfo &f : files)
                    found << f.absoluteFilePath();
                continue;
            }
        }
        if (isSupportedDatasetPath(path))
            found << info.absoluteFilePath();
    }
    return found;
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(u"Brigade"_s);
    setAcceptDrops(true);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(u"mainSplitter"_s);
    m_splitter->addWidget(buildControls());
    m_splitter->addWidget(buildViews());
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);

    m_openAction = new QAction(tr("&Open dataset…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, &MainWindow::openDatasetDialog);
    auto *folderAction = new QAction(tr("Open image &folder…"), this);
    folderAction->setObjectName(u"openFolderAction"_s);
    connect(folderAction, &QAction::triggered, this, [this] {
        auto *dialog = new QFileDialog(this, tr("Open a folder of images"),
                                       settings().value(u"datasetDir"_s, QDir::homePath()).toString());
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setFileMode(QFileDialog::Directory);
        dialog->setOption(QFileDialog::ShowDirsOnly);
        connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &folder) {
            settings().setValue(u"datasetDir"_s, folder);
            setDataset(folder);
        });
        dialog->open();
    });
    auto *sampleAction = new QAction(tr("Use the &sample dataset"), this);
    connect(sampleAction, &QAction::triggered, this, &MainWindow::selectSample);
    auto *quitAction = new QAction(tr("&Quit"), this);
    quitAction->setShortcut(QKeySequence::Quit);
    connect(quitAction, &QAction::triggered, this, &QWidget::close);
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->addAction(m_openAction);
    fileMenu->addAction(folderAction);
    m_recentMenu = fileMenu->addMenu(tr("Open &recent"));
    m_recentMenu->setObjectName(u"recentMenu"_s);
    fileMenu->addAction(sampleAction);
    fileMenu->addSeparator();
    fileMenu->addAction(quitAction);
    rebuildRecentMenu();

    auto *runAction = new QAction(tr("&Run"), this);
    runAction->setObjectName(u"runAction"_s);
    runAction->setShortcut(Qt::CTRL | Qt::Key_R);
    // Through the buttons, so that a shortcut does nothing while its button is disabled.
    connect(runAction, &QAction::triggered, m_runButton, &QPushButton::click);
    auto *cancelAction = new QAction(tr("&Cancel"), this);
    cancelAction->setObjectName(u"cancelAction"_s);
    cancelAction->setShortcut(Qt::Key_Escape);
    connect(cancelAction, &QAction::triggered, m_cancelButton, &QPushButton::click);
    QMenu *runMenu = menuBar()->addMenu(tr("&Run"));
    runMenu->addAction(runAction);
    runMenu->addAction(cancelAction);

    // Restore the last job and worker count before the change signals are connected, so that
    // restoring does not write them back.
    QSettings stored = settings();
    m_workers->setValue(stored.value(u"workers"_s, m_workers->value()).toInt());
    // First start: the job that reads the bundled sample dataset.
    const int jobIndex = m_jobCombo->findText(stored.value(u"job"_s, u"stats"_s).toString());
    m_jobCombo->setCurrentIndex(jobIndex >= 0 ? jobIndex : 0);
    connect(m_jobCombo, &QComboBox::currentIndexChanged, this, &MainWindow::onJobChanged);
    connect(m_workers, &QSpinBox::valueChanged, this,
            [](int value) { settings().setValue(u"workers"_s, value); });
    onJobChanged(m_jobCombo->currentIndex());

    resize(1100, 700);
    restoreGeometry(stored.value(u"geometry"_s).toByteArray());
    restoreState(stored.value(u"windowState"_s).toByteArray());
    m_splitter->restoreState(stored.value(u"splitter"_s).toByteArray());
    statusBar()->showMessage(
        tr("Pick a job; drop a .csv, .tsv or .npy file for the jobs that read a dataset"));
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::buildControls()
{
    auto *controls = new QWidget;
    auto *layout = new QVBoxLayout(controls);

    auto *datasetBox = new QGroupBox(tr("Dataset"), controls);
    auto *datasetLayout = new QVBoxLayout(datasetBox);
    m_datasetLabel = new QLabel(tr("No dataset: drop a file here"), datasetBox);
    m_datasetLabel->setObjectName(u"datasetLabel"_s);
    m_datasetLabel->setAccessibleName(tr("Dataset"));
    m_datasetLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // A long path is clipped rather than widening the whole column; the tooltip shows it in full.
    m_datasetLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    datasetLayout->addWidget(m_datasetLabel);
    auto *datasetButtons = new QHBoxLayout;
    auto *openButton = new QPushButton(tr("Open…"), datasetBox);
    openButton->setObjectName(u"openButton"_s);
    openButton->setAccessibleName(tr("Open dataset"));
    openButton->setToolTip(tr("Open a .csv, .tsv or .npy file (Ctrl+O)"));
    connect(openButton, &QPushButton::clicked, this, &MainWindow::openDatasetDialog);
    auto *sampleButton = new QPushButton(tr("Sample"), datasetBox);
    sampleButton->setObjectName(u"sampleButton"_s);
    sampleButton->setAccessibleName(tr("Use the sample dataset"));
    sampleButton->setToolTip(tr("Use the bundled sample measurements"));
    connect(sampleButton, &QPushButton::clicked, this, &MainWindow::selectSample);
    auto *generateButton = new QPushButton(tr("Generate…"), datasetBox);
    generateButton->setObjectName(u"generateButton"_s);
    generateButton->setAccessibleName(tr("Generate a dataset"));
    generateButton->setToolTip(tr("A table of an integer range or seeded random numbers"));
    connect(generateButton, &QPushButton::clicked, this, &MainWindow::openGenerateDialog);
    datasetButtons->addWidget(openButton);
    datasetButtons->addWidget(sampleButton);
    datasetButtons->addWidget(generateButton);
    datasetButtons->addStretch(1);
    datasetLayout->addLayout(datasetButtons);
    m_previewInfo = new QLabel(datasetBox);
    m_previewInfo->setObjectName(u"previewInfo"_s);
    m_previewInfo->setWordWrap(true);
    datasetLayout->addWidget(m_previewInfo);
    m_preview = new QTableWidget(datasetBox);
    m_preview->setObjectName(u"datasetPreview"_s);
    m_preview->setAccessibleName(tr("Dataset preview"));
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_preview->setMaximumHeight(150);
    // Wide tables scroll inside the preview instead of widening the controls column.
    m_preview->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_preview->verticalHeader()->hide();
    m_preview->hide();
    datasetLayout->addWidget(m_preview);
    m_skipBadRows = new QCheckBox(tr("Skip malformed CSV rows (and count them)"), datasetBox);
    m_skipBadRows->setObjectName(u"skipBadRows"_s);
    m_skipBadRows->setToolTip(tr("Rows with the wrong number of fields are skipped instead of stopping "
                                 "the run"));
    datasetLayout->addWidget(m_skipBadRows);
    layout->addWidget(datasetBox);

    auto *jobBox = new QGroupBox(tr("Job"), controls);
    auto *jobLayout = new QVBoxLayout(jobBox);
    m_jobCombo = new QComboBox(jobBox);
    m_jobCombo->setObjectName(u"jobCombo"_s);
    m_jobCombo->setAccessibleName(tr("Job"));
    for (const Job *job : allJobs()) {
        m_jobCombo->addItem(job->name());
        m_jobCombo->setItemData(m_jobCombo->count() - 1, job->summary(), Qt::ToolTipRole);
    }
    jobLayout->addWidget(m_jobCombo);
    m_jobSummary = new QLabel(jobBox);
    m_jobSummary->setObjectName(u"jobSummary"_s);
    m_jobSummary->setWordWrap(true);
    jobLayout->addWidget(m_jobSummary);
    layout->addWidget(jobBox);

    m_paramBox = new QGroupBox(tr("Parameters"), controls);
    new QVBoxLayout(m_paramBox);
    m_useDataset = new QCheckBox(tr("Compute over the dataset (not the range)"), m_paramBox);
    m_useDataset->setObjectName(u"useDataset"_s);
    m_useDataset->setAccessibleName(tr("Use the dataset"));
    m_useDataset->setVisible(false);
    connect(m_useDataset, &QCheckBox::toggled, this, &MainWindow::updateActions);
    m_paramBox->layout()->addWidget(m_useDataset);
    layout->addWidget(m_paramBox);

    auto *settingsBox = new QGroupBox(tr("Run settings"), controls);
    auto *settingsLayout = new QFormLayout(settingsBox);
    m_workers = new QSpinBox(settingsBox);
    m_workers->setObjectName(u"workers"_s);
    m_workers->setAccessibleName(tr("Workers"));
    m_workers->setToolTip(tr("Number of worker processes"));
    m_workers->setRange(1, MaxWorkers);
    m_workers->setValue(std::clamp(QThread::idealThreadCount(), 1, MaxWorkers));
    settingsLayout->addRow(tr("&Workers:"), m_workers);

    auto *chunkRow = new QHBoxLayout;
    m_chunkAuto = new QCheckBox(tr("auto"), settingsBox);
    m_chunkAuto->setObjectName(u"chunkAuto"_s);
    m_chunkAuto->setAccessibleName(tr("Automatic chunk size"));
    m_chunkAuto->setChecked(true);
    m_chunkSize = new QSpinBox(settingsBox);
    m_chunkSize->setObjectName(u"chunkSize"_s);
    m_chunkSize->setAccessibleName(tr("Chunk size"));
    m_chunkSize->setToolTip(tr("Items per task"));
    m_chunkSize->setRange(1, 1'000'000'000);
    m_chunkSize->setValue(1000);
    m_chunkSize->setEnabled(false);
    connect(m_chunkAuto, &QCheckBox::toggled, m_chunkSize,
            [this](bool automatic) { m_chunkSize->setEnabled(!automatic); });
    chunkRow->addWidget(m_chunkAuto);
    chunkRow->addWidget(m_chunkSize, 1);
    auto *chunkLabel = new QLabel(tr("&Chunk size:"), settingsBox);
    chunkLabel->setBuddy(m_chunkAuto);
    settingsLayout->addRow(chunkLabel, chunkRow);

    m_ordered = new QCheckBox(tr("Reduce results in task order"), settingsBox);
    m_ordered->setObjectName(u"ordered"_s);
    m_ordered->setAccessibleName(tr("Ordered"));
    m_ordered->setChecked(true);
    settingsLayout->addRow(tr("Ordered:"), m_ordered);

    m_retries = new QSpinBox(settingsBox);
    m_retries->setObjectName(u"retries"_s);
    m_retries->setAccessibleName(tr("Retries"));
    m_retries->setToolTip(tr("Further attempts of a task after a failed one, each on a fresh worker"));
    m_retries->setRange(0, 100);
    m_retries->setValue(RunRequest().retries);
    settingsLayout->addRow(tr("&Retries:"), m_retries);

    m_timeout = new QDoubleSpinBox(settingsBox);
    m_timeout->setObjectName(u"timeout"_s);
    m_timeout->setAccessibleName(tr("Task timeout"));
    m_timeout->setToolTip(tr("A task running longer is stopped and tried again; 0 for no limit"));
    m_timeout->setRange(0, 7 * 24 * 3600);
    m_timeout->setDecimals(1);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setSpecialValueText(tr("none"));
    settingsLayout->addRow(tr("&Timeout:"), m_timeout);

    m_memoryLimit = new QSpinBox(settingsBox);
    m_memoryLimit->setObjectName(u"memoryLimit"_s);
    m_memoryLimit->setAccessibleName(tr("Memory limit"));
    m_memoryLimit->setToolTip(tr("Memory for Brigade and its workers together; a CSV that would not fit is "
                                 "streamed through the pool in chunks. 0: the memory available"));
    m_memoryLimit->setRange(0, 1 << 24);
    m_memoryLimit->setSingleStep(256);
    m_memoryLimit->setSuffix(tr(" MiB"));
    m_memoryLimit->setSpecialValueText(tr("available"));
    settingsLayout->addRow(tr("&Memory:"), m_memoryLimit);

    m_halt = new QComboBox(settingsBox);
    m_halt->setObjectName(u"halt"_s);
    m_halt->setAccessibleName(tr("Halt policy"));
    m_halt->addItem(tr("never: finish the rest"), int(HaltPolicy::Never));
    m_halt->addItem(tr("soon: let running tasks finish"), int(HaltPolicy::Soon));
    m_halt->addItem(tr("now: stop at once"), int(HaltPolicy::Now));
    m_halt->setToolTip(tr("What the run does once a task has failed every attempt"));
    settingsLayout->addRow(tr("On failure:"), m_halt);
    layout->addWidget(settingsBox);

    auto *buttons = new QHBoxLayout;
    m_runButton = new QPushButton(tr("Run"), controls);
    m_runButton->setObjectName(u"runButton"_s);
    m_runButton->setAccessibleName(tr("Run"));
    m_runButton->setDefault(true);
    connect(m_runButton, &QPushButton::clicked, this, &MainWindow::startRun);
    m_cancelButton = new QPushButton(tr("Cancel"), controls);
    m_cancelButton->setObjectName(u"cancelButton"_s);
    m_cancelButton->setAccessibleName(tr("Cancel"));
    m_cancelButton->setToolTip(tr("Cancel the run (Esc)"));
    m_cancelButton->setEnabled(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelRun);
    m_estimateButton = new QPushButton(tr("Estimate"), controls);
    m_estimateButton->setObjectName(u"estimateButton"_s);
    m_estimateButton->setAccessibleName(tr("Estimate"));
    m_estimateButton->setToolTip(tr("Run a few samples, then recommend workers and chunk size and forecast "
                                    "the run's time and memory"));
    connect(m_estimateButton, &QPushButton::clicked, this, &MainWindow::estimate);
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_estimateButton);
    layout->addLayout(buttons);
    m_estimateLabel = new QLabel(controls);
    m_estimateLabel->setObjectName(u"estimateLabel"_s);
    m_estimateLabel->setWordWrap(true);
    m_estimateLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_estimateLabel);
    m_applyEstimate = new QPushButton(tr("Use the recommended settings"), controls);
    m_applyEstimate->setObjectName(u"applyEstimate"_s);
    m_applyEstimate->hide();
    connect(m_applyEstimate, &QPushButton::clicked, this, [this] {
        m_workers->setValue(m_estimatedWorkers);
        m_chunkAuto->setChecked(false);
        m_chunkSize->setValue(int(std::min<qint64>(m_estimatedChunk, m_chunkSize->maximum())));
    });
    layout->addWidget(m_applyEstimate);
    layout->addStretch(1);

    auto *scroll = new QScrollArea;
    scroll->setWidget(controls);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    // Only ever scrolled vertically: the controls take the column's width, the preview scrolls by itself.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setMinimumWidth(360);
    return scroll;
}

QWidget *MainWindow::buildViews()
{
    auto *views = new QWidget;
    auto *layout = new QVBoxLayout(views);

    auto *monitorBox = new QGroupBox(tr("Progress"), views);
    auto *monitorLayout = new QVBoxLayout(monitorBox);
    m_monitor = new RunMonitor(monitorBox);
    monitorLayout->addWidget(m_monitor);
    layout->addWidget(monitorBox);

    m_tabs = new QTabWidget(views);
    m_tabs->setObjectName(u"viewTabs"_s);
    m_result = new ResultView(m_tabs);
    m_tabs->addTab(m_result, tr("Result"));

    m_errorTab = new QWidget(m_tabs);
    auto *errorLayout = new QVBoxLayout(m_errorTab);
    m_errors = new ErrorConsole(m_errorTab);
    errorLayout->addWidget(m_errors, 1); // with its own filter, Copy, Save and Retry
    connect(this, &MainWindow::runFinished, m_errors, &ErrorConsole::showFinished);
    // Retry failed tasks: the finished run's request again, over only the item ranges it gave up.
    connect(m_errors, &ErrorConsole::retryRequested, this,
            [this](const QList<std::pair<qint64, qint64>> &ranges) {
                if (!m_run)
                    return;
                RunRequest request = m_run->request();
                request.priorAttempts += request.retries + 1; // a retry is the next attempt at those tasks
                request.onlyRanges = ranges;
                if (m_run->isRunning())
                    return enqueue(request);
                startRequest(std::move(request), 0);
            });
    m_tabs->addTab(m_errorTab, tr("Errors"));
    connect(m_errors, &ErrorConsole::reportCountChanged, m_tabs, [this](int count) {
        m_tabs->setTabText(m_tabs->indexOf(m_errorTab),
                           count > 0 ? tr("Errors (%1)").arg(count) : tr("Errors"));
    });
    m_queue = new RunQueue(m_tabs);
    m_tabs->addTab(m_queue, tr("Queue"));
    connect(m_queue, &RunQueue::cancelRequested, this, [this](int id) {
        if (id == m_runQueueId)
            cancelRun();
    });
    connect(m_queue, &RunQueue::changed, this, [this] {
        const qsizetype waiting = m_queue->waiting();
        m_tabs->setTabText(m_tabs->indexOf(m_queue),
                           waiting > 0 ? tr("Queue (%1)").arg(waiting) : tr("Queue"));
    });
    m_history = new HistoryView(m_tabs);
    m_tabs->addTab(m_history, tr("History"));
    m_tabs->addTab(new SegmentPanel(m_tabs), tr("Shared memory"));
    connect(m_history, &HistoryView::openRequested, this, [this](const HistoryEntry &entry) {
        RunOutcome past;
        past.status = entry.status == u"ok"_s          ? RunStatus::Ok
                      : entry.status == u"cancelled"_s ? RunStatus::Cancelled
                                                       : RunStatus::Failed;
        past.result = entry.result;
        past.workers = entry.workers;
        past.tasks = entry.tasks;
        past.chunkSize = entry.chunkSize;
        past.elapsedSeconds = entry.durationSeconds;
        m_result->showOutcome(past);
        applyRequest(requestFromCbor(entry.request));
        m_tabs->setCurrentWidget(m_result);
        statusBar()->showMessage(tr("Run #%1 of %2").arg(entry.id).arg(entry.started.toString()), 5000);
    });
    connect(m_history, &HistoryView::rerunRequested, this, [this](const RunRequest &request) {
        applyRequest(request);
        startRun();
    });
    layout->addWidget(m_tabs, 1);
    return views;
}

void MainWindow::setGeneratedDataset(qint64 rows, qint64 cols, Distribution distribution, quint64 seed)
{
    if (rows <= 0)
        return setDataset({});
    m_dataset.clear();
    m_generated = DatasetSource{{}, rows, std::max<qint64>(cols, 1), distribution, seed};
    m_datasetLabel->setText(tr("Generated: %1 rows x %2 columns, %3 (seed %4)")
                                .arg(rows)
                                .arg(m_generated.generatedCols)
                                .arg(distributionName(distribution))
                                .arg(seed));
    m_datasetLabel->setToolTip({});
    updateActions();
    Q_EMIT datasetChanged({});
}

void MainWindow::openGenerateDialog()
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
    for (Distribution d : {Distribution::Range, Distribution::Uniform, Distribution::Normal})
        distribution->addItem(distributionName(d), int(d));
    distribution->setCurrentIndex(distribution->findData(int(m_generated.distribution)));
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
        setGeneratedDataset(rows->value(), cols->value(), Distribution(distribution->currentData().toInt()),
                            quint64(seed->value()));
    });
    dialog->open();
}

void MainWindow::setDataset(const QString &path)
{
    m_dataset = path;
    m_generated = {};
    if (path.isEmpty()) {
        m_datasetLabel->setText(tr("No dataset: drop a file here"));
        m_datasetLabel->setToolTip({});
    } else {
        const bool bundled = path.startsWith(u":/"_s);
        m_datasetLabel->setText(bundled ? tr("Bundled sample: %1").arg(QFileInfo(path).fileName())
                                        : QDir::toNativeSeparators(path));
        m_datasetLabel->setToolTip(QDir::toNativeSeparators(path));
        if (!bundled)
            rememberRecent(path);
    }
    showPreview(path);
    updateActions();
    Q_EMIT datasetChanged(path);
}

void MainWindow::showPreview(const QString &path)
{
    const int generation = ++m_previewGeneration;
    m_preview->hide();
    m_previewInfo->clear();
    if (path.isEmpty())
        return;
    m_previewInfo->setText(tr("Inspecting…"));
    // Off the UI thread: inspecting counts a CSV's records, a pass over the whole file.
    QPointer<MainWindow> self(this);
    QThreadPool::globalInstance()->start([self, path, generation] {
        auto info = inspectDataset(path);
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

QStringList MainWindow::recentFiles() const
{
    return settings().value(u"recentFiles"_s).toStringList();
}

void MainWindow::rememberRecent(const QString &path)
{
    QStringList recent = recentFiles();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > MaxRecentFiles)
        recent.removeLast();
    settings().setValue(u"recentFiles"_s, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList recent = recentFiles();
    for (const QString &path : recent) {
        QAction *action = m_recentMenu->addAction(QDir::toNativeSeparators(path));
        connect(action, &QAction::triggered, this, [this, path] { setDataset(path); });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings stored = settings();
    stored.setValue(u"geometry"_s, saveGeometry());
    stored.setValue(u"windowState"_s, saveState());
    stored.setValue(u"splitter"_s, m_splitter->saveState());
    QMainWindow::closeEvent(event);
}

void MainWindow::enqueue(const RunRequest &request)
{
    m_queue->add(request);
    if (!m_run || !m_run->isRunning())
        startNextQueued();
}

void MainWindow::enqueueFiles(const QStringList &paths)
{
    const RunRequest base = currentRequest();
    for (const QString &path : paths) {
        RunRequest request = base;
        request.input = DatasetSource{path};
        request.input.onBadRow = base.input.onBadRow;
        m_queue->add(request);
    }
    statusBar()->showMessage(tr("Queued %n run(s) of %1", nullptr, int(paths.size())).arg(base.job), 5000);
    if (!m_run || !m_run->isRunning())
        startNextQueued();
}

void MainWindow::startNextQueued()
{
    if (m_run && m_run->isRunning())
        return;
    if (auto next = m_queue->takeNext())
        startRequest(next->request, next->id);
}

void MainWindow::selectSample()
{
    setDataset(QString::fromUtf16(BundledSampleDataset));
}

void MainWindow::openDatasetDialog()
{
    const QString dir = m_dataset.isEmpty() || m_dataset.startsWith(u':')
                            ? settings().value(u"datasetDir"_s, QDir::homePath()).toString()
                            : QFileInfo(m_dataset).absolutePath();
    // open(), not exec(): the window keeps handling the run's signals while the dialog is up.
    auto *dialog = new QFileDialog(this, tr("Open dataset"), dir,
                                   tr("Datasets (*.csv *.tsv *.tab *.npy);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &file) {
        settings().setValue(u"datasetDir"_s, QFileInfo(file).absolutePath());
        setDataset(file);
    });
    dialog->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedDatasets(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QStringList paths = droppedDatasets(event->mimeData());
    if (paths.isEmpty()) {
        event->ignore();
        return;
    }
    event->acceptProposedAction();
    if (paths.size() > 1) // several files: one run each, in order
        return enqueueFiles(paths);
    setDataset(paths.first());
    statusBar()->showMessage(tr("Dataset: %1").arg(QDir::toNativeSeparators(paths.first())), 5000);
}

const Job *MainWindow::currentJob() const
{
    return findJob(m_jobCombo->currentText());
}

void MainWindow::selectJob(const QString &name)
{
    const int index = m_jobCombo->findText(name);
    if (index >= 0)
        m_jobCombo->setCurrentIndex(index);
}

void MainWindow::onJobChanged(int index)
{
    const Job *job = findJob(m_jobCombo->itemText(index));
    delete m_form;
    m_form = nullptr;
    if (!job) {
        m_jobSummary->clear();
        updateActions();
        return;
    }
    QString summary = job->summary();
    if (job->input() == InputUse::Read)
        summary += u"\n"_s + tr("Reads the dataset.");
    else if (job->input() == InputUse::ReadWrite)
        summary += u"\n"_s + tr("Changes a shared copy of the dataset in place.");
    m_jobSummary->setText(summary);
    m_jobCombo->setToolTip(job->summary());

    m_useDataset->setVisible(job->inputOptional());
    m_form = new ParamForm(job->params(), m_paramBox);
    m_form->setObjectName(u"paramForm"_s);
    m_paramBox->layout()->addWidget(m_form);
    connect(m_form, &ParamForm::validityChanged, this, &MainWindow::updateActions);
    settings().setValue(u"job"_s, job->name());
    updateActions();
}

RunRequest MainWindow::currentRequest() const
{
    RunRequest request;
    const Job *job = currentJob();
    request.job = job ? job->name() : m_jobCombo->currentText();
    if (m_form)
        request.params = m_form->values();
    if (job && (job->input() != InputUse::None || (job->inputOptional() && m_useDataset->isChecked()))) {
        request.input = hasGeneratedDataset() ? m_generated : DatasetSource{m_dataset};
        request.input.onBadRow = m_skipBadRows->isChecked() ? BadRowPolicy::Skip : BadRowPolicy::Error;
    }
    request.workers = m_workers->value();
    request.chunkSize = m_chunkAuto->isChecked() ? 0 : m_chunkSize->value();
    request.retries = m_retries->value();
    request.timeoutSeconds = m_timeout->value();
    request.memoryLimit = qint64(m_memoryLimit->value()) << 20;
    request.halt = HaltPolicy(m_halt->currentData().toInt());
    request.ordered = m_ordered->isChecked();
    return request;
}

void MainWindow::updateActions()
{
    const Job *job = currentJob();
    const bool running = m_run && m_run->isRunning();
    QString blocker;
    if (!job)
        blocker = tr("Pick a job");
    else if (m_form && !m_form->isValid())
        blocker = tr("Fix the parameters marked in red");
    else if ((job->input() != InputUse::None || (job->inputOptional() && m_useDataset->isChecked())) &&
             m_dataset.isEmpty() && !hasGeneratedDataset())
        blocker = tr("This job needs a dataset: drop a file, open one or use the sample");
    else if (job->input() != InputUse::None && hasGeneratedDataset() && !job->acceptsGeneratedRows())
        blocker = tr("This job needs a file: drop one, open one or use the sample");
    m_runButton->setEnabled(blocker.isEmpty());
    m_runButton->setText(running ? tr("Queue") : tr("Run"));
    m_runButton->setToolTip(!blocker.isEmpty() ? blocker
                            : running          ? tr("Queue this run behind the one going (Ctrl+R)")
                                               : tr("Run the job (Ctrl+R)"));
    m_cancelButton->setEnabled(running);
}

void MainWindow::applyRequest(const RunRequest &request)
{
    if (request.input.generatedRows > 0)
        setGeneratedDataset(request.input.generatedRows, request.input.generatedCols,
                            request.input.distribution, request.input.seed);
    else if (!request.input.path.isEmpty())
        setDataset(request.input.path);
    m_skipBadRows->setChecked(request.input.onBadRow == BadRowPolicy::Skip);
    selectJob(request.job);
    if (m_form)
        m_form->setValues(request.params);
    const Job *job = currentJob();
    m_useDataset->setChecked(job && job->inputOptional() &&
                             (!request.input.path.isEmpty() || request.input.generatedRows > 0));
    if (request.workers > 0)
        m_workers->setValue(request.workers);
    m_chunkAuto->setChecked(request.chunkSize <= 0);
    if (request.chunkSize > 0)
        m_chunkSize->setValue(int(std::min<qint64>(request.chunkSize, m_chunkSize->maximum())));
    m_ordered->setChecked(request.ordered);
    m_retries->setValue(request.retries);
    m_timeout->setValue(request.timeoutSeconds);
    m_memoryLimit->setValue(int(request.memoryLimit >> 20));
    m_halt->setCurrentIndex(std::max(0, m_halt->findData(int(request.halt))));
    updateActions();
}

void MainWindow::estimate()
{
    if (m_trial && m_trial->isRunning())
        return;
    const RunRequest request = currentRequest();
    if (const auto valid = JobRun::validate(request); !valid) {
        m_estimateLabel->setText(valid.failure().describe());
        return;
    }
    delete m_trial;
    m_trial = new TrialRun(request, this);
    m_applyEstimate->hide();
    m_estimateButton->setEnabled(false);
    m_estimateLabel->setText(tr("Estimating: running a sample of the items…"));
    connect(m_trial, &TrialRun::finished, this, [this](const Result<RunEstimate> &estimate) {
        m_estimateButton->setEnabled(true);
        if (!estimate) {
            m_estimateLabel->setText(tr("No estimate: %1").arg(estimate.failure().describe()));
            return;
        }
        m_estimatedWorkers = std::min(estimate->recommendedWorkers, m_workers->maximum());
        m_estimatedChunk = estimate->recommendedChunkSize;
        m_estimateLabel->setText(estimate->summary());
        m_applyEstimate->show();
    });
    m_trial->start();
}

void MainWindow::startRun()
{
    RunRequest request = currentRequest();
    if (const auto valid = JobRun::validate(request); !valid) {
        statusBar()->showMessage(valid.failure().describe());
        return;
    }
    if (m_run && m_run->isRunning()) // Run while a run goes: queue this one behind it
        return enqueue(request);
    startRequest(std::move(request), 0);
}

void MainWindow::startRequest(RunRequest request, int queueId)
{
    m_runQueueId = queueId;
    if (const auto valid = JobRun::validate(request); !valid) {
        statusBar()->showMessage(valid.failure().describe());
        if (queueId) {
            m_queue->setState(queueId, RunQueue::State::Failed, valid.failure().message);
            QTimer::singleShot(0, this, &MainWindow::startNextQueued);
        }
        return;
    }
    if (m_run)
        m_run->deleteLater(); // finished: its thread and workers are already gone

    m_monitor->reset();
    m_result->clear();
    m_errors->clearReports();
    m_tabs->setCurrentWidget(m_result);

    auto *run = new JobRun(std::move(request), this);
    m_run = run;
    m_runStarted = QDateTime::currentDateTime();
    connect(run, &JobRun::progressed, m_monitor, &RunMonitor::showSnapshot);
    connect(run, &JobRun::errorReported, m_errors, &ErrorConsole::addReport);
    connect(run, &JobRun::finished, this, [this, run](const RunOutcome &outcome) {
        if (run == m_run)
            onRunFinished(outcome);
    });
    run->start();
    statusBar()->showMessage(
        tr("Running %1 on %2 worker(s)…").arg(run->request().job).arg(run->request().workers));
    updateActions();
    Q_EMIT runStarted();
}

void MainWindow::cancelRun()
{
    if (!m_run || !m_run->isRunning())
        return;
    m_run->cancel();
    m_cancelButton->setEnabled(false);
    statusBar()->showMessage(tr("Cancelling…"));
}

void MainWindow::onRunFinished(const RunOutcome &outcome)
{
    m_monitor->showFinished(outcome);
    m_result->showOutcome(outcome);
    if (m_history->history()) {
        if (auto id = m_history->history()->record(m_run->request(), outcome, m_runStarted, u"gui"_s); !id)
            statusBar()->showMessage(id.failure().describe());
        m_history->reload();
    }
    switch (outcome.status) {
    case RunStatus::Ok:
        statusBar()->showMessage(tr("Finished in %1 s").arg(outcome.elapsedSeconds, 0, 'f', 2));
        break;
    case RunStatus::Cancelled:
        statusBar()->showMessage(tr("Cancelled after %1 s").arg(outcome.elapsedSeconds, 0, 'f', 2));
        break;
    case RunStatus::Failed:
        statusBar()->showMessage(
            outcome.failure
                ? outcome.failure->describe()
                : tr("Failed: %1 of %2 tasks failed").arg(outcome.failedTasks).arg(outcome.tasks));
        break;
    }
    if (outcome.status == RunStatus::Failed && !outcome.errors.isEmpty())
        m_tabs->setCurrentWidget(m_errorTab);
    if (m_runQueueId) {
        const RunQueue::State state = outcome.status == RunStatus::Ok          ? RunQueue::State::Done
                                      : outcome.status == RunStatus::Cancelled ? RunQueue::State::Cancelled
                                                                               : RunQueue::State::Failed;
        m_queue->setState(m_runQueueId, state,
                          outcome.failure ? outcome.failure->message
                                          : tr("%1 s").arg(outcome.elapsedSeconds, 0, 'f', 2));
        m_runQueueId = 0;
    }
    updateActions();
    Q_EMIT runFinished(outcome);
    // The next queued run starts from the event loop, after everyone has seen this one finish.
    QTimer::singleShot(0, this, &MainWindow::startNextQueued);
}

} // namespace brigade
