#include "core/pool/scheduler.h"

#include <QTimer>

using namespace Qt::StringLiterals;

namespace brigade {

QString workerStateName(WorkerState state)
{
    switch (state) {
    case WorkerState::Starting:
        return u"starting"_s;
    case WorkerState::Idle:
        return u"idle"_s;
    case WorkerState::Busy:
        return u"busy"_s;
    case WorkerState::Stopped:
        return u"stopped"_s;
    case WorkerState::Lost:
        return u"lost"_s;
    }
    return {};
}

qint64 Scheduler::autoChunkSize(qint64 items, int workers)
{
    // About eight tasks per worker: enough to balance uneven tasks, few enough that messages cost nothing.
    const qint64 tasks = qint64(std::max(workers, 1)) * 8;
    return std::max<qint64>(1, (items + tasks - 1) / tasks);
}

Scheduler::Scheduler(WorkerPool *pool, const Job *job, std::unique_ptr<Reducer> reducer, qint64 items,
                     const SchedulerSettings &settings, QCborMap attachBody, QObject *parent)
    : QObject(parent)
    , m_pool(pool)
    , m_job(job)
    , m_reducer(std::move(reducer))
    , m_items(items)
    , m_settings(settings)
    , m_attachBody(std::move(attachBody))
{
    m_chunk = settings.chunkSize > 0 ? settings.chunkSize : autoChunkSize(items, pool->size());
    m_slots.resize(size_t(pool->size()));
    for (int i = 0; i < pool->size(); ++i) {
        m_slots[size_t(i)].view.slot = i;
        m_slots[size_t(i)].view.pid = pool->pid(i);
    }
    connect(pool, &WorkerPool::workerReady, this, &Scheduler::onReady);
    connect(pool, &WorkerPool::messageReceived, this, &Scheduler::onMessage);
    connect(pool, &WorkerPool::workerLost, this, &Scheduler::onLost);
}

void Scheduler::start()
{
    m_clock.start();
    checkFinished(); // an empty input finishes at once
}

void Scheduler::cancel()
{
    if (m_finished || m_cancelled)
        return;
    m_cancelled = true;
    for (int i = 0; i < int(m_slots.size()); ++i)
        m_pool->send(i, MessageType::Cancel, {{field::Run, m_attachBody.value(field::Run)}});
    m_finished = true;
    QTimer::singleShot(0, this, [this] { Q_EMIT finished(RunStatus::Cancelled); });
}

ProgressSnapshot Scheduler::snapshot() const
{
    ProgressSnapshot s;
    s.itemsTotal = m_items;
    s.itemsDone = m_itemsDone;
    s.tasksDone = m_tasksDone;
    s.tasksFailed = m_failedTasks;
    s.elapsedSeconds = m_clock.isValid() ? double(m_clock.nsecsElapsed()) / 1e9 : 0;
    qint64 inFlight = 0;
    for (const Slot &slot : m_slots) {
        s.workers.append(slot.view);
        if (slot.view.state == WorkerState::Busy)
            inFlight += slot.view.taskDone;
    }
    const double done = double(std::min(m_items, m_itemsDone + inFlight));
    if (s.elapsedSeconds > 0 && done > 0) {
        s.itemsPerSecond = done / s.elapsedSeconds;
        s.etaSeconds = double(m_items - qint64(done)) / s.itemsPerSecond;
    }
    return s;
}

void Scheduler::onReady(int slotIndex, qint64 pid)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    slot.ready = true;
    slot.view.pid = pid;
    slot.view.state = WorkerState::Idle;
    if (++m_readyCount == int(m_slots.size()) && m_allReadyMs < 0)
        m_allReadyMs = m_clock.elapsed();
    if (m_finished)
        return;
    m_pool->send(slotIndex, MessageType::Attach, m_attachBody); // the pool initializer: once per run
    dispatch(slotIndex);
    Q_EMIT progressChanged();
}

std::optional<Scheduler::Task> Scheduler::nextTask()
{
    if (!m_retry.empty()) {
        Task t = m_retry.front();
        m_retry.pop_front();
        return t;
    }
    if (m_nextBegin >= m_items)
        return std::nullopt;
    Task t{m_nextId++, m_nextBegin, std::min(m_items, m_nextBegin + m_chunk), 0};
    m_nextBegin = t.end;
    return t;
}

void Scheduler::dispatch(int slotIndex)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    if (!slot.ready || m_finished)
        return;
    while (slot.assigned.size() < 2) { // the running task plus one prefetched
        std::optional<Task> task = nextTask();
        if (!task)
            break;
        m_pool->send(slotIndex, MessageType::Task,
                     {{field::Run, m_attachBody.value(field::Run)},
                      {field::Id, task->id},
                      {field::Begin, task->begin},
                      {field::End, task->end}});
        slot.assigned.push_back(*task);
    }
    if (!slot.assigned.empty()) {
        const Task &front = slot.assigned.front();
        if (slot.view.taskId != front.id || slot.view.state != WorkerState::Busy) {
            slot.view.taskId = front.id;
            slot.view.taskItems = front.end - front.begin;
            slot.view.taskDone = 0;
        }
        slot.view.state = WorkerState::Busy;
    } else {
        slot.view.state = WorkerState::Idle;
    }
}

void Scheduler::onMessage(int slotIndex, const Message &message)
{
    if (m_finished)
        return;
    Slot &slot = m_slots[size_t(slotIndex)];
    const qint64 id = message.body.value(field::Id).toInteger(-1);
    auto it =
        std::find_if(slot.assigned.begin(), slot.assigned.end(), [id](const Task &t) { return t.id == id; });
    switch (message.type) {
    case MessageType::Progress:
        if (!slot.assigned.empty() && slot.assigned.front().id == id) {
            slot.view.taskDone = std::min(message.body.value(field::Done).toInteger(), slot.view.taskItems);
            Q_EMIT progressChanged();
        }
        return;
    case MessageType::Result: {
        if (it == slot.assigned.end())
            return; // a late result of a task already given up elsewhere
        const Task task = *it;
        slot.assigned.erase(it);
        slot.view.itemsDone += task.end - task.begin;
        slot.view.tasksDone += 1;
        slot.view.taskId = task.id;
        slot.view.taskItems = task.end - task.begin;
        slot.view.taskDone = slot.view.taskItems;
        slot.view.state = WorkerState::Idle;
        complete(task, message.body.value(field::Value));
        break;
    }
    case MessageType::Error: {
        ErrorReport report;
        report.kind = message.body.value(field::Kind).toString();
        report.message = message.body.value(field::Message).toString();
        report.trace = message.body.value(field::Trace).toString();
        report.pid = slot.view.pid;
        report.stderrTail = m_pool->stderrTail(slotIndex);
        if (it == slot.assigned.end()) {
            // The worker could not take the run at all (unknown job, dataset not attachable): no retry helps.
            report.final = true;
            Q_EMIT errorReported(report);
            m_failedTasks += 1;
            cancel();
            return;
        }
        const Task task = *it;
        slot.assigned.erase(it);
        failAttempt(task, std::move(report));
        break;
    }
    default:
        return;
    }
    dispatch(slotIndex);
    checkFinished();
    Q_EMIT progressChanged();
}

void Scheduler::onLost(int slotIndex, const WorkerLoss &loss)
{
    Slot &slot = m_slots[size_t(slotIndex)];
    slot.ready = false;
    slot.view.state = WorkerState::Lost;
    if (m_finished)
        return;
    std::deque<Task> orphans;
    orphans.swap(slot.assigned);
    ErrorReport report;
    report.kind = loss.kind;
    report.pid = loss.pid;
    report.exitCode = loss.exitCode;
    if (loss.kind == u"signal"_s)
        report.signalName = loss.message.section(u' ', -1);
    report.message = loss.message;
    report.stderrTail = loss.stderrTail;
    // The crash handler's backtrace is on stderr: lift it into the report's trace.
    const qsizetype marker = report.stderrTail.indexOf(u"brigade-worker: backtrace follows"_s);
    if (marker >= 0)
        report.trace = report.stderrTail.mid(marker + 1).join(u'\n');
    if (!orphans.empty()) {
        // Prefetched tasks never ran: they go back to the queue without costing an attempt.
        for (auto t = orphans.rbegin(); t + 1 != orphans.rend(); ++t)
            m_retry.push_front(*t);
        failAttempt(orphans.front(), report);
    } else if (loss.kind == u"start"_s || !slot.view.tasksDone) {
        Q_EMIT errorReported(report);
    }
    if (loss.kind == u"start"_s) {
        // The program cannot be started at all: restarting would spin.
        m_failedTasks += 1;
        cancel();
        return;
    }
    if (hasWork()) {
        slot.view.restarts += 1;
        slot.view.state = WorkerState::Starting;
        m_pool->restart(slotIndex);
        slot.view.pid = m_pool->pid(slotIndex);
    }
    checkFinished();
    Q_EMIT progressChanged();
}

void Scheduler::failAttempt(Task task, ErrorReport report)
{
    task.attempts += 1;
    report.taskId = task.id;
    report.begin = task.begin;
    report.end = task.end;
    report.attempt = task.attempts;
    report.final = task.attempts > m_settings.retries;
    Q_EMIT errorReported(report);
    if (report.final) {
        m_failedTasks += 1;
        complete(task, std::nullopt);
        return;
    }
    m_retry.push_back(task);
    // A retry waits for an idle worker: wake the ones with room.
    for (int i = 0; i < int(m_slots.size()); ++i)
        dispatch(i);
}

void Scheduler::complete(const Task &task, std::optional<QCborValue> value)
{
    if (value) {
        m_itemsDone += task.end - task.begin;
        m_tasksDone += 1;
    }
    if (!m_settings.ordered) {
        if (value)
            m_reducer->add(task.begin, task.end, *value);
        return;
    }
    m_waiting.emplace(task.id, std::make_pair(task, std::move(value)));
    for (auto it = m_waiting.begin(); it != m_waiting.end() && it->first == m_nextDelivery;
         it = m_waiting.erase(it)) {
        if (it->second.second)
            m_reducer->add(it->second.first.begin, it->second.first.end, *it->second.second);
        ++m_nextDelivery;
    }
}

void Scheduler::checkFinished()
{
    if (m_finished || hasWork())
        return;
    for (const Slot &slot : m_slots)
        if (!slot.assigned.empty())
            return;
    m_finished = true;
    const RunStatus status = m_failedTasks > 0 ? RunStatus::Failed : RunStatus::Ok;
    // Queued: the caller may be inside a worker's signal, and finishing stops the workers.
    QTimer::singleShot(0, this, [this, status] { Q_EMIT finished(status); });
}

} // namespace brigade
