// The command line's output helpers and its one way of parsing options.
#include "clioutput.h"

#include "core/base/result.h"

#include <cstdio>

#include <unistd.h>

using namespace Qt::StringLiterals;

namespace brigade {

QString terminalSafe(const QString &text)
{
    QString safe;
    safe.reserve(text.size());
    for (const QChar ch : text) {
        const char16_t c = ch.unicode();
        const bool control = (c < 0x20 && c != u'\n' && c != u'\t') || (c >= 0x7f && c <= 0x9f);
        if (control)
            safe += u"\\x%1"_s.arg(int(c), 2, 16, QChar(u'0'));
        else
            safe += ch;
    }
    return safe;
}

namespace {

// On a terminal, text from files (names, cells, messages quoting them) cannot move the cursor, change
// colours or retitle the window: its control characters are shown escaped. Into a pipe or a file the
// bytes go as they are.
void write(std::FILE *stream, const QString &text)
{
    const QString shown = ::isatty(::fileno(stream)) ? terminalSafe(text) : text;
    std::fputs(shown.toLocal8Bit().constData(), stream);
}

} // namespace

void out(const QString &text)
{
    write(stdout, text);
}

void err(const QString &text)
{
    write(stderr, text);
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
