// The run history in SQLite: recording a run, reading entries back, the request as a record.
#include "core/store/history.h"

#include "core/run/runsettings.h"

#include <QCborValue>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>

#include <atomic>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

std::atomic<int> g_connections{0};

QString datasetLabel(const DatasetSource &input)
{
    if (!input.path.isEmpty())
        return input.path;
    if (input.generatedRows > 0)
        return u"generated %1 x %2 %3"_s.arg(input.generatedRows)
            .arg(input.generatedCols)
            .arg(distributionName(input.distribution));
    return u""_s; // an empty string, not a null one: the column is NOT NULL
}

Failure sqlFailure(const QString &path, const QString &what, const QSqlError &error)
{
    return Failure{FailureCode::System, what + u": "_s + error.text(), path, -1};
}

// The migrations, in order: step k brings user_version from k to k + 1.
const QStringList &migrations()
{
    static const QStringList steps{
        uR"(CREATE TABLE runs (
              id INTEGER PRIMARY KEY AUTOINCREMENT,
              job TEXT NOT NULL,
              dataset TEXT NOT NULL,
              request BLOB NOT NULL,
              workers INTEGER NOT NULL,
              chunk_size INTEGER NOT NULL,
              started TEXT NOT NULL,
              duration_s REAL NOT NULL,
              status TEXT NOT NULL,
              error_count INTEGER NOT NULL,
              tasks INTEGER NOT NULL,
              origin TEXT NOT NULL,
              result BLOB NOT NULL))"_s,
        // The run's journal id: a resumed run updates its own row instead of adding one.
        uR"(ALTER TABLE runs ADD COLUMN journal TEXT NOT NULL DEFAULT '')"_s,
    };
    return steps;
}

// Runs `step` again while SQLite says the database is busy or locked (another process writing past the busy
// timeout, or a lock SQLite does not wait for), for up to half a minute.
template<typename Step> bool withRetry(const QSqlQuery &q, Step step)
{
    QElapsedTimer clock;
    clock.start();
    for (int delayMs = 5;; delayMs = std::min(delayMs * 2, 200)) {
        if (step())
            return true;
        const QString code = q.lastError().nativeErrorCode(); // SQLITE_BUSY 5, SQLITE_LOCKED 6 (and extended)
        const bool busy =
            code == u"5"_s || code == u"6"_s || code.toInt() % 256 == 5 || code.toInt() % 256 == 6;
        if (!busy || clock.elapsed() > 30000)
            return false;
        QThread::msleep(std::uint64_t(delayMs) + QRandomGenerator::global()->bounded(5));
    }
}

HistoryEntry entryFrom(const QSqlQuery &q)
{
    HistoryEntry e;
    e.id = q.value(0).toLongLong();
    e.job = q.value(1).toString();
    e.dataset = q.value(2).toString();
    e.request = QCborValue::fromCbor(q.value(3).toByteArray()).toMap();
    e.workers = q.value(4).toInt();
    e.chunkSize = q.value(5).toLongLong();
    e.started = QDateTime::fromString(q.value(6).toString(), Qt::ISODateWithMs);
    e.durationSeconds = q.value(7).toDouble();
    e.status = q.value(8).toString();
    e.errorCount = q.value(9).toInt();
    e.tasks = q.value(10).toLongLong();
    e.origin = q.value(11).toString();
    e.result = QCborValue::fromCbor(q.value(12).toByteArray()).toMap();
    e.journal = q.value(13).toString();
    return e;
}

constexpr auto SelectColumns = u"SELECT id, job, dataset, request, workers, chunk_size, started, duration_s, "
                               u"status, error_count, tasks, origin, result, journal FROM runs ";

} // namespace

QCborMap requestToCbor(const RunRequest &r)
{
    QCborMap map{{u"job"_s, r.job}, {u"params"_s, QCborMap::fromVariantMap(r.params)}};
    runSettingsToCbor(r, map);
    return map;
}

RunRequest requestFromCbor(const QCborMap &m)
{
    RunRequest r;
    r.job = m.value(u"job"_s).toString();
    r.params = m.value(u"params"_s).toMap().toVariantMap();
    runSettingsFromCbor(m, r);
    return r;
}

RunRequest withAbsolutePaths(RunRequest request)
{
    if (!request.input.path.isEmpty() && !request.input.path.startsWith(u':'))
        request.input.path = QFileInfo(request.input.path).absoluteFilePath();
    if (!request.output.isEmpty())
        request.output = QFileInfo(request.output).absoluteFilePath();
    if (!request.joblog.isEmpty())
        request.joblog = QFileInfo(request.joblog).absoluteFilePath();
    return request;
}

QString RunHistory::defaultPath()
{
    const QString override = qEnvironmentVariable("BRIGADE_HISTORY");
    if (!override.isEmpty())
        return override;
    // Set explicitly so that the GUI and the CLI share one file whatever their application names.
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (base.isEmpty())
        base = QDir::homePath() + u"/.local/share"_s;
    return base + u"/brigade/history.sqlite"_s;
}

Result<RunHistory> RunHistory::open(const QString &path)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        return Failure{FailureCode::System, u"cannot create the history folder"_s, path, -1};
    RunHistory history;
    history.m_path = path;
    history.m_connection = u"brigade-history-%1"_s.arg(g_connections.fetch_add(1));
    QSqlDatabase db = QSqlDatabase::addDatabase(u"QSQLITE"_s, history.m_connection);
    db.setDatabaseName(path);
    db.setConnectOptions(u"QSQLITE_BUSY_TIMEOUT=5000"_s); // the GUI and a CLI may write at once
    if (!db.open())
        return sqlFailure(path, u"cannot open the run history"_s, db.lastError());
    QSqlQuery q(db);
    // WAL: readers never block the writer; NORMAL: no fsync per insert, still safe against crashes. Switching
    // a new file to WAL needs it alone for a moment: retried while another process holds it (first uses
    // side by side).
    withRetry(q, [&] { return q.exec(u"PRAGMA journal_mode=WAL"_s); });
    q.exec(u"PRAGMA synchronous=NORMAL"_s);
    // The version is read and every migration run inside one write transaction (BEGIN IMMEDIATE), so that of
    // processes opening a new history at once exactly one migrates and the others then see it done.
    if (!withRetry(q, [&] { return q.exec(u"BEGIN IMMEDIATE"_s); }))
        return sqlFailure(path, u"cannot open the run history for writing"_s, q.lastError());
    if (!q.exec(u"PRAGMA user_version"_s) || !q.next()) {
        const QSqlError error = q.lastError();
        q.exec(u"ROLLBACK"_s);
        return sqlFailure(path, u"cannot read the history's schema version"_s, error);
    }
    int version = q.value(0).toInt();
    q.finish();
    if (version > SchemaVersion) {
        q.exec(u"ROLLBACK"_s);
        return Failure{
            FailureCode::System,
            u"the run history was written by a newer Brigade (schema %1, this one knows %2)"_s.arg(version)
                .arg(SchemaVersion),
            path, -1};
    }
    for (; version < SchemaVersion; ++version)
        if (!q.exec(migrations()[version]) || !q.exec(u"PRAGMA user_version = %1"_s.arg(version + 1))) {
            const QSqlError error = q.lastError();
            q.exec(u"ROLLBACK"_s);
            return sqlFailure(path, u"cannot migrate the run history to schema %1"_s.arg(version + 1), error);
        }
    if (!withRetry(q, [&] { return q.exec(u"COMMIT"_s); })) {
        const QSqlError error = q.lastError();
        q.exec(u"ROLLBACK"_s);
        return sqlFailure(path, u"cannot migrate the run history"_s, error);
    }
    return history;
}

RunHistory::RunHistory(RunHistory &&other) noexcept
    : m_path(std::move(other.m_path))
    , m_connection(std::exchange(other.m_connection, {}))
{}

RunHistory &RunHistory::operator=(RunHistory &&other) noexcept
{
    std::swap(m_path, other.m_path);
    std::swap(m_connection, other.m_connection);
    return *this;
}

RunHistory::~RunHistory()
{
    if (m_connection.isEmpty())
        return;
    QSqlDatabase::database(m_connection, false).close();
    QSqlDatabase::removeDatabase(m_connection);
}

Result<qint64> RunHistory::record(const RunRequest &request, const RunOutcome &outcome,
                                  const QDateTime &started, const QString &origin)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    QSqlQuery q(db);
    if (!outcome.journalId.isEmpty()) { // a resumed run: its row is the one of the start it continues
        q.prepare(u"SELECT id, duration_s FROM runs WHERE journal = ? ORDER BY id DESC LIMIT 1"_s);
        q.addBindValue(outcome.journalId);
        if (q.exec() && q.next()) {
            const qint64 id = q.value(0).toLongLong();
            const double before = q.value(1).toDouble();
            q.finish();
            q.prepare(
                u"UPDATE runs SET workers = ?, chunk_size = ?, duration_s = ?, status = ?, error_count = ?, "
                u"tasks = ?, result = ? WHERE id = ?"_s);
            q.addBindValue(outcome.workers > 0 ? outcome.workers : request.workers);
            q.addBindValue(outcome.chunkSize > 0 ? outcome.chunkSize : request.chunkSize);
            q.addBindValue(before + outcome.elapsedSeconds);
            q.addBindValue(runStatusName(outcome.status));
            q.addBindValue(int(outcome.errors.size()));
            q.addBindValue(outcome.tasks);
            q.addBindValue(outcome.result.toCborValue().toCbor());
            q.addBindValue(id);
            if (!withRetry(q, [&] { return q.exec(); }))
                return sqlFailure(m_path, u"cannot record the run"_s, q.lastError());
            return id;
        }
    }
    q.prepare(
        u"INSERT INTO runs (job, dataset, request, workers, chunk_size, started, duration_s, status, "
        u"error_count, tasks, origin, result, journal) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"_s);
    q.addBindValue(request.job);
    q.addBindValue(datasetLabel(request.input));
    q.addBindValue(requestToCbor(request).toCborValue().toCbor());
    q.addBindValue(outcome.workers > 0 ? outcome.workers : request.workers);
    q.addBindValue(outcome.chunkSize > 0 ? outcome.chunkSize : request.chunkSize);
    q.addBindValue(started.toString(Qt::ISODateWithMs));
    q.addBindValue(outcome.elapsedSeconds);
    q.addBindValue(runStatusName(outcome.status));
    q.addBindValue(int(outcome.errors.size()));
    q.addBindValue(outcome.tasks);
    q.addBindValue(origin);
    q.addBindValue(outcome.result.toCborValue().toCbor());
    q.addBindValue(outcome.journalId.isEmpty() ? u""_s : outcome.journalId); // NOT NULL
    if (!withRetry(q, [&] { return q.exec(); }))
        return sqlFailure(m_path, u"cannot record the run"_s, q.lastError());
    return q.lastInsertId().toLongLong();
}

QList<HistoryEntry> RunHistory::entries(const QString &job, int limit) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QString::fromUtf16(SelectColumns) + (job.isEmpty() ? u""_s : u"WHERE job = ? "_s) +
              u"ORDER BY id DESC LIMIT ?"_s);
    if (!job.isEmpty())
        q.addBindValue(job);
    q.addBindValue(limit);
    QList<HistoryEntry> found;
    if (q.exec())
        while (q.next())
            found << entryFrom(q);
    return found;
}

std::optional<HistoryEntry> RunHistory::entry(qint64 id) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.prepare(QString::fromUtf16(SelectColumns) + u"WHERE id = ?"_s);
    q.addBindValue(id);
    if (q.exec() && q.next())
        return entryFrom(q);
    return std::nullopt;
}

std::optional<Failure> recordRun(const RunRequest &request, const RunOutcome &outcome,
                                 const QDateTime &started, const QString &origin)
{
    auto history = RunHistory::open();
    if (!history)
        return history.failure();
    auto id = history->record(withAbsolutePaths(request), outcome, started, origin);
    if (!id)
        return id.failure();
    return std::nullopt;
}

} // namespace brigade
