// OutputGuard: an output may never destroy an input. Refuses, before a run starts, an output file that is
// the input itself (the same file by device and inode: through a symlink, a hard link, `.` or `..`) or lies
// inside an input folder; and an output file that is not a file.
#pragma once

#include "core/base/result.h"

#include <QString>

namespace brigade {

// `flag` names the option in the message ("--output").
Result<void> checkOutputSparesInput(const QString &flag, const QString &output, const QString &input);
// An output file that exists (symlinks followed) must be a regular file: a device, FIFO, socket or folder
// is refused (an atomic save would put a file in its place).
Result<void> checkOutputIsAFile(const QString &flag, const QString &output);

} // namespace brigade
