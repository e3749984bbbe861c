// The worker: a reader thread for Cancel, the loop that attaches and runs tasks, batched results out.
#include "core/worker/workerloop.h"

#include "core/data/sharedarray.h"
#include "core/data/undoarea.h"
#include "core/jobs/registry.h"
#include "core/protocol/framing.h"
#include "core/run/errorreport.h"
#include "core/worker/throwtrace.h"

#include <QCborArray>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

// Frames read by a reader thread, so a Cancel is seen while a task runs.
class Inbox
{
public:
    void push(std::optional<Message> message)
    {
        {
            std::lock_guard lock(m_mutex);
            m_queue.push_back(std::move(message));
        }
        m_ready.notify_one();
    }
    bool empty()
    {
        std::lock_guard lock(m_mutex);
        return m_queue.empty();
    }
    // nullopt means the input ended (or broke).
    std::optional<Message> pop()
    {
        std::unique_lock lock(m_mutex);
        m_ready.wait(lock, [&] { return !m_queue.empty(); });
        auto message = std::move(m_queue.front());
        m_queue.pop_front();
        return message;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_ready;
    std::deque<std::optional<Message>> m_queue;
};

// Frames out to the parent. Results are batched (one frame, one wake-up of the parent, for many tiny
// tasks) but never held back for long: a flusher thread sends a batch at the latest MaxResultDelay after
// its first result, so a task that runs long or hangs after tiny ones is the one the parent sees running.
class Outbox
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr qsizetype MaxBatchedResults = 4096;
    static constexpr auto MaxResultDelay = std::chrono::milliseconds(1);

    explicit Outbox(FrameTransport &transport)
        : m_transport(transport)
        , m_flusher([this] { flushLoop(); })
    {}

    // Bytes straight onto the channel, outside any frame: fault injection only (TaskContext::injectRaw).
    void writeRaw(const QByteArray &bytes)
    {
        std::lock_guard lock(m_mutex);
        write(bytes);
    }
    ~Outbox()
    {
        {
            std::lock_guard lock(m_mutex);
            flushLocked();
            m_stop = true;
        }
        m_pending.notify_one();
        m_flusher.join();
    }

    // Sends a message, after the results batched so far (the parent sees them in order).
    void send(MessageType type, const QCborMap &body)
    {
        std::lock_guard lock(m_mutex);
        flushLocked();
        write(encodeFrame(type, body));
    }

    // \a ended: when the task ended (the batch is sent at the latest MaxResultDelay after its first).
    void addResult(qint64 id, QCborValue value, qint64 ns, Clock::time_point ended)
    {
        std::lock_guard lock(m_mutex);
        if (m_results.isEmpty()) {
            m_since = ended;
            m_pending.notify_one();
        }
        m_results.append(id);
        m_results.append(std::move(value));
        m_results.append(ns);
        // Batching pays for tiny tasks only: the result of a task that ran a while goes at once (a large
        // result is then never held while the next task runs).
        if (m_results.size() >= MaxBatchedResults * ResultEntries || ns >= ResultBatchBelowNs)
            flushLocked();
    }

    void flush()
    {
        std::lock_guard lock(m_mutex);
        flushLocked();
    }

private:
    void flushLocked()
    {
        if (m_results.isEmpty())
            return;
        QCborArray results;
        results.swap(m_results);
        write(encodeFrame(MessageType::Result, {{field::Results, std::move(results)}}));
    }

    void flushLoop()
    {
        std::unique_lock lock(m_mutex);
        while (true) {
            m_pending.wait(lock, [this] { return m_stop || !m_results.isEmpty(); });
            if (m_stop)
                return;
            const auto due = m_since + MaxResultDelay;
            if (!m_pending.wait_until(lock, due, [this] { return m_results.isEmpty(); }))
                flushLocked();
        }
    }

    void write(const QByteArray &frame)
    {
        if (!m_transport.write(frame))
            ::_exit(3); // the parent is gone
    }

    FrameTransport &m_transport;
    std::mutex m_mutex;
    std::condition_variable m_pending;
    QCborArray m_results;      // ended tasks whose results are not sent yet: [id, value, ns]
    Clock::time_point m_since; // when the first of them was added
    bool m_stop = false;
    std::thread m_flusher; // last: starts once the members it uses exist
};

class Worker
{
public:
    explicit Worker(FrameTransport &transport)
        : m_transport(transport)
        , m_outbox(transport)
    {}

    int run()
    {
        std::thread reader([this] { readLoop(); });
        reader.detach(); // blocked in read(); the process exit ends it
        while (true) {
            if (m_inbox.empty())
                m_outbox.flush(); // nothing more to do at once: the parent gets what is done
            std::optional<Message> message = m_inbox.pop();
            if (!message)
                return m_inputBroken ? 2 : 0;
            switch (message->type) {
            case MessageType::Hello:
                send(MessageType::Ready,
                     {{field::Version, ProtocolVersion}, {field::Pid, qint64(::getpid())}});
                break;
            case MessageType::Attach:
                attach(message->body);
                break;
            case MessageType::Task:
                runTasks(message->body);
                break;
            case MessageType::Shutdown:
                m_outbox.flush();
                return 0;
            case MessageType::Cancel: // handled by the reader thread
                break;
            default:
                std::fprintf(stderr, "brigade-worker: unexpected %s message\n",
                             messageTypeName(message->type).data());
                return 2;
            }
        }
    }

private:
    void readLoop()
    {
        FrameReader reader;
        char buffer[64 * 1024];
        while (true) {
            const qsizetype n = m_transport.read(buffer, sizeof buffer);
            if (n <= 0)
                break;
            reader.append(QByteArrayView(buffer, n));
            while (auto next = reader.next()) {
                if (!next->ok()) {
                    std::fprintf(stderr, "brigade-worker: protocol error from parent: %s\n",
                                 qPrintable(next->failure().message));
                    m_inputBroken = true;
                    m_inbox.push(std::nullopt);
                    return;
                }
                Message message = std::move(*next).value();
                if (message.type == MessageType::Cancel) {
                    m_cancelledRun.store(message.body.value(field::Run).toInteger(m_currentRun.load()));
                    m_cancel.store(true);
                }
                m_inbox.push(std::move(message));
            }
        }
        m_inbox.push(std::nullopt);
    }

    void attach(const QCborMap &body)
    {
        m_run = body.value(field::Run).toInteger();
        m_currentRun.store(m_run);
        m_cancel.store(m_cancelledRun.load() >= m_run);
        m_data.reset();
        m_output.reset();
        m_undo.reset();
        m_slot = int(body.value(field::Slot).toInteger(-1));
        m_initialized = false;
        m_job = findJob(body.value(field::Job).toString());
        m_params = body.value(field::Params).toMap().toVariantMap();
        m_writesOutput = body.value(field::Output).toBool();
        if (const QString catalogue = body.value(field::Catalogue).toString();
            catalogue != jobCatalogueSource()) {
            sendError(-1, errorKindName(ErrorKind::Attach), CrashStage::Attach,
                      u"job catalogue \"%1\" is not available in this worker (it has \"%2\")"_s.arg(
                          catalogue, jobCatalogueSource()),
                      {});
            m_job = nullptr;
            return;
        }
        if (!m_job) {
            sendError(-1, errorKindName(ErrorKind::Attach), CrashStage::Attach,
                      u"unknown job \"%1\""_s.arg(body.value(field::Job).toString()), {});
            return;
        }
        const QCborMap dataset = body.value(field::Dataset).toMap();
        const QString key = dataset.value(field::Key).toString();
        if (!key.isEmpty()) {
            const auto access = dataset.value(field::Writable).toBool() ? SharedArray::Access::ReadWrite
                                                                        : SharedArray::Access::ReadOnly;
            auto array = SharedArray::attach(key, access);
            if (!array) {
                sendError(-1, errorKindName(ErrorKind::Attach), CrashStage::Attach,
                          array.failure().describe(), {});
                m_job = nullptr;
                return;
            }
            m_data.emplace(std::move(array).value());
            // In-place jobs write every page of the rows they get, and write faults on shared pages cost
            // the most: map them all now, outside the tasks. A reader touches only its tasks' pages, about
            // 1/N of the data; mapping all of it in every worker costs more than faulting those in
            // (measured: stats over a 1 GB CSV, 0.1 s slower end to end with it).
            if (access == SharedArray::Access::ReadWrite)
                m_data->prefault(access);
        }
        if (const QString outputKey = dataset.value(field::OutputKey).toString(); !outputKey.isEmpty()) {
            auto array = SharedArray::attach(outputKey, SharedArray::Access::ReadWrite);
            if (!array) {
                sendError(-1, errorKindName(ErrorKind::Attach), CrashStage::Attach,
                          array.failure().describe(), {});
                m_job = nullptr;
                return;
            }
            m_output.emplace(std::move(array).value());
        }
        if (const QString undoKey = dataset.value(field::UndoKey).toString(); !undoKey.isEmpty()) {
            auto area = UndoArea::attach(undoKey);
            if (!area || m_slot < 0 || m_slot >= area->slots()) {
                sendError(-1, errorKindName(ErrorKind::Attach), CrashStage::Attach,
                          area ? u"slot %1 has no undo area"_s.arg(m_slot) : area.failure().describe(), {});
                m_job = nullptr;
                return;
            }
            m_undo.emplace(std::move(area).value());
            m_undo->prefault();
        }
    }

    void runTasks(const QCborMap &body)
    {
        const bool attached = body.value(field::Run).toInteger() == m_run && m_job;
        const QCborArray tasks = body.value(field::Tasks).toArray();
        for (qsizetype i = 0; i + TaskEntries <= tasks.size(); i += TaskEntries) {
            const TaskInfo task{tasks.at(i).toInteger(), tasks.at(i + 1).toInteger(),
                                tasks.at(i + 2).toInteger(), int(tasks.at(i + 3).toInteger())};
            if (!attached) {
                sendError(task.id, errorKindName(ErrorKind::Attach), CrashStage::Attach,
                          u"task for a run this worker is not attached to"_s, {});
                continue;
            }
            if (m_cancel.load())
                return; // the run was cancelled: drop the prefetched tasks silently
            runTask(task);
        }
    }

    void runTask(const TaskInfo &task)
    {
        TaskContext context(m_params, m_data ? &*m_data : nullptr, m_writesOutput, task);
        context.setOutput(m_output ? &*m_output : nullptr);
        auto start = Clock::now();
        auto lastProgress = start;
        context.setProgressSink([&](qint64 done) {
            const auto now = Clock::now();
            if (now - lastProgress < std::chrono::milliseconds(50))
                return;
            lastProgress = now;
            send(MessageType::Progress, {{field::Id, task.id}, {field::Done, done}});
        });
        context.setCancelFlag(&m_cancel);
        context.setItemMarker(crashItemMarker());
        context.setRawSink([this](const QByteArray &bytes) { m_outbox.writeRaw(bytes); });

        if (!m_initialized) {
            if (!guarded(task.id, CrashStage::Attach, [&] { m_job->initialize(context); }))
                return;
            m_initialized = true;
            start = Clock::now(); // the initializer's time is not the task's
        }
        if (m_undo) {
            // The rows are saved before they change, and kept until the parent has this task's result (a
            // failure puts them back). The area is emptied only once the results of what it holds went out.
            if (!m_undo->fits(m_slot, task.begin, task.end)) {
                m_outbox.flush();
                m_undo->clear(m_slot);
            }
            if (!m_undo->save(m_slot, task.id, *m_data, task.begin, task.end)) {
                sendError(task.id, errorKindName(ErrorKind::Protocol), CrashStage::Task,
                          u"task %1 (items %2 to %3) does not fit the undo area of %4 rows"_s.arg(task.id)
                              .arg(task.begin)
                              .arg(task.end - 1)
                              .arg(m_undo->rowsPerSlot()),
                          {});
                return;
            }
        }
        QCborValue value;
        const auto undo = [&] {
            if (m_undo)
                m_undo->restore(m_slot, task.id, *m_data);
        };
        if (!guarded(
                task.id, CrashStage::Task, [&] { value = m_job->run(context, task.begin, task.end); }, undo))
            return;
        const auto end = Clock::now();
        if (m_cancel.load())
            return;
        m_outbox.addResult(task.id, std::move(value),
                           qint64(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count()),
                           end);
        if (m_job->hasAfterResult(m_params)) {
            m_outbox.flush(); // the hook runs after the parent has the result
            guarded(task.id, CrashStage::AfterResult, [&] { m_job->afterResult(context); });
        }
    }

    // Runs one stage of a task; an exception becomes an Error report carrying the stack of its throw.
    // `undo`: puts back what the stage changed, before the parent hears of the failure and retries.
    template<typename Stage>
    bool guarded(qint64 id, CrashStage stage, Stage &&work, const std::function<void()> &undo = {})
    {
        setCrashContext(id, stage);
        QString message;
        try {
            work();
            setCrashContext(-1, CrashStage::Idle);
            return true;
        } catch (const std::exception &e) {
            message = QString::fromLocal8Bit(e.what());
        } catch (...) {
            message = u"unknown exception"_s;
        }
        const qint64 item = crashItemMarker()->load(std::memory_order_relaxed); // before the reset below
        setCrashContext(-1, CrashStage::Idle);
        if (undo)
            undo();
        sendError(id, errorKindName(ErrorKind::Exception), stage, message, lastThrowTrace(), item);
        return false;
    }

    void sendError(qint64 id, const QString &kind, CrashStage stage, const QString &message,
                   const QString &trace, qint64 item = -1)
    {
        QCborMap body{{field::Id, id},
                      {field::Kind, kind},
                      {field::Stage, QString::fromLatin1(crashStageName(stage))},
                      {field::Message, message},
                      {field::Trace, trace}};
        if (item >= 0)
            body.insert(field::Item, item);
        send(MessageType::Error, body);
    }

    void send(MessageType type, const QCborMap &body) { m_outbox.send(type, body); }

    using Clock = Outbox::Clock;

    FrameTransport &m_transport;
    Outbox m_outbox;
    Inbox m_inbox;
    std::atomic_bool m_inputBroken{false};
    std::atomic_bool m_cancel{false};
    std::atomic<qint64> m_cancelledRun{-1};
    std::atomic<qint64> m_currentRun{-1};
    qint64 m_run = -1;
    const Job *m_job = nullptr;
    QVariantMap m_params;
    bool m_writesOutput = false;
    bool m_initialized = false; // the job's initializer ran for this run
    std::optional<SharedArray> m_data;
    std::optional<SharedArray> m_output; // the job's output array, read-write
    std::optional<UndoArea> m_undo;      // in-place runs: where each task's rows are saved before it writes
    int m_slot = -1;                     // this worker's area in m_undo
};

} // namespace

qsizetype FdTransport::read(char *buffer, qsizetype size)
{
    while (true) {
        const ssize_t n = ::read(m_in, buffer, size_t(size));
        if (n < 0 && errno == EINTR)
            continue;
        return qsizetype(n);
    }
}

bool FdTransport::write(QByteArrayView bytes)
{
    const char *p = bytes.data();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(m_out, p, size_t(left));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        left -= n;
    }
    return true;
}

int runWorker(FrameTransport &transport)
{
    Worker worker(transport);
    return worker.run();
}

int runWorker()
{
    installCrashHandler();
    const int protocolFd = ::dup(STDOUT_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);
    FdTransport transport(STDIN_FILENO, protocolFd);
    const int code = runWorker(transport);
    std::fflush(nullptr);
    return code;
}

} // namespace brigade
