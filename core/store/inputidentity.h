// The identity of a run's input, as a journal records it: a resume over a changed input is refused, since
// the journalled results were computed from what the input was.
#pragma once

#include <QCborMap>
#include <QString>

namespace brigade {

// A file: its absolute path, size, modification time and a SHA-256 of its first and last MiB. A folder: its
// path and a SHA-256 over the names, sizes and modification times of its entries. An empty path (a
// generated table, or no input): an empty map.
QCborMap inputIdentity(const QString &path);

// Why `now` is not the input `was` ("its size changed from 1200 to 1300 bytes"), or an empty string when it
// is the same.
QString identityChange(const QCborMap &was, const QCborMap &now);

} // namespace brigade
