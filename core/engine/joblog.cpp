// GNU parallel's joblog format, a line per ended task, flushed as it is written.
#include "core/engine/joblog.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace brigade {

Result<Joblog> Joblog::open(const QString &path, bool append)
{
    Joblog log;
    log.m_file = std::make_unique<QFile>(path);
    const auto mode = QIODevice::WriteOnly | (append ? QIODevice::Append : QIODevice::Truncate);
    if (!log.m_file->open(mode))
        return Failure{FailureCode::Output, u"cannot write the joblog: "_s + log.m_file->errorString(), path,
                       -1};
    if (log.m_file->size() == 0)
        log.m_file->write("Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand\n");
    log.m_file->flush();
    return log;
}

void Joblog::write(const TaskSpan &span, qint64 runStartMs, const QString &command)
{
    const double start = double(runStartMs + span.startMs) / 1000.0;
    const double runtime = double(std::max<qint64>(span.endMs - span.startMs, 0)) / 1000.0;
    const QString line = u"%1\t:\t%2\t%3\t0\t0\t%4\t0\t%5\n"_s.arg(span.taskId + 1)
                             .arg(start, 0, 'f', 3)
                             .arg(runtime, 10, 'f', 3)
                             .arg(span.failed ? 1 : 0)
                             .arg(command);
    m_file->write(line.toUtf8());
    m_file->flush();
}

} // namespace brigade
