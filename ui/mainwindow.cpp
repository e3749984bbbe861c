// MainWindow: builds a RunRequest from the dataset panel, the job's form and the settings form, and shows
// the runs of its RunController through its views.
#include "ui/mainwindow.h"

#include "core/engine/datasets.h"
#include "core/engine/trialrun.h"
#include "core/jobs/registry.h"
#include "core/run/errorreport.h"
#include "ui/datasetpanel.h"
#include "ui/errorconsole.h"
#include "ui/historyview.h"
#include "ui/logview.h"
#include "ui/paramform.h"
#include "ui/resultview.h"
#include "ui/runmonitor.h"
#include "ui/runqueue.h"
#include "ui/runsettingsform.h"
#include "ui/segmentpanel.h"

#include <QAction>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

QSettings settings()
{
    return QSettings(u"Brigade"_s, u"Brigade"_s);
}

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new RunController(u"gui"_s, this))
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
    buildMenus();

    connect(m_controller, &RunController::runStarted, this, &MainWindow::onRunStarted);
    connect(m_controller, &RunController::runFinished, this, &MainWindow::onRunFinished);
    connect(m_controller, &RunController::historyFailed, this,
            [this](const Failure &failure) { statusBar()->showMessage(failure.describe()); });
    connect(m_controller, &RunController::historyRecorded, m_history, &HistoryView::reload);
    connect(m_controller, &RunController::queuedRunRefused, this,
            [this](int, const Failure &failure) { statusBar()->showMessage(failure.describe()); });

    // Restore the last job and worker count before the change signals are connected, so that
    // restoring does not write them back.
    QSettings stored = settings();
    auto *workers = qobject_cast<QSpinBox *>(m_settings->editor(u"workers"_s));
    workers->setValue(stored.value(u"workers"_s, workers->value()).toInt());
    // First start: the job that reads the bundled sample dataset.
    const int jobIndex = m_jobCombo->findText(stored.value(u"job"_s, u"stats"_s).toString());
    m_jobCombo->setCurrentIndex(jobIndex >= 0 ? jobIndex : 0);
    connect(m_jobCombo, &QComboBox::currentIndexChanged, this, &MainWindow::onJobChanged);
    connect(workers, &QSpinBox::valueChanged, this,
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

void MainWindow::buildMenus()
{
    m_openAction = new QAction(tr("&Open dataset…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, m_dataset, &DatasetPanel::openDatasetDialog);
    auto *folderAction = new QAction(tr("Open image &folder…"), this);
    folderAction->setObjectName(u"openFolderAction"_s);
    connect(folderAction, &QAction::triggered, m_dataset, &DatasetPanel::openFolderDialog);
    auto *sampleAction = new QAction(tr("Use the &sample dataset"), this);
    connect(sampleAction, &QAction::triggered, m_dataset, &DatasetPanel::selectSample);
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
    connect(m_dataset, &DatasetPanel::recentFilesChanged, this, &MainWindow::rebuildRecentMenu);

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
}

QWidget *MainWindow::buildControls()
{
    auto *controls = new QWidget;
    auto *layout = new QVBoxLayout(controls);

    m_dataset = new DatasetPanel(controls);
    connect(m_dataset, &DatasetPanel::datasetChanged, this, [this](const QString &path) {
        updateActions();
        Q_EMIT datasetChanged(path);
    });
    layout->addWidget(m_dataset);

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
    auto *settingsLayout = new QVBoxLayout(settingsBox);
    m_settings = new RunSettingsForm(settingsBox);
    settingsLayout->addWidget(m_settings);
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
        m_settings->setValue(u"workers"_s, qint64(m_estimatedWorkers));
        m_settings->setValue(u"chunk-size"_s, m_estimatedChunk);
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
                if (!currentRun())
                    return;
                RunRequest request = currentRun()->request();
                request.priorAttempts += request.retries + 1; // a retry is the next attempt at those tasks
                request.onlyRanges = ranges;
                if (const auto valid = m_controller->submit(std::move(request)); !valid)
                    statusBar()->showMessage(valid.failure().describe());
            });
    m_tabs->addTab(m_errorTab, tr("Errors"));
    connect(m_errors, &ErrorConsole::reportCountChanged, m_tabs, [this](int count) {
        m_tabs->setTabText(m_tabs->indexOf(m_errorTab),
                           count > 0 ? tr("Errors (%1)").arg(count) : tr("Errors"));
    });
    m_queue = new RunQueue(m_controller, m_tabs);
    m_tabs->addTab(m_queue, tr("Queue"));
    connect(m_queue, &RunQueue::cancelRequested, this, [this](int id) {
        if (id == m_controller->currentQueueId())
            cancelRun();
    });
    connect(m_queue, &RunQueue::changed, this, [this] {
        const qsizetype waiting = m_queue->waiting();
        m_tabs->setTabText(m_tabs->indexOf(m_queue),
                           waiting > 0 ? tr("Queue (%1)").arg(waiting) : tr("Queue"));
    });
    m_log = new LogView(m_tabs); // every worker's stderr, tagged with its pid
    m_tabs->addTab(m_log, tr("Log"));
    connect(m_log, &LogView::lineCountChanged, m_tabs, [this](qsizetype count) {
        m_tabs->setTabText(m_tabs->indexOf(m_log), count > 0 ? tr("Log (%1)").arg(count) : tr("Log"));
    });
    m_history = new HistoryView(m_tabs);
    m_tabs->addTab(m_history, tr("History"));
    m_tabs->addTab(new SegmentPanel(m_tabs), tr("Shared memory"));
    connect(m_history, &HistoryView::openRequested, this, [this](const HistoryEntry &entry) {
        RunOutcome past;
        past.status = enumFromName(RunStatusNames, entry.status).value_or(RunStatus::Failed);
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

QString MainWindow::dataset() const
{
    return m_dataset->dataset();
}

bool MainWindow::hasGeneratedDataset() const
{
    return m_dataset->hasGeneratedDataset();
}

void MainWindow::setDataset(const QString &path)
{
    m_dataset->setDataset(path);
}

void MainWindow::setGeneratedDataset(qint64 rows, qint64 cols, Distribution distribution, quint64 seed)
{
    m_dataset->setGeneratedDataset(rows, cols, distribution, seed);
}

void MainWindow::openDatasetDialog()
{
    m_dataset->openDatasetDialog();
}

void MainWindow::selectSample()
{
    m_dataset->selectSample();
}

void MainWindow::openGenerateDialog()
{
    m_dataset->openGenerateDialog();
}

QStringList MainWindow::recentFiles() const
{
    return m_dataset->recentFiles();
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
    m_controller->enqueue(request);
}

void MainWindow::enqueueFiles(const QStringList &paths)
{
    const RunRequest base = currentRequest();
    statusBar()->showMessage(tr("Queued %n run(s) of %1", nullptr, int(paths.size())).arg(base.job), 5000);
    for (const QString &path : paths) {
        RunRequest request = base;
        request.input = DatasetSource{path};
        request.input.onBadRow = base.input.onBadRow;
        m_controller->enqueue(request);
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!DatasetPanel::droppedDatasets(event->mimeData()).isEmpty())
        event->acceptProposedAction();
    else
        event->ignore();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QStringList paths = DatasetPanel::droppedDatasets(event->mimeData());
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

bool MainWindow::jobUsesDataset(const Job *job) const
{
    return job && (job->input() != InputUse::None || (job->inputOptional() && m_useDataset->isChecked()));
}

RunRequest MainWindow::currentRequest() const
{
    RunRequest request;
    const Job *job = currentJob();
    request.job = job ? job->name() : m_jobCombo->currentText();
    if (m_form)
        request.params = m_form->values();
    if (jobUsesDataset(job))
        request.input = m_dataset->source();
    m_settings->applyTo(request);
    return request;
}

void MainWindow::updateActions()
{
    const Job *job = currentJob();
    const bool running = m_controller->isRunning();
    QString blocker;
    if (!job)
        blocker = tr("Pick a job");
    else if (m_form && !m_form->isValid())
        blocker = tr("Fix the parameters marked in red");
    else if (const auto valid = validateRunRequest(currentRequest()); !valid) // the engine's own rules
        blocker = tr("Cannot run: %1").arg(valid.failure().message);
    m_runButton->setEnabled(blocker.isEmpty());
    m_runButton->setText(running ? tr("Queue") : tr("Run"));
    m_runButton->setToolTip(!blocker.isEmpty() ? blocker
                            : running          ? tr("Queue this run behind the one going (Ctrl+R)")
                                               : tr("Run the job (Ctrl+R)"));
    m_cancelButton->setEnabled(running);
}

void MainWindow::applyRequest(const RunRequest &request)
{
    m_dataset->setSource(request.input);
    selectJob(request.job);
    if (m_form)
        m_form->setValues(request.params);
    const Job *job = currentJob();
    m_useDataset->setChecked(job && job->inputOptional() &&
                             (!request.input.path.isEmpty() || request.input.generatedRows > 0));
    m_settings->setFrom(request);
    updateActions();
}

void MainWindow::estimate()
{
    if (m_trial && m_trial->isRunning())
        return;
    const RunRequest request = currentRequest();
    if (const auto valid = validateRunRequest(request); !valid) {
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
        m_estimatedWorkers = estimate->recommendedWorkers; // the form clamps it to its range
        m_estimatedChunk = estimate->recommendedChunkSize;
        m_estimateLabel->setText(estimate->summary());
        m_applyEstimate->show();
    });
    m_trial->start();
}

void MainWindow::startRun()
{
    if (const auto valid = m_controller->submit(currentRequest()); !valid) // starts it, or queues it behind
        statusBar()->showMessage(valid.failure().describe());
}

void MainWindow::onRunStarted(JobRun *run)
{
    m_monitor->reset();
    m_result->clear();
    m_errors->clearReports();
    m_tabs->setCurrentWidget(m_result);
    connect(run, &JobRun::progressed, m_monitor, &RunMonitor::showSnapshot);
    connect(run, &JobRun::errorReported, m_errors, &ErrorConsole::addReport);
    connect(run, &JobRun::workerLogLine, m_log, &LogView::addLine);
    m_log->addMarker(tr("%1 started on %2 worker(s)").arg(run->request().job).arg(run->request().workers));
    statusBar()->showMessage(
        tr("Running %1 on %2 worker(s)…").arg(run->request().job).arg(run->request().workers));
    updateActions();
    Q_EMIT runStarted();
}

void MainWindow::cancelRun()
{
    if (!m_controller->isRunning())
        return;
    m_controller->cancel();
    m_cancelButton->setEnabled(false);
    statusBar()->showMessage(tr("Cancelling…"));
}

void MainWindow::onRunFinished(const RunOutcome &outcome)
{
    m_monitor->showFinished(outcome);
    m_result->showOutcome(outcome);
    switch (outcome.status) {
    case RunStatus::Ok:
        statusBar()->showMessage(tr("Finished in %1 s").arg(outcome.elapsedSeconds, 0, 'f', 2));
        break;
    case RunStatus::Cancelled:
        statusBar()->showMessage(tr("Cancelled after %1 s").arg(outcome.elapsedSeconds, 0, 'f', 2));
        break;
    case RunStatus::Failed: {
        // Faults are isolated to the item: say how many items were given up, not how many pieces.
        qint64 givenUp = 0;
        for (const auto &[begin, end] : givenUpRanges(outcome.errors))
            givenUp += end - begin;
        statusBar()->showMessage(
            outcome.failure ? outcome.failure->describe()
                            : tr("Failed: %1 of %2 items given up").arg(givenUp).arg(outcome.plannedItems));
        break;
    }
    }
    if (outcome.status == RunStatus::Failed && !outcome.errors.isEmpty())
        m_tabs->setCurrentWidget(m_errorTab);
    updateActions();
    Q_EMIT runFinished(outcome);
}

} // namespace brigade
