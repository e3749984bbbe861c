// RunJournal: the durable record of a run's finished work, one append-only file per run, so that an
// interrupted run (Ctrl-C, SIGTERM, SIGKILL, a crash of the parent, a power cut) can be resumed without
// computing again what was done. The file is a header record (the request, the input's identity, the planned
// items) followed by one record per delivered part (its items, the job's value, and for runs that write
// shared memory the rows they wrote). Each record is [length][CRC-32][CBOR], a block of parts a record: a
// torn or corrupt tail is recognised and dropped, and everything before it is kept. Blocks are written every
// few milliseconds and fsync'd in batches (see append()): a crash of the parent loses at most the last
// block's few milliseconds of results, a power cut the last SyncEveryMs; a resume computes them again.
#pragma once

#include "core/base/result.h"

#include <QByteArray>
#include <QCborMap>
#include <QCborValue>
#include <QDateTime>
#include <QElapsedTimer>
#include <QString>

#include <memory>
#include <vector>

namespace brigade {

class RunJournal
{
public:
    struct Header {
        QString id;            // the run's journal id, e.g. 20261202-183645-3f9a
        QDateTime created;     // when the run first started
        QCborMap request;      // requestToCbor() of the request, paths absolute
        QCborMap identity;     // inputIdentity() of its input when it started
        qint64 items = 0;      // what the job planned
        qint64 chunkBytes = 0; // a streamed CSV input: the chunk size its items are (0: not streamed)
    };
    // Items [begin, end) were delivered with `value`; `rows`/`outputRows`: the values they left in the
    // dataset and the output segment (runs that write shared memory), see RunEngine.
    struct Part {
        qint64 begin = 0;
        qint64 end = 0;
        QCborValue value;
        QByteArray rows;
        QByteArray outputRows;
    };
    struct Contents {
        Header header;
        std::vector<Part> parts; // in the order they were written; disjoint
        qint64 validBytes = 0;   // the length of the file's intact prefix
        qint64 fileBytes = 0;
        bool torn() const { return validBytes < fileBytes; }
    };

    // $BRIGADE_JOURNALS if set, else a "journals" folder beside the run history.
    static QString defaultDirectory();
    static QString pathOf(const QString &directory, const QString &id);
    // A new id: the time and a few random hex digits.
    static QString newId();
    // The journals of the directory, the most recently changed first.
    static QStringList list(const QString &directory = defaultDirectory());

    // A new journal with its header, written and fsync'd before this returns.
    static Result<RunJournal> create(const QString &directory, Header header);
    // Reads a journal's header and every intact part after it.
    static Result<Contents> read(const QString &path);
    // Continues a journal read with read(): cuts a torn tail off, then appends after the intact prefix.
    static Result<RunJournal> reopen(const QString &path, const Contents &contents);

    RunJournal(RunJournal &&other) noexcept;
    RunJournal &operator=(RunJournal &&other) noexcept;
    RunJournal(const RunJournal &) = delete;
    RunJournal &operator=(const RunJournal &) = delete;
    ~RunJournal(); // writes and syncs what is buffered

    QString path() const { return m_path; }
    QString id() const { return m_id; }

    // Buffers a part; writes the buffer (a block of parts, one record) when it is large or WriteEveryMs old,
    // and fsyncs every SyncEveryMs.
    Result<void> append(qint64 begin, qint64 end, const QCborValue &value, const QByteArray &rows = {},
                        const QByteArray &outputRows = {});
    // Writes (and, when due, syncs) what is buffered: for a timer, so that a quiet run's last parts reach
    // the disk too.
    Result<void> flushIfDue();
    // Writes and syncs everything now.
    Result<void> sync();
    // The run ended and needs no resume: the file goes.
    void remove();

    static constexpr qint64 WriteEveryMs = 20;
    static constexpr qint64 SyncEveryMs = 250;
    static constexpr qsizetype WriteBytes = 1 << 20;

private:
    RunJournal() = default;
    Result<void> write(bool andSync);
    void close();

    QString m_path;
    QString m_id;
    int m_fd = -1;
    QByteArray m_buffer;
    QElapsedTimer m_sinceWrite;
    QElapsedTimer m_sinceSync;
    bool m_unsynced = false;
    quint32 m_appends = 0;
    QString m_directory; // a new journal's folder, synced with the first sync
};

} // namespace brigade
