// FileKind: what a path is when it is not a regular file, for the checks that read only files and never
// save over anything else (a save renames a new file into place: over a device it would replace the node).
#pragma once

#include <QString>

#include <optional>

namespace brigade {

// "a FIFO (named pipe)", "a device", "a socket", "a folder" for a path that exists (symlinks followed) and
// is not a regular file; nothing for a regular file or a path that does not exist.
std::optional<QString> nonFileKind(const QString &path);

} // namespace brigade
