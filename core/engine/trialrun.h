// TrialRun: "Estimate" — runs a few samples of a request's items, then recommends the worker count and
// chunk size and forecasts the whole run's time and peak memory.
#pragma once

#include "core/engine/jobrun.h"

#include <QObject>
#include <QPointer>

namespace brigade {

struct RunEstimate {
    qint64 items = 0;        // the whole run's
    qint64 sampledItems = 0; // what the trial ran
    int trialWorkers = 0;
    double trialSeconds = 0;   // the trial's wall time
    double startupSeconds = 0; // until its workers were ready
    double secondsPerItem = 0; // one worker's compute time per item
    int recommendedWorkers = 1;
    qint64 recommendedChunkSize = 1;
    double forecastSeconds = 0; // the whole run with the recommended settings
    qint64 forecastPeakBytes = 0;

    QString summary() const; // for a person
};

// Pure arithmetic from a trial's measurements (tested on its own): per-item cost from the sampled items,
// tasks of about TargetTaskSeconds, and one worker per core unless the whole run is too short to share.
RunEstimate estimateFrom(qint64 items, qint64 sampledItems, int trialWorkers, double computeSeconds,
                         double startupSeconds, qint64 trialPeakBytes, qint64 sharedBytes, int cores);

class TrialRun : public QObject
{
    Q_OBJECT

public:
    static constexpr double SampleFraction = 0.02; // of the items, spread over SampleRanges ranges
    static constexpr int SampleRanges = 8;
    static constexpr double TargetTaskSeconds = 0.02;

    explicit TrialRun(RunRequest request, QObject *parent = nullptr);
    ~TrialRun() override;

    void start();
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void finished(const brigade::Result<brigade::RunEstimate> &estimate);

private:
    void startSample(qint64 items);

    RunRequest m_request;
    QPointer<JobRun> m_run;
    bool m_running = false;
};

} // namespace brigade
