// What /proc and kill(2) say about processes and segments, for tests that check what a run leaves behind.
#pragma once

#include <QList>
#include <QStringList>

namespace testhelpers {

// VmRSS of `pid` in bytes; 0 when it is gone.
qint64 rssOf(qint64 pid);
// The children of `parent` (any program, zombies included).
QList<qint64> childrenOf(qint64 parent);
// The brigade-worker children of `parent`; zombies only when `withZombies`.
QList<qint64> workerChildrenOf(qint64 parent, bool withZombies);
// The same, as the decimal names /proc gives them.
QStringList workerPidsOf(qint64 parent);
// Running, as opposed to gone or a zombie waiting to be reaped.
bool processRunning(qint64 pid);
bool processRunning(const QString &pid);
// Gone, or a zombie (gone for a test's purposes).
bool processGone(qint64 pid);
// Gone and reaped: kill(pid, 0) fails with ESRCH.
bool processReaped(qint64 pid);
// Exists (a zombie too), possibly owned by another user.
bool processAlive(qint64 pid);
// System V shared-memory segments on the machine, as `ipcs -m` counts them; -1 without /proc.
int systemSegmentCount();
// Segment key files in SegmentRegistry::directory() that `pid` created.
QStringList segmentsOf(qint64 pid);

} // namespace testhelpers
