// MainWindow: dataset, job catalogue, parameters and run settings on the left; the run's views on the right.
#pragma once

#include "core/engine/jobrun.h"

#include <QDateTime>
#include <QMainWindow>

class QAction;
class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QMenu;
class QSplitter;
class QTableWidget;
class QPushButton;
class QDoubleSpinBox;
class QSpinBox;
class QTabWidget;

namespace brigade {

class ErrorConsole;
class HistoryView;
class RunQueue;
class TrialRun;
class Job;
class ParamForm;
class ResultView;
class RunMonitor;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // The bundled sample, a resource compiled into the `brigade` executable.

    void setDataset(const QString &path);
    QString dataset() const { return m_dataset; }
    // A generated table instead of a file (rows > 0); what "Generate…" sets.
    void setGeneratedDataset(qint64 rows, qint64 cols, Distribution distribution, quint64 seed);
    bool hasGeneratedDataset() const { return m_generated.generatedRows > 0; }

    // Selects a job of the catalogue by name (unknown names are ignored) and rebuilds the form.
    void selectJob(const QString &name);
    const Job *currentJob() const;

    // The latest run (running or finished), or null before the first one.
    JobRun *currentRun() const { return m_run; }
    // The request the controls describe now: job, typed parameters, input and run settings.
    RunRequest currentRequest() const;

    ParamForm *paramForm() const { return m_form; }
    RunMonitor *monitor() const { return m_monitor; }
    ErrorConsole *errorConsole() const { return m_errors; }
    ResultView *resultView() const { return m_result; }
    HistoryView *historyView() const { return m_history; }
    RunQueue *runQueue() const { return m_queue; }

    // Queues one run per file with the current job and settings; the queue starts when no run is going.
    void enqueueFiles(const QStringList &paths);
    void enqueue(const RunRequest &request);
    QStringList recentFiles() const;

    // Sets the controls (dataset, job, parameters, run settings) to those of a request, e.g. a past run's.
    void applyRequest(const RunRequest &request);

public Q_SLOTS:
    void startRun();
    void cancelRun();
    void openDatasetDialog();
    void selectSample();
    void openGenerateDialog();
    // Runs a trial of the current request and shows the recommended settings and the forecast.
    void estimate();

Q_SIGNALS:
    void datasetChanged(const QString &path);
    void runStarted();
    void runFinished(const brigade::RunOutcome &outcome);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QWidget *buildControls();
    QWidget *buildViews();
    void onJobChanged(int index);
    void onRunFinished(const RunOutcome &outcome);
    void startRequest(RunRequest request, int queueId);
    void startNextQueued();
    void rememberRecent(const QString &path);
    void rebuildRecentMenu();
    void showPreview(const QString &path);
    void closeEvent(QCloseEvent *event) override;
    void updateActions();

    QString m_dataset;
    DatasetSource m_generated; // generatedRows > 0 while a generated table is the dataset
    QCheckBox *m_skipBadRows = nullptr;
    QCheckBox *m_useDataset = nullptr; // for jobs whose input is optional
    JobRun *m_run = nullptr;

    QLabel *m_datasetLabel = nullptr;
    QComboBox *m_jobCombo = nullptr;
    QLabel *m_jobSummary = nullptr;
    QGroupBox *m_paramBox = nullptr;
    ParamForm *m_form = nullptr;
    QSpinBox *m_workers = nullptr;
    QCheckBox *m_chunkAuto = nullptr;
    QSpinBox *m_chunkSize = nullptr;
    QCheckBox *m_ordered = nullptr;
    QSpinBox *m_retries = nullptr;
    QDoubleSpinBox *m_timeout = nullptr;
    QSpinBox *m_memoryLimit = nullptr;
    QComboBox *m_halt = nullptr;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QAction *m_openAction = nullptr;

    RunMonitor *m_monitor = nullptr;
    QTabWidget *m_tabs = nullptr;
    ResultView *m_result = nullptr;
    ErrorConsole *m_errors = nullptr;
    HistoryView *m_history = nullptr;
    RunQueue *m_queue = nullptr;
    TrialRun *m_trial = nullptr;
    QPushButton *m_estimateButton = nullptr;
    QPushButton *m_applyEstimate = nullptr;
    QLabel *m_estimateLabel = nullptr;
    int m_estimatedWorkers = 0;
    qint64 m_estimatedChunk = 0;
    int m_runQueueId = 0; // the queue item the current run is, 0 for a run started by Run
    QMenu *m_recentMenu = nullptr;
    QTableWidget *m_preview = nullptr;
    QLabel *m_previewInfo = nullptr;
    QSplitter *m_splitter = nullptr;
    int m_previewGeneration = 0; // drops previews that arrive after another dataset was chosen
    QDateTime m_runStarted;
    QWidget *m_errorTab = nullptr;
};

} // namespace brigade
