// MainWindow: dataset, job catalogue, parameters and run settings on the left; the run's views on the right.
#pragma once

#include "core/engine/runcontroller.h"

#include <QMainWindow>

class QAction;
class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QMenu;
class QSplitter;
class QPushButton;
class QTabWidget;

namespace brigade {

class DatasetPanel;
class ErrorConsole;
class HistoryView;
class LogView;
class RunQueue;
class TrialRun;
class Job;
class ParamForm;
class ResultView;
class RunMonitor;
class RunSettingsForm;

class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void setDataset(const QString &path);
    QString dataset() const;
    // A generated table instead of a file (rows > 0); what "Generate…" sets.
    void setGeneratedDataset(qint64 rows, qint64 cols, Distribution distribution, quint64 seed);
    bool hasGeneratedDataset() const;

    // Selects a job of the catalogue by name (unknown names are ignored) and rebuilds the form.
    void selectJob(const QString &name);
    const Job *currentJob() const;

    // The latest run (running or finished), or null before the first one.
    JobRun *currentRun() const { return m_controller->currentRun(); }
    RunController *controller() const { return m_controller; }
    // The request the controls describe now: job, typed parameters, input and run settings.
    RunRequest currentRequest() const;

    ParamForm *paramForm() const { return m_form; }
    RunMonitor *monitor() const { return m_monitor; }
    ErrorConsole *errorConsole() const { return m_errors; }
    ResultView *resultView() const { return m_result; }
    HistoryView *historyView() const { return m_history; }
    DatasetPanel *datasetPanel() const { return m_dataset; }
    RunSettingsForm *settingsForm() const { return m_settings; }
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
    void buildMenus();
    void onJobChanged(int index);
    void onRunStarted(JobRun *run);
    void onRunFinished(const RunOutcome &outcome);
    void rebuildRecentMenu();
    void closeEvent(QCloseEvent *event) override;
    void updateActions();
    bool jobUsesDataset(const Job *job) const;

    RunController *m_controller = nullptr;
    DatasetPanel *m_dataset = nullptr;
    RunSettingsForm *m_settings = nullptr;
    QCheckBox *m_useDataset = nullptr; // for jobs whose input is optional

    QComboBox *m_jobCombo = nullptr;
    QLabel *m_jobSummary = nullptr;
    QGroupBox *m_paramBox = nullptr;
    ParamForm *m_form = nullptr;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QAction *m_openAction = nullptr;

    RunMonitor *m_monitor = nullptr;
    QTabWidget *m_tabs = nullptr;
    ResultView *m_result = nullptr;
    ErrorConsole *m_errors = nullptr;
    HistoryView *m_history = nullptr;
    LogView *m_log = nullptr;
    RunQueue *m_queue = nullptr;
    TrialRun *m_trial = nullptr;
    QPushButton *m_estimateButton = nullptr;
    QPushButton *m_applyEstimate = nullptr;
    QLabel *m_estimateLabel = nullptr;
    int m_estimatedWorkers = 0;
    qint64 m_estimatedChunk = 0;
    QMenu *m_recentMenu = nullptr;
    QSplitter *m_splitter = nullptr;
    QWidget *m_errorTab = nullptr;
};

} // namespace brigade
