// Joblog: GNU parallel's --joblog file, for the tools that read it: a header line, then one line per task as
// it ends (Seq, Host, Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command, tab-separated).
#pragma once

#include "core/base/result.h"
#include "core/run/progress.h"

#include <QFile>

#include <memory>

namespace brigade {

class Joblog
{
public:
    // Truncates the file and writes the header; `append`: goes on after what the file holds (a resume),
    // writing the header only if it is empty.
    static Result<Joblog> open(const QString &path, bool append);

    // A task's span ended; `runStartMs`: the run's start, since the epoch; `command`: what the task was.
    void write(const TaskSpan &span, qint64 runStartMs, const QString &command);

private:
    Joblog() = default;
    std::unique_ptr<QFile> m_file;
};

} // namespace brigade
