// RunController: validates and starts runs, keeps their queue, and records each finished run once.
#include "core/engine/runcontroller.h"

#include "core/engine/outputguard.h"
#include "core/engine/workerbackend.h"
#include "core/jobs/registry.h"
#include "core/run/runsettings.h"
#include "core/store/history.h"

#include <QFileInfo>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace brigade {

Result<void> validateRunRequest(const RunRequest &request)
{
    const Job *job = findJob(request.job);
    if (!job)
        return usageFailure(u"unknown job \"%1\" (see `brigade jobs`)"_s.arg(request.job));
    auto params = resolveParams(job->params(), request.params);
    if (!params)
        return params.failure();
    if (auto valid = validateRunSettings(request); !valid)
        return valid;
    if (!backendNames().contains(request.backend))
        return usageFailure(u"--backend: unknown backend \"%1\" (known: %2)"_s.arg(
            request.backend, backendNames().join(u", "_s)));
    if (auto valid = job->checkParams(*params); !valid)
        return valid;
    for (const auto &[begin, end] : request.onlyRanges)
        if (begin < 0 || end <= begin)
            return usageFailure(u"item range [%1, %2) to run is empty or negative"_s.arg(begin).arg(end));
    if (request.priorAttempts < 0)
        return usageFailure(u"prior attempts must be 0 or more"_s);
    if (!request.output.isEmpty() && !job->outputFormats().isEmpty()) {
        const auto format = outputFormatOf(request.output);
        if (!format || !job->outputFormats().contains(*format)) {
            QStringList accepted;
            for (OutputFormat f : job->outputFormats())
                accepted << outputFormatName(f);
            return usageFailure(u"--output: job \"%1\" writes %2 files, not \"%3\""_s.arg(
                job->name(), accepted.join(u", "_s), QFileInfo(request.output).fileName()));
        }
    }
    if (auto file = checkOutputIsAFile(u"--output"_s, request.output); !file)
        return file;
    if (auto spared = checkOutputSparesInput(u"--output"_s, request.output, request.input.path); !spared)
        return spared;
    if (auto file = checkOutputIsAFile(u"--joblog"_s, request.joblog); !file)
        return file;
    if (auto spared = checkOutputSparesInput(u"--joblog"_s, request.joblog, request.input.path); !spared)
        return spared;
    for (const ParamSpec &spec : job->params()) // a job's own output folders (image-pipeline's --output-dir)
        if (spec.name.startsWith(u"output"_s))
            if (auto spared = checkOutputSparesInput(u"--"_s + spec.name, params->value(spec.name).toString(),
                                                     request.input.path);
                !spared)
                return spared;
    const bool hasFile = !request.input.path.isEmpty();
    const bool hasRows = request.input.generatedRows > 0;
    switch (job->input()) {
    case InputUse::None:
        if (hasFile && hasRows)
            return usageFailure(u"--input and --rows: give one of them"_s);
        if (hasRows && !(job->inputOptional() && job->acceptsGeneratedRows()))
            return usageFailure(u"--rows: job \"%1\" takes no input table"_s.arg(job->name()));
        if (hasFile && !job->inputOptional())
            return usageFailure(u"--input: job \"%1\" takes no input file"_s.arg(job->name()));
        break;
    case InputUse::Read:
    case InputUse::ReadWrite:
        if (hasRows && !job->acceptsGeneratedRows())
            return usageFailure(u"--rows: job \"%1\" needs an input file"_s.arg(job->name()));
        if (hasFile && hasRows)
            return usageFailure(u"--input and --rows: give one of them"_s);
        if (!hasFile && !hasRows)
            return usageFailure(job->acceptsGeneratedRows()
                                    ? u"--input or --rows: job \"%1\" needs one"_s.arg(job->name())
                                    : u"--input: job \"%1\" needs an input file"_s.arg(job->name()));
        break;
    }
    return {};
}

RunController::RunController(QString origin, QObject *parent)
    : QObject(parent)
    , m_origin(std::move(origin))
{}

RunController::~RunController() = default; // a run still going is a child: its destructor cancels it

Result<void> RunController::submit(RunRequest request)
{
    if (auto valid = validateRunRequest(request); !valid)
        return valid;
    if (isRunning()) { // behind the run going; validated, so it starts as it is
        m_queue.append({m_nextId++, std::move(request), QueueState::Queued, {}});
        Q_EMIT queueChanged();
        return {};
    }
    start(std::move(request), 0);
    return {};
}

int RunController::enqueue(RunRequest request)
{
    const int id = m_nextId++;
    m_queue.append({id, std::move(request), QueueState::Queued, {}});
    Q_EMIT queueChanged();
    startNext();
    return id;
}

void RunController::cancel()
{
    if (isRunning())
        m_run->cancel();
}

qsizetype RunController::waiting() const
{
    return std::count_if(m_queue.cbegin(), m_queue.cend(),
                         [](const QueueItem &item) { return item.state == QueueState::Queued; });
}

bool RunController::move(int id, int delta)
{
    qsizetype from = -1;
    for (qsizetype i = 0; i < m_queue.size(); ++i)
        if (m_queue[i].id == id && m_queue[i].state == QueueState::Queued)
            from = i;
    if (from < 0)
        return false;
    for (qsizetype to = from + delta; to >= 0 && to < m_queue.size(); to += delta)
        if (m_queue[to].state == QueueState::Queued) {
            m_queue.swapItemsAt(from, to);
            Q_EMIT queueChanged();
            return true;
        }
    return false;
}

bool RunController::remove(int id)
{
    const auto removed = m_queue.removeIf(
        [id](const QueueItem &item) { return item.id == id && item.state == QueueState::Queued; });
    Q_EMIT queueChanged();
    return removed > 0;
}

void RunController::clearFinished()
{
    m_queue.removeIf(
        [](const QueueItem &i) { return i.state != QueueState::Queued && i.state != QueueState::Running; });
    Q_EMIT queueChanged();
}

void RunController::setState(int id, QueueState state, const QString &note)
{
    for (QueueItem &item : m_queue)
        if (item.id == id) {
            item.state = state;
            item.note = note;
        }
    Q_EMIT queueChanged();
}

void RunController::startNext()
{
    if (isRunning())
        return;
    for (QueueItem &item : m_queue) {
        if (item.state != QueueState::Queued)
            continue;
        if (auto valid = validateRunRequest(item.request); !valid) {
            setState(item.id, QueueState::Failed, valid.failure().message);
            Q_EMIT queuedRunRefused(item.id, valid.failure());
            continue;
        }
        item.state = QueueState::Running;
        Q_EMIT queueChanged();
        return start(item.request, item.id);
    }
}

void RunController::start(RunRequest request, int queueId)
{
    if (m_run)
        m_run->deleteLater(); // finished: its thread and workers are already gone
    m_queueId = queueId;
    auto *run = new JobRun(std::move(request), this);
    m_run = run;
    m_started = QDateTime::currentDateTime();
    connect(run, &JobRun::finished, this,
            [this, run](const RunOutcome &outcome) { onFinished(run, outcome); });
    run->start();
    Q_EMIT runStarted(run);
}

void RunController::onFinished(JobRun *run, const RunOutcome &outcome)
{
    if (run != m_run)
        return;
    if (m_recordsHistory) {
        if (auto failure = recordRun(run->request(), outcome, m_started, m_origin))
            Q_EMIT historyFailed(*failure);
        else
            Q_EMIT historyRecorded();
    }
    if (m_queueId) {
        const QueueState state = outcome.status == RunStatus::Ok          ? QueueState::Done
                                 : outcome.status == RunStatus::Cancelled ? QueueState::Cancelled
                                                                          : QueueState::Failed;
        setState(m_queueId, state,
                 outcome.failure ? outcome.failure->message
                                 : tr("%1 s").arg(outcome.elapsedSeconds, 0, 'f', 2));
        m_queueId = 0;
    }
    Q_EMIT runFinished(outcome);
    // The next queued run starts from the event loop, after every observer has seen this one finish.
    QTimer::singleShot(0, this, &RunController::startNext);
}

} // namespace brigade
