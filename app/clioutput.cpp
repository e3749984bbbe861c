// The command line's output helpers and its one way of parsing options.
#include "clioutput.h"

#include "core/base/result.h"

#include <cstdio>

using namespace Qt::StringLiterals;

namespace brigade {

void out(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
}

void err(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stderr);
}

int usageError(const QString &message)
{
    err(u"brigade: "_s + message + u"\n(see `brigade --help`)\n"_s);
    return exitcode::Usage;
}

std::optional<int> parseOptions(QCommandLineParser &parser, const QStringList &args, const QString &what)
{
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (parser.parse(QStringList{u"brigade"_s} + args))
        return std::nullopt;
    if (const QStringList unknown = parser.unknownOptionNames(); !unknown.isEmpty())
        return usageError(u"--"_s + unknown.first() + u": unknown flag for "_s + what);
    return usageError(parser.errorText());
}

} // namespace brigade
