#include "core/data/segmentregistry.h"

#include <QDir>
#include <QFileInfo>
#include <QRandomGenerator>

#include <cerrno>
#include <csignal>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

bool processExists(qint64 pid)
{
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

} // namespace

namespace {

// A directory of this user's own that nobody else can write into.
bool isOwnPrivateDirectory(const QByteArray &path, struct stat *st)
{
    return ::lstat(path.constData(), st) == 0 && S_ISDIR(st->st_mode) && st->st_uid == ::getuid() &&
           (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

} // namespace

QString SegmentRegistry::directory()
{
    const QByteArray runtime = qgetenv("XDG_RUNTIME_DIR");
    struct stat st {
    };
    if (!runtime.isEmpty() && runtime.startsWith('/') && isOwnPrivateDirectory(runtime, &st))
        return QFile::decodeName(runtime) + u"/brigade"_s;
    return QDir::tempPath() + u"/brigade-"_s + QString::number(::getuid());
}

Result<QString> SegmentRegistry::prepare()
{
    const QString dir = directory();
    const QByteArray native = QFile::encodeName(dir);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
        return Failure{FailureCode::System,
                       u"cannot create the segment registry: "_s + QString::fromLocal8Bit(strerror(errno)),
                       dir, -1};
    struct stat st {
    };
    // Another user could have made it first (or put a symlink there): never put our keys there.
    if (!isOwnPrivateDirectory(native, &st)) {
        const QString what = ::lstat(native.constData(), &st) != 0 ? u"cannot be examined"_s
                             : S_ISLNK(st.st_mode)                 ? u"is a symlink"_s
                             : !S_ISDIR(st.st_mode)                ? u"is not a directory"_s
                             : st.st_uid != ::getuid() ? u"belongs to another user (uid %1)"_s.arg(st.st_uid)
                                                       : u"can be written by other users"_s;
        return usageFailure(u"%1 %2: Brigade keeps its shared-memory keys only in a directory of its user's "
                            "own; remove it, or set TMPDIR to another folder"_s.arg(dir, what));
    }
    return dir;
}

Result<QString> SegmentRegistry::newKey()
{
    auto dir = prepare();
    if (!dir)
        return dir.failure();
    const quint64 random = QRandomGenerator::system()->generate64();
    return QString(*dir + u'/' + QString::number(::getpid()) + u'-' +
                   QString::number(random, 16).rightJustified(16, u'0') + u".seg"_s);
}

qint64 SegmentRegistry::ownerPidOf(const QString &key)
{
    const QString name = QFileInfo(key).fileName();
    bool ok = false;
    const qint64 pid = name.section(u'-', 0, 0).toLongLong(&ok);
    return ok ? pid : -1;
}

QList<SegmentRegistry::Leftover> SegmentRegistry::leftovers()
{
    QList<Leftover> found;
    const auto registry = prepare();
    if (!registry)
        return found;
    const QDir dir(*registry);
    const QStringList files = dir.entryList({u"*.seg"_s}, QDir::Files | QDir::System | QDir::Hidden);
    for (const QString &file : files) {
        const QString key = dir.filePath(file);
        const qint64 pid = ownerPidOf(key);
        if (pid <= 0 || processExists(pid))
            continue;
        Leftover leftover{key, pid, -1};
        // Looked at without attaching: an attach and detach by the last user would already remove it.
        struct shmid_ds ds {
        };
        if (const int id = segmentId(key); id >= 0 && ::shmctl(id, IPC_STAT, &ds) == 0)
            leftover.bytes = qint64(ds.shm_segsz);
        found.append(leftover);
    }
    return found;
}

QList<SegmentRegistry::Segment> SegmentRegistry::segments()
{
    QList<Segment> found;
    const auto registry = prepare();
    if (!registry)
        return found;
    const QDir dir(*registry);
    const QStringList files = dir.entryList({u"*.seg"_s}, QDir::Files | QDir::System | QDir::Hidden);
    for (const QString &file : files) {
        Segment segment;
        segment.key = dir.filePath(file);
        segment.ownerPid = ownerPidOf(segment.key);
        segment.ownerAlive = segment.ownerPid > 0 && processExists(segment.ownerPid);
        struct shmid_ds ds {
        };
        if (const int id = segmentId(segment.key); id >= 0 && ::shmctl(id, IPC_STAT, &ds) == 0) {
            segment.bytes = qint64(ds.shm_segsz);
            segment.attached = qint64(ds.shm_nattch);
        }
        found.append(segment);
    }
    return found;
}

QList<SegmentRegistry::Leftover> SegmentRegistry::reclaimLeftovers()
{
    const QList<Leftover> found = leftovers();
    for (const Leftover &leftover : found) {
        if (const int id = segmentId(leftover.key); id >= 0)
            ::shmctl(id, IPC_RMID, nullptr); // removed now, or at the last detach of a straggler
        QFile::remove(leftover.key);
    }
    return found;
}

int SegmentRegistry::segmentId(const QString &key)
{
    // QSharedMemory (Qt 6.4, System V) derives the segment from its native key file with ftok(key, 'Q').
    const key_t ipcKey = ::ftok(QFile::encodeName(key).constData(), 'Q');
    return ipcKey == -1 ? -1 : ::shmget(ipcKey, 0, 0);
}

} // namespace brigade
