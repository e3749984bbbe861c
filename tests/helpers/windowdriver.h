// Drives MainWindow in a test as a user would: types parameters, sets workers, clicks Run and waits.
// Each returns false (with a warning saying why) instead of failing the test itself, so that the caller's
// QVERIFY stops the test at the step that went wrong.
#pragma once

#include "core/run/runoutcome.h"

#include <QList>
#include <QMap>
#include <QString>

class QAbstractItemModel;
class QModelIndex;
class QProgressBar;
class QPushButton;
class QTemporaryDir;

namespace brigade {
class MainWindow;
}

namespace testhelpers {

inline constexpr int RunTimeoutMs = 30000;

// For initTestCase: keeps the window's QSettings out of the user's configuration, clears them, and
// checks that BRIGADE_WORKER names the worker.
[[nodiscard]] bool prepareWindowTests();

QPushButton *button(const brigade::MainWindow &window, const QString &name);
// The monitor's progress bars, one a worker.
QList<QProgressBar *> workerBars(const brigade::MainWindow &window);

[[nodiscard]] bool setWorkers(const brigade::MainWindow &window, int workers);
// Types into a parameter's line edit as a user would.
[[nodiscard]] bool typeParam(const brigade::MainWindow &window, const QString &name, const QString &text);
// Clicks Run and waits (with a deadline) for runFinished; the outcome is left in *outcome.
[[nodiscard]] bool clickRunAndWait(brigade::MainWindow &window, brigade::RunOutcome *outcome,
                                   int timeoutMs = RunTimeoutMs);
// Runs `job` on `path` with two workers and the given parameters, through the window's Run button; true
// when the run ended ok.
[[nodiscard]] bool runJobOn(brigade::MainWindow &window, const QString &job, const QString &path,
                            brigade::RunOutcome *outcome, const QMap<QString, QString> &params = {});

// A CSV of `rows` rows: x = i, y = 2i + 1 (perfectly correlated with x), z = (i * 7) % 11, and a text column.
QString writeResultsCsv(const QTemporaryDir &dir, int rows);

// Whether a row under `parent` (at any depth) shows `needle` in any column.
bool anyChildContains(const QAbstractItemModel *model, const QModelIndex &parent, const QString &needle);

} // namespace testhelpers
