#include "core/engine/trialrun.h"

#include <QLocale>
#include <QThread>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace brigade {

QString RunEstimate::summary() const
{
    const QLocale c;
    return u"%1 items; the trial ran %2 of them in %3 s (%4 ms per item on one worker).\n"
           u"Recommended: %5 worker(s), chunk size %6.\n"
           u"Forecast: about %7 s, peak memory about %8."_s.arg(items)
               .arg(sampledItems)
               .arg(trialSeconds, 0, 'f', 2)
               .arg(secondsPerItem * 1e3, 0, 'g', 3)
               .arg(recommendedWorkers)
               .arg(recommendedChunkSize)
               .arg(forecastSeconds, 0, 'f', forecastSeconds < 10 ? 2 : 0)
               .arg(c.formattedDataSize(forecastPeakBytes));
}

RunEstimate estimateFrom(qint64 items, qint64 sampledItems, int trialWorkers, double computeSeconds,
                         double startupSeconds, qint64 trialPeakBytes, qint64 sharedBytes, int cores)
{
    RunEstimate e;
    e.items = items;
    e.sampledItems = sampledItems;
    e.trialWorkers = std::max(trialWorkers, 1);
    e.startupSeconds = std::max(startupSeconds, 0.0);
    // The trial's workers ran in parallel: one worker's cost per item is the busy time over the items.
    e.secondsPerItem =
        sampledItems > 0 ? std::max(computeSeconds, 0.0) * e.trialWorkers / double(sampledItems) : 0;
    const double work = e.secondsPerItem * double(items); // one worker's time for everything
    // Sharing pays when each extra worker gets at least a few tasks' worth of work.
    e.recommendedWorkers = std::clamp(int(work / (4 * TrialRun::TargetTaskSeconds)), 1, std::max(cores, 1));
    const double perItem = std::max(e.secondsPerItem, 1e-9);
    const qint64 byDuration = qint64(std::llround(TrialRun::TargetTaskSeconds / perItem));
    const qint64 byBalance = std::max<qint64>(items / (qint64(e.recommendedWorkers) * 4), 1);
    e.recommendedChunkSize = std::clamp<qint64>(byDuration, 1, byBalance);
    e.forecastSeconds = e.startupSeconds + work / e.recommendedWorkers;
    // Shared segments once, plus each process's own memory as the trial measured it (its peak resident
    // memory less the share of the dataset it touched, which the sample bounds from above).
    const double touched = double(sharedBytes) * double(sampledItems) / double(std::max<qint64>(items, 1));
    const double perProcess =
        std::max(0.0, (double(trialPeakBytes) - touched * (e.trialWorkers + 1)) / (e.trialWorkers + 1));
    e.forecastPeakBytes = sharedBytes + qint64(perProcess * (e.recommendedWorkers + 1));
    return e;
}

TrialRun::TrialRun(RunRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
{}

TrialRun::~TrialRun()
{
    delete m_run; // cancels and waits, if it is still going
}

void TrialRun::start()
{
    if (m_running)
        return;
    m_running = true;
    // First the plan alone, for the number of items.
    RunRequest plan = m_request;
    plan.output.clear();
    plan.planOnly = true;
    m_run = new JobRun(plan, this);
    connect(m_run, &JobRun::finished, this, [this](const RunOutcome &outcome) {
        m_run->deleteLater();
        if (outcome.failure || outcome.plannedItems < 0) {
            m_running = false;
            return Q_EMIT finished(outcome.failure.value_or(
                Failure{FailureCode::System, u"the trial could not plan the run"_s, {}, -1}));
        }
        startSample(outcome.plannedItems);
    });
    m_run->start();
}

void TrialRun::startSample(qint64 items)
{
    RunRequest sample = m_request;
    sample.output.clear(); // a trial never writes the run's output, nor a journal, nor a joblog
    sample.journal = false;
    sample.joblog.clear();
    const qint64 length = std::max<qint64>(1, qint64(double(items) * SampleFraction / SampleRanges));
    for (int k = 0; k < SampleRanges && items > 0; ++k) {
        const qint64 begin = std::min(items - 1, items * k / SampleRanges);
        const qint64 end = std::min(items, begin + length);
        if (sample.onlyRanges.isEmpty() || sample.onlyRanges.back().second <= begin)
            sample.onlyRanges.append({begin, end});
    }
    if (sample.onlyRanges.isEmpty()) {
        m_running = false;
        return Q_EMIT finished(Failure{FailureCode::Usage, u"the run has no items to sample"_s, {}, -1});
    }
    m_run = new JobRun(sample, this);
    connect(m_run, &JobRun::finished, this, [this, items](const RunOutcome &outcome) {
        m_run->deleteLater();
        m_running = false;
        if (outcome.failure)
            return Q_EMIT finished(*outcome.failure);
        if (outcome.status != RunStatus::Ok)
            return Q_EMIT finished(
                Failure{FailureCode::System,
                        u"the trial %1: %2 of its tasks failed"_s.arg(runStatusName(outcome.status))
                            .arg(outcome.failedTasks),
                        {},
                        -1});
        qint64 sampled = 0;
        for (const auto &[begin, end] : m_run->request().onlyRanges)
            sampled += end - begin;
        const double startup = outcome.workersReadyMs >= 0 ? outcome.workersReadyMs / 1e3 : 0;
        Q_EMIT finished(estimateFrom(items, sampled, outcome.workers, outcome.elapsedSeconds - startup,
                                     startup, outcome.peakMemoryBytes, outcome.sharedBytes,
                                     QThread::idealThreadCount()));
    });
    m_run->start();
}

void TrialRun::cancel()
{
    if (m_run)
        m_run->cancel();
}

} // namespace brigade
