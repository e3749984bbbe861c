// The Job interface: parameter specs, plan (parent), run (worker, one task), reduce (parent).
#pragma once

#include "core/base/result.h"
#include "core/data/sharedarray.h"
#include "core/jobs/params.h"
#include "core/run/outputformat.h"
#include "core/run/resultkind.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace brigade {

class SharedArray;
struct CsvChunks;

// What a job needs as input.
enum class InputUse {
    None,      // the items are a range given by the parameters
    Read,      // a table the workers read
    ReadWrite, // a table the workers change in place
};

// Whether a job can take a CSV input chunk by chunk, each worker reading its chunks from the file.
enum class StreamUse {
    Never,
    WhenLarge, // when the table would not fit in memory (or under the run's memory limit)
    Always,
};

// Everything the parent knows about a run when it plans and reduces.
struct RunContext {
    QVariantMap params;                // resolved, typed
    const SharedArray *data = nullptr; // the dataset, for InputUse::Read/ReadWrite
    QString outputPath;                // empty when no output file was asked for
    QStringList textColumns;           // the input's non-numeric columns, left out of `data`
    qint64 skippedRows = 0;            // input rows skipped as malformed (--on-bad-row skip)
    // The array the workers wrote into, when the job created one (Job::createOutput).
    const SharedArray *output = nullptr;
    // Instead of `data` when the input is streamed: the CSV's chunks, one item each.
    const CsvChunks *chunks = nullptr;
};

// The task a worker is on: items [begin, end), and which attempt at it this is (1 for the first).
struct TaskInfo {
    qint64 id = -1;
    qint64 begin = 0;
    qint64 end = 0;
    int attempt = 1;
};

// Everything a worker knows while it runs one task.
class TaskContext
{
public:
    TaskContext(const QVariantMap &params, SharedArray *data, bool writesOutput, TaskInfo task)
        : m_params(params)
        , m_data(data)
        , m_writesOutput(writesOutput)
        , m_task(task)
    {}

    const TaskInfo &task() const { return m_task; }
    const QVariantMap &params() const { return m_params; }
    SharedArray *data() const { return m_data; }
    // The job's output array (see Job::createOutput), writable; null when it has none.
    SharedArray *output() const { return m_output; }
    void setOutput(SharedArray *output) { m_output = output; }
    bool writesOutput() const { return m_writesOutput; }

    // Called by jobs from their inner loop every few thousand items; cheap, the worker throttles.
    void reportProgress(qint64 doneInTask) const
    {
        if (m_progress)
            m_progress(doneInTask);
    }
    // Jobs that take their items one at a time call this as they start each one: a crash then names the item
    // (the worker's crash note), and the scheduler retries exactly that item alone. One relaxed store.
    void atItem(qint64 item) const
    {
        if (m_item)
            m_item->store(item, std::memory_order_relaxed);
    }
    // Jobs return early (any partial value) when this becomes true; the result is then discarded.
    bool cancelled() const { return m_cancel && m_cancel->load(std::memory_order_relaxed); }

    // Fault injection (the `risky` job): bytes written as they are onto the worker's channel to the parent,
    // outside any frame. A job that is not testing the protocol never calls this.
    void injectRaw(const QByteArray &bytes) const
    {
        if (m_rawSink)
            m_rawSink(bytes);
    }

    void setProgressSink(std::function<void(qint64)> sink) { m_progress = std::move(sink); }
    void setRawSink(std::function<void(const QByteArray &)> sink) { m_rawSink = std::move(sink); }
    void setCancelFlag(const std::atomic_bool *flag) { m_cancel = flag; }
    void setItemMarker(std::atomic<qint64> *marker) { m_item = marker; }

private:
    QVariantMap m_params;
    SharedArray *m_data;
    SharedArray *m_output = nullptr;
    bool m_writesOutput;
    TaskInfo m_task;
    std::function<void(qint64)> m_progress;
    std::function<void(const QByteArray &)> m_rawSink;
    const std::atomic_bool *m_cancel = nullptr;
    std::atomic<qint64> *m_item = nullptr;
};

// What a reducer hands over at the end of a run: the result map (the --json "result") and what an output
// file holds beyond it. The engine has the store write the output (core/store/writers.h), never the job.
struct JobResult {
    QCborMap result;
    const SharedArray *array = nullptr; // ResultKind::Array: the array the workers changed in place
    QCborArray list;                    // ResultKind::List: the values, in order
};

// Merges task results in the parent, in task order when the run is ordered, as they finish otherwise.
class Reducer
{
public:
    virtual ~Reducer() = default;
    virtual void add(qint64 begin, qint64 end, const QCborValue &part) = 0;
    // True once a part said the input is bad: the run stops and finish() reports it.
    virtual bool failed() const { return false; }
    // The run's result (the engine then writes the output file, when one was asked for).
    virtual Result<JobResult> finish(const RunContext &context) = 0;
};

class Job
{
public:
    virtual ~Job() = default;

    virtual QString name() const = 0;
    virtual QString summary() const = 0; // one line for the catalogue
    virtual QList<ParamSpec> params() const = 0;
    virtual InputUse input() const = 0;
    // Whether "--rows N" may stand in for an input file.
    virtual bool acceptsGeneratedRows() const { return false; }
    // Whether a job whose input() is None may also be given an --input table (read only).
    virtual bool inputOptional() const { return false; }
    // The shape of the result, which picks the layout of its output file and its chart.
    virtual ResultKind resultKind() const = 0;
    // The --output types the job writes, checked before the run starts (empty: not declared, not checked).
    virtual QList<OutputFormat> outputFormats() const { return {}; }
    // Whether a CSV input may be streamed (then the items are chunks, see core/jobs/csvchunkjob.h).
    virtual StreamUse streaming() const { return StreamUse::Never; }
    // Checks the resolved parameters beyond their types and ranges, before any file is read.
    virtual Result<void> checkParams(const QVariantMap &) const { return {}; }

    // Parent: the number of items the run covers (tasks are slices [begin, end) of them).
    virtual Result<qint64> plan(const RunContext &context) const = 0;
    // Parent, after plan(): an array every worker attaches read-write to write its results into (outputs
    // that are arrays are SharedArrays too), or none. The reducer finds it in RunContext::output.
    virtual Result<std::optional<SharedArray>> createOutput(const RunContext &) const
    {
        return std::optional<SharedArray>();
    }
    // Worker: the pool initializer, once per worker and run, just before the worker's first task of the
    // run (the context names that task). A failure here leaves the worker unusable: it is replaced.
    virtual void initialize(const TaskContext &) const {}
    // Worker: computes one task. Exceptions become error reports with the stack of the throw.
    virtual QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const = 0;
    // Worker: after the task's result is on its way to the parent (release per-task resources).
    virtual void afterResult(const TaskContext &) const {}
    // Whether afterResult() is overridden: the worker then sends each result at once, before calling it,
    // instead of batching results.
    virtual bool hasAfterResult(const QVariantMap & /*params*/) const { return false; }
    // Parent: a fresh reducer for one run.
    virtual std::unique_ptr<Reducer> makeReducer(const RunContext &context) const = 0;
};

} // namespace brigade
