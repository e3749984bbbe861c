// JobRun and its engine: loads the input, runs the backend and the scheduler in an engine thread, reduces.
#include "core/engine/jobrun.h"

#include "core/data/dataset.h"
#include "core/data/undoarea.h"
#include "core/engine/joblog.h"
#include "core/engine/journalreducer.h"
#include "core/engine/runcontroller.h"
#include "core/engine/scheduler.h"
#include "core/engine/streaming.h"
#include "core/engine/workerbackend.h"
#include "core/jobs/csvchunkjob.h"
#include "core/jobs/registry.h"
#include "core/store/history.h"
#include "core/store/inputidentity.h"
#include "core/store/runjournal.h"
#include "core/store/writers.h"

#include <QCborArray>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>
#include <QTimer>

#include <atomic>

using namespace Qt::StringLiterals;

namespace brigade {

// Lives in the engine thread: loads the dataset, runs the backend and the scheduler, reduces, cleans up.
class RunEngine : public QObject
{
    Q_OBJECT

public:
    explicit RunEngine(RunRequest request)
        : m_request(std::move(request))
    {}

    void run();
    void cancel();
    // Stops everything at once, synchronously (used when the JobRun is destroyed mid-run).
    void abort();

Q_SIGNALS:
    void progressed(const brigade::ProgressSnapshot &snapshot);
    void errorReported(const brigade::ErrorReport &report);
    void done(const brigade::RunOutcome &outcome);
    void workerLogLine(qint64 pid, const QString &line);

private:
    void finish(RunStatus status, std::optional<Failure> failure = std::nullopt);
    std::optional<Failure> streamInput();
    void onSchedulerFinished(RunStatus status);
    void emitProgress();
    QString describeInput(qint64 begin, qint64 end) const;
    std::optional<Failure> readJournal();
    std::optional<Failure> applyJournal(std::vector<std::pair<qint64, qint64>> &ranges);
    void startJournal(std::unique_ptr<Reducer> &reducer);
    void closeJournal(RunStatus status);
    void journalFailed(const Failure &failure);
    void writeJoblogLine(const TaskSpan &span);

    RunRequest m_request;
    const Job *m_job = nullptr;
    RunContext m_context;
    std::optional<SharedArray> m_data;
    std::optional<CsvChunks> m_chunks; // a streamed input: the workers read these chunks of the file
    StreamDecision m_stream;
    std::optional<SharedArray> m_output; // the job's output array, if it made one
    std::optional<UndoArea> m_undo;      // in-place runs: each worker's copy of the rows it is changing
    std::optional<RunJournal::Contents> m_resumed; // the journal of the start this run continues
    std::optional<RunJournal> m_journal;
    JournalReducer *m_journalReducer = nullptr; // owned by the scheduler
    std::optional<Joblog> m_joblog;
    qint64 m_startedEpochMs = 0;
    WorkerBackend *m_backend = nullptr;
    Scheduler *m_scheduler = nullptr;
    QTimer *m_progressTimer = nullptr;
    bool m_progressDirty = false;
    bool m_done = false;
    RunOutcome m_outcome;
    QElapsedTimer m_clock;
};

namespace {
std::atomic<qint64> g_nextRunId{1};
}

void RunEngine::run()
{
    m_clock.start();
    if (auto valid = JobRun::validate(m_request); !valid)
        return finish(RunStatus::Failed, valid.failure());
    m_job = findJob(m_request.job);
    m_startedEpochMs = QDateTime::currentMSecsSinceEpoch();
    if (auto failure = readJournal())
        return finish(RunStatus::Failed, failure);
    auto params = resolveParams(m_job->params(), m_request.params);
    m_context.params = *params;
    m_context.outputPath = m_request.output;

    const bool hasInput = !m_request.input.path.isEmpty() || m_request.input.generatedRows > 0;
    if (auto failure = streamInput())
        return finish(RunStatus::Failed, failure);
    if (!m_chunks && (m_job->input() != InputUse::None || (m_job->inputOptional() && hasInput))) {
        auto dataset = openDataset(m_request.input);
        if (!dataset)
            return finish(RunStatus::Failed, dataset.failure());
        m_data.emplace(std::move(dataset->array));
        m_context.data = &*m_data;
        m_context.textColumns = dataset->textColumns;
        m_context.skippedRows = dataset->skippedRows;
    }
    auto items = m_job->plan(m_context);
    if (!items)
        return finish(RunStatus::Failed, items.failure());
    m_outcome.plannedItems = *items;
    if (m_resumed && m_resumed->header.items != *items)
        return finish(
            RunStatus::Failed,
            inputFailure(m_request.input.path,
                         u"cannot resume run %1: it was planned over %2 items, the input now makes %3"_s
                             .arg(m_resumed->header.id)
                             .arg(m_resumed->header.items)
                             .arg(*items)));
    m_outcome.sharedBytes = m_data ? m_data->segmentBytes() : 0;
    if (m_request.planOnly)
        return finish(RunStatus::Ok, std::nullopt);
    auto output = m_job->createOutput(m_context);
    if (!output)
        return finish(RunStatus::Failed, output.failure());
    if (*output) {
        m_output.emplace(std::move(**output));
        m_context.output = &*m_output;
        m_outcome.sharedBytes += m_output->segmentBytes();
    }

    const int workers = m_request.workers > 0 ? m_request.workers : std::max(1, QThread::idealThreadCount());
    QCborMap dataset;
    if (m_data) {
        dataset.insert(field::Key, m_data->key());
        dataset.insert(field::Writable, m_job->input() == InputUse::ReadWrite);
    }
    if (m_data && m_job->input() == InputUse::ReadWrite && !m_data->isImageSet()) {
        // A retry must see the values its first attempt saw: each worker saves a task's rows before it
        // changes them, and a failed task's rows are put back (tasks are bounded by the area's size).
        auto undo = UndoArea::create(*m_data, workers);
        if (!undo)
            return finish(RunStatus::Failed, undo.failure());
        m_undo.emplace(std::move(undo).value());
        dataset.insert(field::UndoKey, m_undo->key());
        m_outcome.sharedBytes += m_undo->segmentBytes();
    }
    if (m_output)
        dataset.insert(field::OutputKey, m_output->key());
    const QCborMap attach{{field::Run, g_nextRunId.fetch_add(1)},
                          {field::Job, m_job->name()},
                          {field::Params, QCborMap::fromVariantMap(m_context.params)},
                          {field::Dataset, dataset},
                          {field::Output, !m_request.output.isEmpty()},
                          {field::Catalogue, jobCatalogueSource()}};

    if (!m_request.joblog.isEmpty()) {
        auto joblog = Joblog::open(m_request.joblog, m_resumed.has_value());
        if (!joblog)
            return finish(RunStatus::Failed, joblog.failure());
        m_joblog.emplace(std::move(joblog).value());
    }
    auto backend = createBackend(m_request, this);
    if (!backend)
        return finish(RunStatus::Failed, backend.failure());
    m_backend = *backend;
    connect(m_backend, &WorkerBackend::workerLogLine, this,
            [this](int, qint64 pid, const QString &line) { Q_EMIT workerLogLine(pid, line); });
    m_backend->start(workers);
    SchedulerSettings settings{m_request.chunkSize,
                               m_request.ordered,
                               m_request.retries,
                               m_request.halt,
                               int(m_request.timeoutSeconds * 1000.0),
                               m_request.maxTasksPerWorker};
    settings.onlyRanges.assign(m_request.onlyRanges.begin(), m_request.onlyRanges.end());
    if (auto failure = applyJournal(settings.onlyRanges))
        return finish(RunStatus::Failed, failure);
    settings.priorAttempts = m_request.priorAttempts;
    if (m_undo)
        settings.maxChunk = m_undo->rowsPerSlot();
    if (m_chunks) { // a chunk a task, delivered in order, a bounded number in flight
        settings.chunkSize = 1;
        settings.ordered = true;
        settings.window = m_stream.window;
        settings.maxDepth = 2; // the memory budget counts a chunk running and one queued per worker
        m_outcome.streamed = true;
        m_outcome.chunks = m_chunks->count();
        m_outcome.chunkBytes = m_stream.chunkBytes;
    }
    std::unique_ptr<Reducer> reducer = m_job->makeReducer(m_context);
    startJournal(reducer);
    m_scheduler = new Scheduler(m_backend, std::move(reducer), *items, settings, attach, nullptr, this);
    if (m_joblog)
        m_scheduler->setSpanSink([this](const TaskSpan &span) { writeJoblogLine(span); });
    if (m_undo)
        m_scheduler->setRestoreRows(
            [this](int slot, qint64 taskId) { m_undo->restore(slot, taskId, *m_data); });
    connect(m_scheduler, &Scheduler::errorReported, this, [this](ErrorReport report) {
        report.input = describeInput(report.begin, report.end);
        m_outcome.errors.append(report);
        Q_EMIT errorReported(report);
    });
    connect(m_scheduler, &Scheduler::progressChanged, this, [this] { m_progressDirty = true; });
    connect(m_scheduler, &Scheduler::finished, this, &RunEngine::onSchedulerFinished);
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(JobRun::ProgressIntervalMs);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (std::exchange(m_progressDirty, false))
            emitProgress();
        if (m_journal)
            if (auto flushed = m_journal->flushIfDue(); !flushed)
                journalFailed(flushed.failure());
    });
    m_progressTimer->start();
    m_outcome.workers = workers;
    m_outcome.chunkSize = m_scheduler->chunkSize();
    m_scheduler->start();
    emitProgress();
}

// Splits a CSV input into chunks the workers read themselves, when the job and the memory call for it.
std::optional<Failure> RunEngine::streamInput()
{
    const int workers = m_request.workers > 0 ? m_request.workers : std::max(1, QThread::idealThreadCount());
    auto decision = decideStreaming(m_job->streaming(), m_request.input.path, m_request.memoryLimit, workers);
    if (!decision)
        return decision.failure();
    if (m_resumed) { // the items must mean what they meant: the chunks of the first start, or the rows
        decision->stream = m_resumed->header.chunkBytes > 0;
        decision->chunkBytes = m_resumed->header.chunkBytes;
        if (decision->window <= 0)
            decision->window = 2 * qint64(workers);
    }
    if (!decision->stream)
        return std::nullopt;
    CsvOptions options;
    options.onBadRow = m_request.input.onBadRow;
    if (m_job->streaming() == StreamUse::Always)
        options.header = true; // the row-wise jobs name their columns, like Python's csv.DictReader
    auto chunks = splitCsvFile(m_request.input.path, decision->chunkBytes, options);
    if (!chunks)
        return chunks.failure();
    m_chunks.emplace(std::move(chunks).value());
    m_stream = *decision;
    m_context.chunks = &*m_chunks;
    m_context.params.insert(chunksParam(), m_chunks->toVariant());
    return std::nullopt;
}

// What a task's items stand for: rows of the table, bytes of the streamed file, images, or plain items.
QString RunEngine::describeInput(qint64 begin, qint64 end) const
{
    if (begin < 0 || end <= begin)
        return {};
    const QString file = m_request.input.path.isEmpty() ? u"the generated table"_s
                                                        : QFileInfo(m_request.input.path).fileName();
    if (m_chunks && end < m_chunks->bounds.size())
        return u"bytes %1–%2 of %3 (chunks %4–%5)"_s.arg(m_chunks->bounds[begin])
            .arg(m_chunks->bounds[end])
            .arg(file)
            .arg(begin + 1)
            .arg(end);
    if (m_data && m_data->isImageSet()) {
        const QStringList names = m_data->columnNames().mid(begin, end - begin);
        return u"images %1–%2 of %3: %4%5"_s.arg(begin + 1).arg(end).arg(
            file, names.mid(0, 5).join(u", "_s), names.size() > 5 ? u", …"_s : QString());
    }
    if (m_data)
        return u"rows %1–%2 of %3"_s.arg(begin + 1).arg(end).arg(file);
    return u"items %1–%2"_s.arg(begin + 1).arg(end);
}

// A resume: the journal of the interrupted start, over the same input (else refused, saying what changed).
std::optional<Failure> RunEngine::readJournal()
{
    if (m_request.resumeJournal.isEmpty())
        return std::nullopt;
    auto contents = RunJournal::read(m_request.resumeJournal);
    if (!contents)
        return contents.failure();
    const QString change = identityChange(contents->header.identity, inputIdentity(m_request.input.path));
    if (!change.isEmpty())
        return inputFailure(m_request.input.path,
                            u"cannot resume run %1: the input changed since it started: %2"_s.arg(
                                contents->header.id, change));
    auto journal = RunJournal::reopen(m_request.resumeJournal, *contents); // locked: one resume at a time
    if (!journal)
        return journal.failure();
    m_journal.emplace(std::move(journal).value());
    m_resumed.emplace(std::move(contents).value());
    m_outcome.journalId = m_resumed->header.id;
    return std::nullopt;
}

// A resume: puts the journalled rows back into the segments, and leaves only the items not journalled to run.
std::optional<Failure> RunEngine::applyJournal(std::vector<std::pair<qint64, qint64>> &ranges)
{
    if (!m_resumed)
        return std::nullopt;
    const qint64 items = m_resumed->header.items;
    std::vector<std::pair<qint64, qint64>> done;
    for (const RunJournal::Part &part : m_resumed->parts) {
        const bool rowsFit = part.rows.isEmpty() || (m_data && m_job->input() == InputUse::ReadWrite &&
                                                     m_data->pasteRows(part.begin, part.end, part.rows));
        const bool outputFits = part.outputRows.isEmpty() ||
                                (m_output && m_output->pasteRows(part.begin, part.end, part.outputRows));
        if (!rowsFit || !outputFits)
            return inputFailure(
                m_request.resumeJournal,
                u"cannot resume run %1: the journalled values of items %2–%3 do not fit its data"_s
                    .arg(m_resumed->header.id)
                    .arg(part.begin + 1)
                    .arg(part.end));
        done.emplace_back(part.begin, part.end);
        m_outcome.resumedItems += part.end - part.begin;
    }
    std::sort(done.begin(), done.end());
    if (ranges.empty())
        ranges.emplace_back(0, items);
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<qint64, qint64>> left;
    size_t d = 0;
    for (auto [begin, end] : ranges) {
        while (d < done.size() && done[d].second <= begin)
            ++d;
        for (size_t k = d; k < done.size() && done[k].first < end; ++k) {
            if (done[k].first > begin)
                left.emplace_back(begin, done[k].first);
            begin = std::max(begin, done[k].second);
        }
        if (begin < end)
            left.emplace_back(begin, end);
    }
    if (left.empty())
        left.emplace_back(items, items); // nothing left to run (an empty range, not "all items")
    ranges = std::move(left);
    return std::nullopt;
}

// Every part goes to the journal before the reducer; a resume replays the journalled ones among them.
void RunEngine::startJournal(std::unique_ptr<Reducer> &reducer)
{
    if (!m_journal && m_request.journal) {
        RunJournal::Header header{RunJournal::newId(),
                                  QDateTime::currentDateTime(),
                                  requestToCbor(withAbsolutePaths(m_request)),
                                  inputIdentity(m_request.input.path),
                                  m_outcome.plannedItems,
                                  m_stream.stream ? m_stream.chunkBytes : 0};
        auto journal = RunJournal::create(RunJournal::defaultDirectory(), std::move(header));
        if (journal) {
            m_journal.emplace(std::move(journal).value());
            m_outcome.journalId = m_journal->id();
        } else {
            m_outcome.warnings << u"the run journal could not be created (%1): this run cannot be resumed"_s
                                      .arg(journal.failure().describe());
        }
    }
    if (!m_journal)
        return;
    JournalReducer::RowsOf rows, outputRows;
    if (m_data && m_job->input() == InputUse::ReadWrite)
        rows = [this](qint64 begin, qint64 end) { return m_data->copyRows(begin, end); };
    if (m_output)
        outputRows = [this](qint64 begin, qint64 end) { return m_output->copyRows(begin, end); };
    auto journalled = m_resumed ? std::move(m_resumed->parts) : std::vector<RunJournal::Part>{};
    auto wrapped = std::make_unique<JournalReducer>(std::move(reducer), &*m_journal, std::move(journalled),
                                                    std::move(rows), std::move(outputRows));
    m_journalReducer = wrapped.get();
    reducer = std::move(wrapped);
}

void RunEngine::journalFailed(const Failure &failure)
{
    if (m_journalReducer)
        m_journalReducer->detach();
    m_journal.reset();
    m_outcome.warnings << u"the run journal could not be written (%1): this run cannot be resumed past this "
                          u"point"_s.arg(failure.describe());
}

// A run that succeeded needs no journal; any other keeps it (synced) for a resume.
void RunEngine::closeJournal(RunStatus status)
{
    if (m_journalReducer && m_journalReducer->journalFailure())
        journalFailed(*m_journalReducer->journalFailure());
    if (m_journalReducer)
        m_journalReducer->detach();
    if (!m_journal)
        return;
    if (status == RunStatus::Ok) {
        m_journal->remove();
        m_outcome.journalKept = false;
    } else if (auto synced = m_journal->sync(); !synced) {
        journalFailed(synced.failure());
    } else {
        m_outcome.journalKept = true;
    }
    m_journal.reset();
}

void RunEngine::writeJoblogLine(const TaskSpan &span)
{
    m_joblog->write(span, m_startedEpochMs,
                    u"%1 %2"_s.arg(m_job->name(), describeInput(span.begin, span.end)));
}

void RunEngine::emitProgress()
{
    if (!m_scheduler)
        return;
    ProgressSnapshot snapshot = m_scheduler->takeSnapshot();
    if (m_backend)
        m_backend->fillUsage(snapshot.workers);
    Q_EMIT progressed(snapshot);
}

void RunEngine::cancel()
{
    if (m_done)
        return;
    if (m_scheduler)
        m_scheduler->cancel();
    else
        finish(RunStatus::Cancelled);
}

void RunEngine::abort()
{
    closeJournal(RunStatus::Cancelled);
    if (m_backend)
        m_backend->stop(StopPlan::immediate());
    m_data.reset();
    m_output.reset();
    m_undo.reset();
    m_done = true;
}

void RunEngine::onSchedulerFinished(RunStatus status)
{
    m_progressTimer->stop();
    emitProgress();
    m_outcome.peakMemoryBytes = m_backend->peakMemoryBytes(); // measured before they exit
    m_backend->stop(m_request.stopPlan);
    m_outcome.tasks = m_scheduler->tasksTotal();
    m_outcome.chunkSize = m_scheduler->chunkSize(); // adaptive: the largest it grew to
    m_outcome.failedTasks = m_scheduler->failedTasks();
    m_outcome.workersReadyMs = m_scheduler->allReadyMs();
    m_outcome.computeSeconds = m_scheduler->computeSeconds();
    m_outcome.recoveryMs = m_scheduler->recoveryMs();
    std::optional<Failure> failure;
    if (status != RunStatus::Cancelled) {
        RunContext context = m_context;
        if (status != RunStatus::Ok)
            context.outputPath.clear(); // never write a file from an incomplete run
        auto result = m_scheduler->reducer().finish(context);
        if (result) // the job declares its kind; the store writes the output file in that kind's layout
            result->result.insert(resultKindKey(), resultKindName(m_job->resultKind()));
        if (result && !context.outputPath.isEmpty() && m_job->resultKind() != ResultKind::Rows)
            if (auto written =
                    writeResult(context.outputPath, result->result, {result->array, &result->list});
                !written)
                result = written.failure();
        if (result)
            m_outcome.result = result->result;
        else {
            failure = result.failure();
            status = RunStatus::Failed;
        }
    }
    finish(status, failure);
}

void RunEngine::finish(RunStatus status, std::optional<Failure> failure)
{
    if (m_done)
        return;
    m_done = true;
    closeJournal(failure ? RunStatus::Failed : status);
    m_data.reset(); // the segments go before anyone hears the run is over
    m_output.reset();
    m_undo.reset();
    m_outcome.status = status;
    m_outcome.failure = std::move(failure);
    m_outcome.elapsedSeconds = double(m_clock.nsecsElapsed()) / 1e9;
    Q_EMIT done(m_outcome);
}

JobRun::JobRun(RunRequest request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request))
{}

JobRun::~JobRun()
{
    if (!m_thread)
        return;
    if (m_running) // the engine lives until its thread ends, which only a finished run asks for
        QMetaObject::invokeMethod(m_engine, &RunEngine::abort, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
}

Result<void> JobRun::validate(const RunRequest &request)
{
    return validateRunRequest(request);
}

void JobRun::start()
{
    if (m_thread)
        return;
    m_running = true;
    m_thread = new QThread;
    m_thread->setObjectName(u"brigade-engine"_s);
    auto *engine = new RunEngine(m_request);
    m_engine = engine;
    engine->moveToThread(m_thread);
    connect(m_thread, &QThread::started, engine, &RunEngine::run);
    connect(m_thread, &QThread::finished, engine, &QObject::deleteLater);
    connect(engine, &RunEngine::progressed, this, &JobRun::progressed);
    connect(engine, &RunEngine::errorReported, this, &JobRun::errorReported);
    connect(engine, &RunEngine::done, this, &JobRun::onEngineDone);
    connect(engine, &RunEngine::workerLogLine, this, &JobRun::workerLogLine);
    m_thread->start();
}

void JobRun::cancel()
{
    if (m_running)
        QMetaObject::invokeMethod(m_engine, &RunEngine::cancel, Qt::QueuedConnection);
}

void JobRun::onEngineDone(const RunOutcome &outcome)
{
    m_outcome = outcome;
    m_running = false;
    m_engine = nullptr; // deleted in its own thread once the thread ends: never touched from here again
    m_thread->quit();   // the engine is done; the destructor joins the thread
    Q_EMIT finished(m_outcome);
}

} // namespace brigade

#include "jobrun.moc"
