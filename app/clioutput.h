// What the command line's commands share: writing to stdout and stderr, usage errors, option parsing.
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <optional>

namespace brigade {

// On a terminal, control characters (but newline and tab) are printed escaped, as "\x1b".
void out(const QString &text);
void err(const QString &text);
// The text with its control characters (C0 but newline and tab, DEL, C1) written as "\xHH".
QString terminalSafe(const QString &text);
// Prints "brigade: MESSAGE" and the pointer to --help on stderr; returns the usage exit code.
int usageError(const QString &message);

// Parses a command's arguments (without the command itself) as long options only ("-x" is "--x").
// An unknown flag is reported as "--FLAG: unknown flag for WHAT"; returns the exit code on failure.
std::optional<int> parseOptions(QCommandLineParser &parser, const QStringList &args, const QString &what);

} // namespace brigade
