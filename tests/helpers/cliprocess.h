// Runs the real brigade CLI for a test: exit code, output, and the peak memory of it and its workers.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

namespace testhelpers {

struct Ran {
    int exitCode = -1; // -1: the CLI crashed
    QByteArray out;
    QByteArray err;
    qint64 pid = 0;
    qint64 peakRss = 0; // the largest sum of VmRSS over the CLI and its children, sampled while it ran
    QJsonObject json() const;
};

// The brigade executable these tests were built with.
QString brigadeProgram();

// Runs brigade with `args` and waits for it to end. Sends SIGINT once after `interruptAfterMs` (when >= 0);
// after `timeoutMs` kills it and aborts the test (qFatal): a hung CLI is a failure, never a pass.
Ran runBrigade(const QStringList &args, int timeoutMs = 60000, int interruptAfterMs = -1);

} // namespace testhelpers
