// The record of segments each Brigade process owns, so that leftovers of a dead process can be reclaimed.
#pragma once

#include "core/base/result.h"

#include <QString>
#include <QStringList>

namespace brigade {

// Segment keys are files in a per-user 0700 directory, named "<owner pid>-<random>.seg"; the file is
// also the System V ftok() key, so the directory is the registry. It is $XDG_RUNTIME_DIR/brigade when the
// session has a runtime directory of this user's own, else $TMPDIR/brigade-<uid>.
class SegmentRegistry
{
public:
    // Where the registry is (nothing is created or checked).
    static QString directory();
    // The registry, created if missing; refused when it is not a directory of this user's own that only
    // this user can write (another user made it first: never trust or follow it).
    static Result<QString> prepare();
    // A fresh key owned by this process.
    static Result<QString> newKey();
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

    // Segments whose owner process no longer exists (none when the registry is refused: see prepare()).
    static QList<Leftover> leftovers();
    // Removes the leftovers of dead owners; returns what was removed. Never touches a live owner's segment.
    static QList<Leftover> reclaimLeftovers();

    // The System V id of the segment behind a key, or -1 if there is none.
    static int segmentId(const QString &key);
};

} // namespace brigade
