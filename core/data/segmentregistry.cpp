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

QString SegmentRegistry::directory()
{
    const QString dir = QDir::tempPath() + u"/brigade-"_s + QString::number(::getuid());
    const QByteArray native = QFile::encodeName(dir);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
        qWarning("brigade: cannot create %s: %s", native.constData(), strerror(errno));
    struct stat st {
    };
    // Another user could have made the directory first; never put our keys there.
    if (::lstat(native.constData(), &st) == 0 && (st.st_uid != ::getuid() || !S_ISDIR(st.st_mode)))
        qFatal("brigade: %s is not a directory owned by this user", native.constData());
    ::chmod(native.constData(), 0700);
    return dir;
}

QString SegmentRegistry::newKey()
{
    const quint64 random = QRandomGenerator::system()->generate64();
    return directory() + u'/' + QString::number(::getpid()) + u'-' +
           QString::number(random, 16).rightJustified(16, u'0') + u".seg"_s;
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
    const QDir dir(directory());
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
    const QDir dir(directory());
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
