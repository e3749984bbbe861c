// Input identity: path, size, modification time and a hash of the ends of a file (or a folder's listing).
#include "core/store/inputidentity.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

constexpr qint64 EndBytes = 1 << 20;

qint64 mtimeMs(const QFileInfo &info)
{
    return info.lastModified().toMSecsSinceEpoch();
}

QByteArray hashOfEnds(const QString &path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(file.read(std::min(size, EndBytes)));
    if (size > EndBytes) {
        file.seek(std::max(EndBytes, size - EndBytes));
        hash.addData(file.read(EndBytes));
    }
    return hash.result().toHex();
}

QByteArray hashOfListing(const QString &path)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const auto entries = QDir(path).entryInfoList(
        QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System, QDir::Name);
    for (const QFileInfo &entry : entries) {
        hash.addData(entry.fileName().toUtf8());
        hash.addData(QByteArray(1, '\0'));
        hash.addData(
            QByteArray(QByteArray::number(entry.size()) + " " + QByteArray::number(mtimeMs(entry)) + "\n"));
    }
    return hash.result().toHex();
}

} // namespace

QCborMap inputIdentity(const QString &path)
{
    if (path.isEmpty())
        return {};
    if (path.startsWith(u':')) // a bundled sample: part of the program
        return QCborMap{{u"path"_s, path}};
    const QFileInfo info(path);
    QCborMap identity{{u"path"_s, info.absoluteFilePath()}};
    if (info.isDir()) {
        identity.insert(u"listing_sha256"_s, QString::fromLatin1(hashOfListing(path)));
        return identity;
    }
    identity.insert(u"size"_s, info.size());
    identity.insert(u"mtime_ms"_s, mtimeMs(info));
    identity.insert(u"ends_sha256"_s, QString::fromLatin1(hashOfEnds(path, info.size())));
    return identity;
}

QString identityChange(const QCborMap &was, const QCborMap &now)
{
    if (was.value(u"path"_s) != now.value(u"path"_s))
        return u"the input was %1, now it is %2"_s.arg(was.value(u"path"_s).toString(),
                                                       now.value(u"path"_s).toString());
    if (was.value(u"size"_s) != now.value(u"size"_s))
        return u"its size changed from %1 to %2 bytes"_s.arg(was.value(u"size"_s).toInteger())
            .arg(now.value(u"size"_s).toInteger());
    if (was.value(u"mtime_ms"_s) != now.value(u"mtime_ms"_s))
        return u"it was modified at %1 (the run started from the version of %2)"_s.arg(
            QDateTime::fromMSecsSinceEpoch(now.value(u"mtime_ms"_s).toInteger()).toString(Qt::ISODateWithMs),
            QDateTime::fromMSecsSinceEpoch(was.value(u"mtime_ms"_s).toInteger()).toString(Qt::ISODateWithMs));
    if (was.value(u"ends_sha256"_s) != now.value(u"ends_sha256"_s))
        return u"its content changed (the hash of its first and last MiB differs)"_s;
    if (was.value(u"listing_sha256"_s) != now.value(u"listing_sha256"_s))
        return u"the folder's files changed (names, sizes or modification times)"_s;
    return {};
}

} // namespace brigade
