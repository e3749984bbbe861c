// FileKind: the type of a path that is not a regular file, from stat(2).
#include "core/base/filekind.h"

#include <QFile>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace brigade {

std::optional<QString> nonFileKind(const QString &path)
{
    struct stat st {
    };
    if (path.isEmpty() || ::stat(QFile::encodeName(path).constData(), &st) != 0 || S_ISREG(st.st_mode))
        return std::nullopt;
    if (S_ISDIR(st.st_mode))
        return u"a folder"_s;
    if (S_ISFIFO(st.st_mode))
        return u"a FIFO (named pipe)"_s;
    if (S_ISSOCK(st.st_mode))
        return u"a socket"_s;
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
        return u"a device"_s;
    return u"not a regular file"_s;
}

} // namespace brigade
