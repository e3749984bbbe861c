// Scheduler: coordinates the worker slots over TaskSource, OrderedDelivery, FaultPolicy and RunProgress.
#include "core/engine/scheduler.h"
#include "core/engine/tasksplit.h"

#include "core/protocol/crashnote.h"

#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

// Prefetching: the work each worker holds queued behind its running task, and the cap on the tasks it
// holds. Tasks of microseconds then travel hundreds to a message; tasks of milliseconds, one or two.
constexpr qint64 QueuedNs = 2'000'000;
constexpr qint64 MaxDepth = 1024;

} // namespace

Scheduler::Scheduler(WorkerBackend *backend, std::unique_ptr<Reducer> reducer, qint64 items,
                     const SchedulerSettings &settings, QCborMap attachBody, EngineClock *clock,
                     QObject *parent)
    : QObject(parent)
    , m_backend(backend)
    , m_reducer(std::move(reducer))
    , m_settings(settings)
    , m_source(items, settings.onlyRanges, settings.chunkSize, backend->size(), settings.maxChunk)
    , m_faults(settings.retries, settings.halt, settings.priorAttempts)
    , m_attachBody(std::move(attachBody))
    , m_ownClock(clock ? nullptr : std::make_unique<SteadyClock>())
    , m_clock(clock ? clock : m_ownClock.get())
{
    m_nextPieceId = std::max<qint64>(m_source.items(), 1); // a planned task holds one item at least
    m_window = settings.window > 0 ? settings.window : std::max<qint64>(64, 16 * qint64(backend->size()));
    m_slots.resize(size_t(backend->size()));
    for (int i = 0; i < backend->size(); ++i) {
        Slot &slot = m_slots[size_t(i)];
        slot.view.slot = i;
        slot.timeout = m_clock->makeAlarm([this, i] { onTimeout(i); });
    }
    connect(backend, &WorkerBackend::workerReady, this, &Scheduler::onReady);
    connect(backend, &WorkerBackend::messageReceived, this, &Scheduler::onMessage);
    connect(backend, &WorkerBackend::workerLost, this, &Scheduler::onLost);
    connect(backend, &WorkerBackend::workerLogLine, this, &Scheduler::onLogLine);
}

Scheduler::~Scheduler() = default;

void Scheduler::send(int slot, MessageType type, QCborMap body)
{
    m_backend->send(slot, Message{type, std::move(body)});
}

void Scheduler::start()
{
    m_startNs = m_clock->nsecsElapsed();
    m_started = true;
    checkFinished(); // an empty input finishes at once
}

void Scheduler::cancel()
{
    halt(RunStatus::Cancelled);
}

void Scheduler::halt(RunStatus status)
{
    if (m_finished)
        return;
    m_finished = true;
    for (int i = 0; i < int(m_slots.size()); ++i) {
        m_slots[size_t(i)].timeout->stop();
        send(i, MessageType::Cancel, {{field::Run, m_attachBody.value(field::Run)}});
    }
    QTimer::singleShot(0, this, [this, status] { Q_EMIT finished(status); });
}

ProgressSnapshot Scheduler::snapshot() const
{
    ProgressSnapshot s;
    s.itemsTotal = m_source.items();
    s.elapsedSeconds = double(elapsedNs()) / 1e9;
    qint64 inFlight = 0;
    for (const Slot &slot : m_slots) {
        s.workers.append(slot.view);
        if (slot.view.state == WorkerState::Busy)
            inFlight += slot.view.taskDone;
        if (slot.view.state == WorkerState::Busy && !slot.assigned.empty()) {
            const Task &t = slot.assigned.front();
            s.runningSpans.append({slot.view.slot, slot.view.pid, t.order, t.begin, t.end, slot.frontSinceMs,
                                   elapsedNs() / 1'000'000, false});
        }
    }
    m_progress.fill(s, inFlight);
    return s;
}

ProgressSnapshot Scheduler::takeSnapshot()
{
    ProgressSnapshot s = snapshot();
    m_progress.takeSpans(s);
    return s;
}

void Scheduler::recordSpan(int slotIndex, const Task &task, bool failed, bool wasRunning, qint64 runNs)
{
    const Slot &slot = m_slots[size_t(slotIndex)];
    const qint64 now = nowMs();
    const qint64 start = runNs >= 0   ? now - (runNs + 500'000) / 1'000'000
                         : wasRunning ? slot.frontSinceMs
                                      : now;
    m_progress.addSpan({slotIndex, slot.view.pid, task.order, task.begin, task.end, start, now, failed});
}

bool Scheduler::hasWork() const
{
    if (m_faults.halting())
        return false;
    if (!m_retry.empty() || !m_source.exhausted())
        return true;
    return std::any_of(m_slots.begin(), m_slots.end(), [](const Slot &s) { return !s.orphans.empty(); });
}

void Scheduler::onLogLine(int slotIndex, qint64 pid, const QString &line)
{
    Q_UNUSED(pid);
    QStringList &tail = m_slots[size_t(slotIndex)].logTail;
    tail.append(line);
    if (tail.size() > MaxLogTail)
        tail.removeFirst();
}

void Scheduler::onReady(int slotIndex, const WorkerInfo &info)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    slot.deathsBeforeReady = 0;
    slot.view.pid = info.pid;
    slot.view.state = WorkerState::Idle;
    m_progress.workerReady(int(m_slots.size()), elapsedNs() / 1'000'000);
    if (m_finished)
        return;
    QCborMap attach = m_attachBody; // the pool initializer: once per run
    attach.insert(field::Slot, slotIndex);
    send(slotIndex, MessageType::Attach, std::move(attach));
    dispatch(slotIndex);
    Q_EMIT progressChanged();
}

std::optional<Scheduler::Task> Scheduler::nextTask(Slot &slot, qint64 window)
{
    if (m_faults.halting())
        return std::nullopt;
    for (std::deque<Task> *queue : {&slot.orphans, &m_retry}) {
        if (!queue->empty()) {
            Task t = queue->front();
            queue->pop_front();
            return t;
        }
    }
    if (m_source.exhausted())
        return std::nullopt;
    if (m_settings.ordered && m_source.nextId() >= m_delivery.next() + window)
        return std::nullopt; // bounded: results waiting for an earlier task are not allowed to pile up
    const TaskSource::Span span = m_source.take();
    return Task{span.id, span.id, span.begin, span.end, span.begin, span.end, 0};
}

int Scheduler::depth(const Slot &slot) const
{
    if (slot.careful)
        return 1;
    if (m_source.adaptive()) // tasks sized to tens of milliseconds: one queued covers a round trip
        return int(std::min<qint64>(2, m_settings.maxDepth > 0 ? m_settings.maxDepth : 2));
    const qint64 most = m_settings.maxDepth > 0 ? std::max(m_settings.maxDepth, 1) : MaxDepth;
    if (slot.taskNs <= 0)
        return int(std::min<qint64>(2, most)); // nothing measured yet: the running task and one more
    return int(
        std::clamp<qint64>(1 + qint64(double(QueuedNs) / slot.taskNs), std::min<qint64>(2, most), most));
}

qint64 Scheduler::window() const
{
    if (m_settings.window > 0)
        return m_settings.window;
    qint64 held = 0; // what the workers may hold: the window must leave room beyond it
    for (const Slot &slot : m_slots)
        held += depth(slot);
    return std::max(m_window, 2 * held);
}

void Scheduler::dispatch(int slotIndex)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    if (!isReady(slot) || m_finished)
        return;
    if (m_batch > 0) { // results are being taken: hand out work once, after all of them
        m_dispatchWanted = true;
        return;
    }
    if (slot.careful && slot.orphans.empty() && slot.assigned.empty())
        slot.careful = false; // the lost worker's tasks are all done or charged
    const bool wasIdle = slot.assigned.empty();
    const size_t wanted = size_t(depth(slot));
    const qint64 window = this->window(); // once per message, not per task
    QCborArray tasks;
    while (slot.assigned.size() < wanted) {
        if (m_settings.maxTasksPerWorker > 0 && slot.dispatched >= m_settings.maxTasksPerWorker)
            break;
        std::optional<Task> task = nextTask(slot, window);
        if (!task)
            break;
        tasks.append(task->id);
        tasks.append(task->begin);
        tasks.append(task->end);
        tasks.append(m_faults.nextAttempt(task->attempts));
        slot.assigned.push_back(*task);
        slot.dispatched += 1;
    }
    if (!tasks.isEmpty()) {
        send(slotIndex, MessageType::Task,
             {{field::Run, m_attachBody.value(field::Run)}, {field::Tasks, std::move(tasks)}});
        if (slot.lostAtNs >= 0) {
            m_progress.recovered(double(elapsedNs() - slot.lostAtNs) / 1e6);
            slot.lostAtNs = -1;
        }
    }
    if (wasIdle && !slot.assigned.empty()) {
        frontChanged(slotIndex);
    } else if (slot.assigned.empty()) {
        slot.view.state = WorkerState::Idle;
        // Recycling: a worker that has done its share makes way for a fresh one, with nothing in hand.
        if (m_settings.maxTasksPerWorker > 0 && slot.dispatched >= m_settings.maxTasksPerWorker && hasWork())
            replaceWorker(slotIndex, recyclePlan());
    }
}

void Scheduler::dispatchAll()
{
    for (int i = 0; i < int(m_slots.size()); ++i)
        dispatch(i);
}

void Scheduler::frontChanged(int slotIndex)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    if (slot.assigned.empty()) {
        slot.timeout->stop();
        slot.view.state = WorkerState::Idle;
        return;
    }
    const Task &front = slot.assigned.front();
    slot.view.taskId = front.order;
    slot.view.taskItems = front.end - front.begin;
    slot.view.taskDone = 0;
    slot.view.state = WorkerState::Busy;
    slot.frontSinceMs = nowMs();
    if (m_settings.timeoutMs > 0)
        slot.timeout->start(m_settings.timeoutMs);
}

void Scheduler::onMessage(int slotIndex, const Message &message)
{
    if (m_finished)
        return;
    Slot &slot = m_slots[size_t(slotIndex)];
    const qint64 id = message.body.value(field::Id).toInteger(-1);
    auto it =
        std::find_if(slot.assigned.begin(), slot.assigned.end(), [id](const Task &t) { return t.id == id; });
    const bool isFront = it == slot.assigned.begin() && it != slot.assigned.end();
    switch (message.type) {
    case MessageType::Progress:
        if (isFront) {
            slot.view.taskDone = std::min(message.body.value(field::Done).toInteger(), slot.view.taskItems);
            Q_EMIT progressChanged();
        }
        return;
    case MessageType::Result:
        onResults(slotIndex, message.body.value(field::Results).toArray());
        if (m_finished)
            return;
        break;
    case MessageType::Error: {
        ErrorReport report;
        report.kind = errorKindName(
            errorKindFromName(message.body.value(field::Kind).toString()).value_or(ErrorKind::Exception));
        report.stage = message.body.value(field::Stage).toString();
        report.message = message.body.value(field::Message).toString();
        report.trace = message.body.value(field::Trace).toString();
        report.pid = slot.view.pid;
        report.stderrTail = slot.logTail;
        report.item = message.body.value(field::Item).toInteger(-1);
        if (id < 0) {
            // The worker could not take the run at all (unknown job, dataset not attachable): no retry helps.
            report.final = true;
            Q_EMIT errorReported(report);
            m_progress.taskFailed();
            halt(RunStatus::Failed);
            return;
        }
        if (it == slot.assigned.end()) {
            // After its result (stage after-result): the task's work is done and counted.
            report.taskId = id;
            report.item = -1;
            Q_EMIT errorReported(report);
            break;
        }
        const Task task = *it;
        slot.assigned.erase(it);
        recordSpan(slotIndex, task, true, isFront);
        if (report.stage == QLatin1StringView(crashStageName(CrashStage::Attach))) {
            // The initializer failed: the worker is unusable. The task is retried first on its successor.
            slot.view.state = WorkerState::Stopped; // unusable: no more tasks for it
            failAttempt(task, std::move(report), &slot.orphans);
            replaceWorker(slotIndex, recyclePlan());
        } else {
            failAttempt(task, std::move(report), &m_retry);
            if (isFront)
                frontChanged(slotIndex);
            dispatch(slotIndex);
        }
        break;
    }
    default:
        return;
    }
    checkFinished();
    Q_EMIT progressChanged();
}

void Scheduler::onResults(int slotIndex, const QCborArray &results)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    ++m_batch;
    const qint64 nowNs = elapsedNs(); // one reading for the batch: they arrived together
    m_batchNowMs = nowNs / 1'000'000;
    for (qsizetype r = 0; r + ResultEntries <= results.size(); r += ResultEntries) {
        const qint64 id = results.at(r).toInteger();
        auto it = std::find_if(slot.assigned.begin(), slot.assigned.end(),
                               [id](const Task &t) { return t.id == id; });
        if (it == slot.assigned.end())
            continue; // a late result of a task already given up
        const bool isFront = it == slot.assigned.begin();
        const Task task = *it;
        slot.assigned.erase(it);
        const qint64 ns = std::max<qint64>(results.at(r + 2).toInteger(), 0);
        m_progress.taskTimed(nowNs, ns);
        slot.taskNs =
            slot.taskNs > 0 ? 0.8 * slot.taskNs + 0.2 * double(ns) : double(std::max<qint64>(ns, 1));
        m_source.learn(task.end - task.begin, ns);
        recordSpan(slotIndex, task, false, isFront, ns);
        slot.view.itemsDone += task.end - task.begin;
        slot.view.tasksDone += 1;
        complete(task, results.at(r + 1));
        if (m_finished)
            break; // the reducer failed: the run halts
        if (isFront)
            frontChanged(slotIndex);
        if (slot.assigned.empty()) { // show the finished task in full until the next one starts
            slot.view.taskId = task.order;
            slot.view.taskItems = task.end - task.begin;
            slot.view.taskDone = slot.view.taskItems;
        }
    }
    --m_batch;
    m_batchNowMs = -1;
    if (std::exchange(m_dispatchWanted, false))
        dispatchAll(); // another slot may have waited on the ordered window
    dispatch(slotIndex);
}

void Scheduler::onLost(int slotIndex, const WorkerLoss &loss)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    const bool wasReady = isReady(slot);
    slot.view.state = WorkerState::Lost;
    slot.timeout->stop();
    if (m_finished)
        return;
    ErrorReport report = lossReport(loss);
    if (FaultPolicy::hopeless(loss, wasReady, slot.deathsBeforeReady)) {
        if (loss.kind != ErrorKind::Start)
            report.message +=
                u" (%1 workers in a row died before they were ready)"_s.arg(slot.deathsBeforeReady);
        report.final = true;
        Q_EMIT errorReported(report);
        m_progress.taskFailed();
        halt(RunStatus::Failed); // restarting would spin
        return;
    }

    std::deque<Task> tasks;
    tasks.swap(slot.assigned);
    for (const Task &t : tasks) // the worker is gone: what it changed of the task it was on goes back
        if (m_restoreRows)
            m_restoreRows(slotIndex, t.id);
    // The running task pays for the death: the one the crash handler names (the worker may have run
    // tasks past the front whose results had not gone out yet), else the front. None does when the
    // handler says the crash struck outside of the tasks in hand (after the result of an earlier one).
    // No crash handler's word (killed from outside, exited, garbled its output) and several tasks in hand,
    // whose results the dead worker may have been batching: the front may have ended long ago. Nobody
    // is charged; the successor runs them one at a time, and a death among them names its task.
    const FaultPolicy::Blame blame = FaultPolicy::blame(tasks, loss, slot.careful);
    if (blame.ambiguous) {
        report.message +=
            u" while holding %1 tasks (items %2 to %3), some perhaps done; none is charged, they "
            "are retried one at a time"_s.arg(tasks.size())
                .arg(tasks.front().begin)
                .arg(tasks.back().end - 1);
        slot.careful = true;
    }
    if (blame.index >= 0) {
        const Task running = tasks[size_t(blame.index)];
        tasks.erase(tasks.begin() + blame.index);
        recordSpan(slotIndex, running, true, true);
        failAttempt(running, std::move(report), &slot.orphans, true);
    } else {
        if (loss.selfReported)
            report.taskId = loss.task;
        report.item = -1;
        Q_EMIT errorReported(report);
    }
    for (const Task &t : tasks) // not started, or ended with results that never left: no attempt charged
        slot.orphans.push_back(t);
    if (hasWork() && !m_finished)
        renewWorker(slotIndex, killPlan());
    checkFinished();
    Q_EMIT progressChanged();
}

void Scheduler::onTimeout(int slotIndex)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    if (m_finished || slot.assigned.empty())
        return;
    const Task running = slot.assigned.front();
    slot.assigned.pop_front();
    recordSpan(slotIndex, running, true, true);
    slot.view.state =
        WorkerState::Stopped; // no more tasks for the hung worker: its task is retried on a fresh one
    ErrorReport report;
    report.kind = errorKindName(ErrorKind::Timeout);
    report.pid = slot.view.pid;
    report.message = u"timed out after %1 s"_s.arg(double(m_settings.timeoutMs) / 1000.0);
    report.stderrTail = slot.logTail;
    // An in-place task's worker is killed at once, before what it changed goes back and the task is retried.
    replaceWorker(slotIndex, m_restoreRows ? StopPlan::immediate() : killPlan());
    if (m_restoreRows)
        m_restoreRows(slotIndex, running.id);
    failAttempt(running, std::move(report), slot.gone ? &m_retry : &slot.orphans, true);
    checkFinished();
    Q_EMIT progressChanged();
}

void Scheduler::replaceWorker(int slotIndex, const StopPlan &how)
{
    if (m_finished)
        return; // the engine stops every worker now
    Slot &slot = m_slots[size_t(slotIndex)];
    for (const Task &t : slot.assigned)
        slot.orphans.push_back(t);
    slot.assigned.clear();
    slot.view.state = WorkerState::Stopped;
    slot.timeout->stop();
    renewWorker(slotIndex, how);
}

void Scheduler::renewWorker(int slotIndex, const StopPlan &how)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    if (!m_backend->canReplace()) {
        // The slot stays empty: its tasks go to whichever worker is left, first.
        for (auto t = slot.orphans.rbegin(); t != slot.orphans.rend(); ++t)
            m_retry.push_front(*t);
        slot.orphans.clear();
        slot.careful = false;
        slot.view.state = WorkerState::Lost;
        slot.gone = true;
        if (std::all_of(m_slots.begin(), m_slots.end(), [](const Slot &s) { return s.gone; })) {
            ErrorReport report;
            report.kind = errorKindName(ErrorKind::Lost);
            report.message = u"every worker is lost and the backend cannot replace them"_s;
            report.final = true;
            Q_EMIT errorReported(report);
            m_progress.taskFailed();
            halt(RunStatus::Failed);
            return;
        }
        dispatchAll();
        return;
    }
    if (!slot.orphans.empty())
        slot.lostAtNs = elapsedNs();
    slot.dispatched = 0;
    slot.view.restarts += 1;
    slot.view.state = WorkerState::Starting;
    slot.view.pid = 0; // until the successor says Ready
    slot.logTail.clear();
    m_backend->replace(slotIndex, how);
}

Scheduler::Task Scheduler::piece(const Task &parent, qint64 begin, qint64 end, int attempts)
{
    return Task{m_nextPieceId++, parent.order, begin, end, parent.wholeBegin, parent.wholeEnd, attempts};
}

void Scheduler::failAttempt(Task task, ErrorReport report, std::deque<Task> *retryQueue, bool workerLost)
{
    const int before = task.attempts;
    const FaultPolicy::Charge charge = m_faults.charge(task.attempts);
    report.taskId = task.order;
    report.begin = task.begin;
    report.end = task.end;
    report.attempt = charge.attempt;
    if (report.item < task.begin || report.item >= task.end)
        report.item = -1; // not an item of this task: nothing to narrow by
    const TaskSplit split =
        splitFailedTask(task.begin, task.end, report.item, before, task.attempts, charge.final, workerLost);
    std::vector<Task> retried; // in item order, then the suspect first
    std::optional<Task> givenUp;
    if (split.splits()) {
        for (const TaskPiece &p : split.retried)
            retried.push_back(piece(task, p.begin, p.end, p.attempts));
        if (split.givenUp)
            givenUp = piece(task, split.givenUp->begin, split.givenUp->end, split.givenUp->attempts);
        report.final = givenUp.has_value(); // the item given up; the rest retried
        report.message += split.describe();
        // The suspect first: on a careful successor it runs alone, and a death then names it.
        std::stable_sort(retried.begin(), retried.end(),
                         [](const Task &a, const Task &b) { return a.attempts > b.attempts; });
    } else {
        report.final = charge.final;
        if (report.final)
            givenUp = task;
        else
            retried.push_back(task);
    }
    Q_EMIT errorReported(report);
    // A retry in the shared queue goes to whichever worker has room; a slot's orphans run first on the
    // successor, alone if it is careful.
    retryQueue->insert(retryQueue == &m_retry ? retryQueue->end() : retryQueue->begin(), retried.begin(),
                       retried.end());
    if (givenUp)
        giveUp(*givenUp);
    if (!m_finished && !retried.empty())
        dispatchAll();
}

void Scheduler::giveUp(const Task &task)
{
    // The run goes on without these items; the report before carries their range and last trace. Halting:
    // nothing new is handed out from here on, not even when the delivery below moves the window.
    m_progress.taskFailed();
    m_faults.quarantined();
    complete(task, std::nullopt);
    if (m_faults.haltsNow())
        halt(RunStatus::Failed);
}

void Scheduler::complete(const Task &task, std::optional<QCborValue> value)
{
    if (value) {
        m_progress.taskDone(task.end - task.begin);
    }
    if (!m_settings.ordered) {
        if (value)
            m_reducer->add(task.begin, task.end, *value);
        if (m_reducer->failed())
            halt(RunStatus::Failed); // bad input: nothing after it matters
        return;
    }
    const bool moved = m_delivery.take(task.order, task.wholeBegin, task.wholeEnd, task.begin, task.end,
                                       std::move(value), *m_reducer);
    if (m_reducer->failed())
        return halt(RunStatus::Failed); // bad input: nothing after it matters
    if (moved)
        dispatchAll(); // the window moved on
}

void Scheduler::checkFinished()
{
    if (m_finished || hasWork())
        return;
    for (const Slot &slot : m_slots)
        if (!slot.assigned.empty())
            return;
    m_finished = true;
    for (Slot &slot : m_slots)
        slot.timeout->stop();
    const RunStatus status = m_progress.tasksFailed() > 0 ? RunStatus::Failed : RunStatus::Ok;
    // Queued: the caller may be inside a worker's signal, and finishing stops the workers.
    QTimer::singleShot(0, this, [this, status] { Q_EMIT finished(status); });
}

} // namespace brigade
