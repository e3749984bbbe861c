// The run journal's file: records of [length][CRC-32][CBOR], written in batches, fsync'd in batches.
#include "core/store/runjournal.h"

#include "core/store/history.h"

#include <QCborArray>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr char Magic[8] = {'B', 'R', 'G', 'J', 'R', 'N', 'L', '1'};
constexpr int FormatVersion = 1;
constexpr qint64 MaxRecordBytes = qint64(1) << 31; // a length past this is a torn or foreign record
constexpr auto Suffix = u".journal";

std::uint32_t checksum(const char *data, qsizetype size)
{
    return std::uint32_t(
        ::crc32_z(::crc32_z(0, nullptr, 0), reinterpret_cast<const Bytef *>(data), size_t(size)));
}

std::uint32_t getU32(const char *p)
{
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    return std::uint32_t(u[0]) | std::uint32_t(u[1]) << 8 | std::uint32_t(u[2]) << 16 |
           std::uint32_t(u[3]) << 24;
}

// Patches a record's length and checksum in front of its payload, which starts at `start` + 8.
void sealRecord(QByteArray &out, qsizetype start)
{
    const qsizetype length = out.size() - start - 8;
    const std::uint32_t crc = checksum(out.constData() + start + 8, length);
    char *p = out.data() + start;
    for (int i = 0; i < 4; ++i) {
        p[i] = char((std::uint32_t(length) >> (8 * i)) & 0xff);
        p[4 + i] = char((crc >> (8 * i)) & 0xff);
    }
}

void appendRecord(QByteArray &out, const QCborValue &value)
{
    const qsizetype start = out.size();
    out.append(8, '\0');
    out.append(value.toCbor());
    sealRecord(out, start);
}

// CBOR's head of a data item: major type, then the argument in the fewest bytes (RFC 8949, 3.1), at `out`;
// returns the end. At most 9 bytes.
char *putHead(char *out, int major, std::uint64_t argument)
{
    const char type = char(major << 5);
    if (argument < 24) {
        *out++ = char(type | char(argument));
        return out;
    }
    const int bytes = argument <= 0xff ? 1 : argument <= 0xffff ? 2 : argument <= 0xffffffffULL ? 4 : 8;
    *out++ = char(type | char(bytes == 1 ? 24 : bytes == 2 ? 25 : bytes == 4 ? 26 : 27));
    for (int i = bytes - 1; i >= 0; --i)
        *out++ = char((argument >> (8 * i)) & 0xff);
    return out;
}

char *putInteger(char *out, qint64 v)
{
    return v >= 0 ? putHead(out, 0, std::uint64_t(v)) : putHead(out, 1, std::uint64_t(-(v + 1)));
}

// A part as the array [begin, end, value, rows, outputRows], encoded straight into the buffer: a part per
// task, so for tiny tasks this is most of what the journal costs (one append for a part of integers).
void appendPart(QByteArray &out, qint64 begin, qint64 end, const QCborValue &value, const QByteArray &rows,
                const QByteArray &outputRows)
{
    char head[48];
    char *p = putHead(head, 4, 5);
    p = putInteger(p, begin);
    p = putInteger(p, end);
    if (value.isInteger() && rows.isEmpty() && outputRows.isEmpty()) {
        p = putInteger(p, value.toInteger());
        p = putHead(p, 2, 0);
        p = putHead(p, 2, 0);
        out.append(head, p - head);
        return;
    }
    out.append(head, p - head);
    if (value.isInteger()) {
        p = putInteger(head, value.toInteger());
        out.append(head, p - head);
    } else {
        out.append(value.toCbor());
    }
    p = putHead(head, 2, std::uint64_t(rows.size()));
    out.append(head, p - head);
    out.append(rows);
    p = putHead(head, 2, std::uint64_t(outputRows.size()));
    out.append(head, p - head);
    out.append(outputRows);
}

// A block of parts is one record: an indefinite-length array, opened here and closed by write().
constexpr char OpenArray = char(0x9f);
constexpr char Break = char(0xff);

Failure journalFailure(const QString &path, const QString &what, int error)
{
    return Failure{FailureCode::Output, what + u": "_s + QString::fromLocal8Bit(std::strerror(error)), path,
                   -1};
}

QCborMap headerToCbor(const RunJournal::Header &h)
{
    return QCborMap{{u"brigade-journal"_s, FormatVersion},
                    {u"id"_s, h.id},
                    {u"created"_s, h.created.toString(Qt::ISODateWithMs)},
                    {u"request"_s, h.request},
                    {u"identity"_s, h.identity},
                    {u"items"_s, h.items},
                    {u"chunk_bytes"_s, h.chunkBytes}};
}

// Writes all of `data` to `fd`, through short writes and signals.
int writeAll(int fd, const char *data, qsizetype size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size_t(size));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        data += n;
        size -= n;
    }
    return 0;
}

// Makes a new entry of the folder durable (the file's name, not only its bytes).
void syncDirectory(const QString &directory)
{
    const int fd = ::open(QFile::encodeName(directory).constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace

QString RunJournal::defaultDirectory()
{
    const QString override = qEnvironmentVariable("BRIGADE_JOURNALS");
    if (!override.isEmpty())
        return override;
    return QFileInfo(RunHistory::defaultPath()).absolutePath() + u"/journals"_s;
}

QString RunJournal::pathOf(const QString &directory, const QString &id)
{
    return directory + u'/' + id + Suffix;
}

QString RunJournal::newId()
{
    return QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s) + u'-' +
           QString::number(QRandomGenerator::system()->bounded(0x10000), 16).rightJustified(4, u'0');
}

QStringList RunJournal::list(const QString &directory)
{
    QStringList paths;
    const auto entries = QDir(directory).entryInfoList({u"*"_s + Suffix}, QDir::Files, QDir::Time);
    for (const QFileInfo &info : entries)
        paths << info.absoluteFilePath();
    return paths;
}

Result<RunJournal> RunJournal::create(const QString &directory, Header header)
{
    if (!QDir().mkpath(directory))
        return Failure{FailureCode::Output, u"cannot create the journal folder"_s, directory, -1};
    ::chmod(QFile::encodeName(directory).constData(), 0700);
    RunJournal journal;
    journal.m_id = header.id;
    journal.m_path = pathOf(directory, header.id);
    journal.m_fd = ::open(QFile::encodeName(journal.m_path).constData(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (journal.m_fd < 0)
        return journalFailure(journal.m_path, u"cannot create the run journal"_s, errno);
    ::flock(journal.m_fd, LOCK_EX | LOCK_NB); // held while the run goes: no second process continues it
    journal.m_buffer.reserve(WriteBytes + (64 << 10));
    journal.m_buffer.append(Magic, sizeof Magic);
    appendRecord(journal.m_buffer, headerToCbor(header));
    // Written now, synced with the first batch of parts (the folder too): no disk wait before the first task.
    if (const int error = writeAll(journal.m_fd, journal.m_buffer.constData(), journal.m_buffer.size()))
        return journalFailure(journal.m_path, u"cannot write the run journal"_s, error);
    journal.m_buffer.resize(0);
    journal.m_unsynced = true;
    journal.m_directory = directory;
    journal.m_sinceWrite.start();
    journal.m_sinceSync.start();
    return journal;
}

Result<RunJournal::Contents> RunJournal::read(const QString &path)
{
    QFile file(path);
    if (QFileInfo(path).isSymLink() || !QFileInfo(path).isFile())
        return inputFailure(path, u"not a run journal (not a regular file)"_s);
    if (!file.open(QIODevice::ReadOnly))
        return inputFailure(path, u"cannot read the run journal: "_s + file.errorString());
    const QByteArray bytes = file.readAll();
    Contents contents;
    contents.fileBytes = bytes.size();
    if (bytes.size() < qsizetype(sizeof Magic) || std::memcmp(bytes.constData(), Magic, sizeof Magic) != 0)
        return inputFailure(path, u"not a run journal (no journal signature)"_s);
    qsizetype at = sizeof Magic;
    bool haveHeader = false;
    while (bytes.size() - at >= 8) {
        const qint64 length = getU32(bytes.constData() + at);
        const std::uint32_t crc = getU32(bytes.constData() + at + 4);
        if (length > MaxRecordBytes || length > bytes.size() - at - 8)
            break; // torn: the record's bytes never all reached the disk
        const char *payload = bytes.constData() + at + 8;
        if (checksum(payload, length) != crc)
            break;
        QCborParserError error;
        const QCborValue value = QCborValue::fromCbor(QByteArray::fromRawData(payload, length), &error);
        if (error.error != QCborError::NoError)
            break;
        if (!haveHeader) {
            const QCborMap map = value.toMap();
            if (map.value(u"brigade-journal"_s).toInteger() != FormatVersion)
                return inputFailure(path, u"not a run journal this Brigade reads (format %1)"_s.arg(
                                              map.value(u"brigade-journal"_s).toInteger()));
            Header &h = contents.header;
            h.id = map.value(u"id"_s).toString();
            h.created = QDateTime::fromString(map.value(u"created"_s).toString(), Qt::ISODateWithMs);
            h.request = map.value(u"request"_s).toMap();
            h.identity = map.value(u"identity"_s).toMap();
            h.items = map.value(u"items"_s).toInteger();
            h.chunkBytes = map.value(u"chunk_bytes"_s).toInteger();
            haveHeader = true;
        } else {
            bool intact = value.isArray();
            std::vector<Part> block;
            for (const QCborValue &item : value.toArray()) {
                const QCborArray a = item.toArray();
                Part part{a.at(0).toInteger(), a.at(1).toInteger(), a.at(2), a.at(3).toByteArray(),
                          a.at(4).toByteArray()};
                if (a.size() != 5 || part.begin < 0 || part.end <= part.begin ||
                    part.end > contents.header.items)
                    intact = false; // not a part this journal can hold: treated as the end of what is intact
                block.push_back(std::move(part));
            }
            if (!intact)
                break;
            for (Part &part : block)
                contents.parts.push_back(std::move(part));
        }
        at += 8 + length;
        contents.validBytes = at;
    }
    if (!haveHeader)
        return inputFailure(path, u"the run journal has no intact header (it was cut before its first record "
                                  u"reached the disk)"_s);
    return contents;
}

Result<RunJournal> RunJournal::reopen(const QString &path, const Contents &contents)
{
    RunJournal journal;
    journal.m_path = path;
    journal.m_id = contents.header.id;
    journal.m_fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (journal.m_fd < 0)
        return journalFailure(path, u"cannot open the run journal to continue it"_s, errno);
    if (::flock(journal.m_fd, LOCK_EX | LOCK_NB) != 0)
        return Failure{FailureCode::Usage,
                       u"run %1 is still going in another Brigade process"_s.arg(contents.header.id), path,
                       -1};
    if (contents.torn() && ::ftruncate(journal.m_fd, contents.validBytes) != 0)
        return journalFailure(path, u"cannot cut the torn end off the run journal"_s, errno);
    if (::lseek(journal.m_fd, contents.validBytes, SEEK_SET) < 0)
        return journalFailure(path, u"cannot continue the run journal"_s, errno);
    journal.m_buffer.reserve(WriteBytes + (64 << 10));
    journal.m_sinceWrite.start();
    journal.m_sinceSync.start();
    return journal;
}

RunJournal::RunJournal(RunJournal &&other) noexcept
    : m_path(std::move(other.m_path))
    , m_id(std::move(other.m_id))
    , m_fd(std::exchange(other.m_fd, -1))
    , m_buffer(std::move(other.m_buffer))
    , m_sinceWrite(other.m_sinceWrite)
    , m_sinceSync(other.m_sinceSync)
    , m_unsynced(other.m_unsynced)
    , m_appends(other.m_appends)
    , m_directory(std::move(other.m_directory))
{}

RunJournal &RunJournal::operator=(RunJournal &&other) noexcept
{
    std::swap(m_path, other.m_path);
    std::swap(m_id, other.m_id);
    std::swap(m_fd, other.m_fd);
    std::swap(m_buffer, other.m_buffer);
    std::swap(m_sinceWrite, other.m_sinceWrite);
    std::swap(m_sinceSync, other.m_sinceSync);
    std::swap(m_unsynced, other.m_unsynced);
    std::swap(m_appends, other.m_appends);
    std::swap(m_directory, other.m_directory);
    return *this;
}

RunJournal::~RunJournal()
{
    close();
}

void RunJournal::close()
{
    if (m_fd < 0)
        return;
    (void)write(true);
    ::close(m_fd);
    m_fd = -1;
}

Result<void> RunJournal::append(qint64 begin, qint64 end, const QCborValue &value, const QByteArray &rows,
                                const QByteArray &outputRows)
{
    if (m_buffer.isEmpty()) {
        m_buffer.append(8, '\0');
        m_buffer.append(OpenArray);
    }
    appendPart(m_buffer, begin, end, value, rows, outputRows);
    // The clock is read every few parts only: for tiny tasks, reading it costs more than the part.
    if (m_buffer.size() >= WriteBytes || ((++m_appends & 63) == 0 && m_sinceWrite.elapsed() >= WriteEveryMs))
        return write(m_sinceSync.elapsed() >= SyncEveryMs);
    return {};
}

Result<void> RunJournal::flushIfDue()
{
    if (!m_buffer.isEmpty() || (m_unsynced && m_sinceSync.elapsed() >= SyncEveryMs))
        return write(m_sinceSync.elapsed() >= SyncEveryMs);
    return {};
}

Result<void> RunJournal::sync()
{
    return write(true);
}

Result<void> RunJournal::write(bool andSync)
{
    if (m_fd < 0)
        return {};
    if (!m_buffer.isEmpty()) {
        m_buffer.append(Break);
        sealRecord(m_buffer, 0);
        if (const int error = writeAll(m_fd, m_buffer.constData(), m_buffer.size()))
            return journalFailure(m_path, u"cannot write the run journal"_s, error);
        m_buffer.resize(0); // keeps its capacity
        m_unsynced = true;
    }
    m_sinceWrite.start();
    if (andSync && m_unsynced) {
        if (::fdatasync(m_fd) != 0)
            return journalFailure(m_path, u"cannot sync the run journal"_s, errno);
        if (!m_directory.isEmpty()) // a new journal: its name must survive a power cut too
            syncDirectory(std::exchange(m_directory, {}));
        m_unsynced = false;
        m_sinceSync.start();
    }
    return {};
}

void RunJournal::remove()
{
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    m_buffer.clear();
    QFile::remove(m_path);
}

} // namespace brigade
