#include "core/engine/outputguard.h"

#include "core/base/filekind.h"

#include <QDir>
#include <QFileInfo>

#include <sys/stat.h>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

bool sameFile(const QString &a, const QString &b)
{
    struct stat sa {
    }, sb{};
    return ::stat(QFile::encodeName(a).constData(), &sa) == 0 &&
           ::stat(QFile::encodeName(b).constData(), &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

// The path the output will have once written: its own when it exists (symlinks followed), else its
// folder's real path with its name.
QString resolvedOutput(const QString &output)
{
    const QFileInfo info(output);
    if (info.exists())
        return info.canonicalFilePath();
    const QString folder = info.absoluteDir().canonicalPath();
    return folder.isEmpty() ? info.absoluteFilePath() : QDir(folder).filePath(info.fileName());
}

} // namespace

Result<void> checkOutputIsAFile(const QString &flag, const QString &output)
{
    if (output.isEmpty())
        return {};
    if (auto kind = nonFileKind(output))
        return usageFailure(
            u"%1: %2 is %3, not a file; give the path of a file to write"_s.arg(flag, output, *kind));
    return {};
}

Result<void> checkOutputSparesInput(const QString &flag, const QString &output, const QString &input)
{
    if (output.isEmpty() || input.isEmpty())
        return {};
    const QFileInfo in(input);
    if (!in.exists())
        return {};
    const QString target = resolvedOutput(output);
    if (in.isDir()) {
        const QString folder = in.canonicalFilePath();
        if (target == folder || target.startsWith(folder + u'/'))
            return usageFailure(
                u"%1: %2 is inside the input folder %3; write it elsewhere"_s.arg(flag, output, input));
        return {};
    }
    if (sameFile(output, input) || target == in.canonicalFilePath())
        return usageFailure(
            u"%1: %2 is the input file %3 itself; write it elsewhere"_s.arg(flag, output, input));
    return {};
}

} // namespace brigade
