// The record of segments each Brigade process owns, so that leftovers of a dead process can be reclaimed.
#pragma once

#include <QString>
#include <QStringList>

namespace brigade {

// Segment keys are files in a per-user 0700 directory, named "<owner pid>-<random>.seg"; the file is
// also the System V ftok() key, so the directory is the registry.
class SegmentRegistry
{
public:
    static QString directory();
    // A fresh key owned by this process.
    static QString newKey();
    static qint64 ownerPidOf(const QString &key);

    struct Leftover {
        QString key;
        qint64 ownerPid = 0;
        qint64 bytes = -1; // -1 if the segment itself is gone and only the key file is left
    };
    struct Segment {
        QString key;
        qint64 ownerPid = 0;
        bool ownerAlive = false;
        qint64 bytes = -1;    // -1 if only the key file is left
        qint64 attached = -1; // processes attached now (shm_nattch), -1 if unknown
    };
    // Every segment of this user's Brigade processes, live or left over.
    static QList<Segment> segments();

    // Segments whose owner process no longer exists.
    static QList<Leftover> leftovers();
    // Removes the leftovers of dead owners; returns what was removed. Never touches a live owner's segment.
    static QList<Leftover> reclaimLeftovers();

    // The System V id of the segment behind a key, or -1 if there is none.
    static int segmentId(const QString &key);
};

} // namespace brigade
