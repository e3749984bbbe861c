// What went wrong in a task or a worker, as shown in the error console and the --json "errors" array.
#pragma once

#include "core/base/enumnames.h"

#include <QCborMap>
#include <QList>
#include <QMetaType>
#include <QStringList>

#include <utility>

namespace brigade {

// What kind of failure: a task threw, a worker died of a signal or exited, a task ran past its timeout, a
// worker spoke a malformed frame, a backend lost contact with a worker, a worker could not take the run
// (attach) or could not be started.
enum class ErrorKind { Exception, Signal, Exit, Timeout, Protocol, Lost, Attach, Start };

inline constexpr EnumName<ErrorKind> ErrorKindNames[] = {
    {ErrorKind::Exception, u"exception"}, {ErrorKind::Signal, u"signal"},     {ErrorKind::Exit, u"exit"},
    {ErrorKind::Timeout, u"timeout"},     {ErrorKind::Protocol, u"protocol"}, {ErrorKind::Lost, u"lost"},
    {ErrorKind::Attach, u"attach"},       {ErrorKind::Start, u"start"}};

inline QString errorKindName(ErrorKind kind)
{
    return enumName(ErrorKindNames, kind);
}
inline std::optional<ErrorKind> errorKindFromName(QStringView name)
{
    return enumFromName(ErrorKindNames, name);
}

struct ErrorReport {
    QString kind;  // errorKindName(): exception, signal, exit, timeout, protocol, lost, attach, start
    QString stage; // where in the worker: attach (initializer), task, after-result; empty if unknown
    qint64 taskId = -1;
    qint64 begin = -1; // the task's input range of items [begin, end)
    qint64 end = -1;
    qint64 item = -1; // the item the job was on when it failed (in [begin, end)), when the worker knew it
    QString input; // what the range stands for, for a person: "rows 201–400 of data.csv"; set by the parent
    qint64 pid = 0;
    int attempt = 0;    // 1 for the first attempt
    bool final = false; // no attempt is left: the task is given up
    int exitCode = -1;  // for kind "exit"
    QString signalName; // for kind "signal", e.g. "SIGSEGV"
    QString message;
    QString trace; // symbolized stack, innermost frame first
    QStringList stderrTail;

    QString summary() const; // one line for a person
    QString text() const;    // every detail for a person: summary, input, trace, stderr tail
    QCborMap toCbor() const;
};

// The item ranges [begin, end) a run gave up (final reports: the named item, else the attempt's range),
// sorted and without repeats: what "retry failed items" runs again.
QList<std::pair<qint64, qint64>> givenUpRanges(const QList<ErrorReport> &reports);

} // namespace brigade

Q_DECLARE_METATYPE(brigade::ErrorReport)
