// The run history: every run, from the window or the command line, in one SQLite database (Qt SQL).
#pragma once

#include "core/base/result.h"
#include "core/run/runoutcome.h"
#include "core/run/runrequest.h"

#include <QCborMap>
#include <QDateTime>
#include <QList>
#include <QString>

#include <optional>

namespace brigade {

struct HistoryEntry {
    qint64 id = -1;
    QString job;
    QString dataset;  // the input file, "generated N x C <distribution>", or empty
    QCborMap request; // everything needed to run it again (see requestToCbor)
    int workers = 0;
    qint64 chunkSize = 0; // as the run used it (auto resolved)
    QDateTime started;
    double durationSeconds = 0;
    QString status; // runStatusName()
    int errorCount = 0;
    qint64 tasks = 0;
    QString origin; // "gui" or "cli"
    QCborMap result;
    QString journal; // the run's journal id (RunJournal): the run can be resumed while that journal exists
};

// A request as a CBOR map and back: job, params, input, output and every run setting.
QCborMap requestToCbor(const RunRequest &request);
RunRequest requestFromCbor(const QCborMap &map);

// The request with its input and output paths absolute, so that it can be run again from anywhere.
RunRequest withAbsolutePaths(RunRequest request);

class RunHistory
{
public:
    static constexpr int SchemaVersion = 2;

    // $BRIGADE_HISTORY if set, else history.sqlite in the user's application-data directory.
    static QString defaultPath();
    // Opens (creating it and its folder if needed) and migrates the database to SchemaVersion.
    static Result<RunHistory> open(const QString &path = defaultPath());

    RunHistory(RunHistory &&other) noexcept;
    RunHistory &operator=(RunHistory &&other) noexcept;
    RunHistory(const RunHistory &) = delete;
    RunHistory &operator=(const RunHistory &) = delete;
    ~RunHistory();

    QString path() const { return m_path; }

    Result<qint64> record(const RunRequest &request, const RunOutcome &outcome, const QDateTime &started,
                          const QString &origin);
    // Newest first; all jobs when `job` is empty.
    QList<HistoryEntry> entries(const QString &job = {}, int limit = 1000) const;
    std::optional<HistoryEntry> entry(qint64 id) const;

private:
    RunHistory() = default;
    QString m_path;
    QString m_connection; // the Qt SQL connection's name, unique per object
};

// Records one finished run in the default history; failures are returned, never thrown.
std::optional<Failure> recordRun(const RunRequest &request, const RunOutcome &outcome,
                                 const QDateTime &started, const QString &origin);

} // namespace brigade
