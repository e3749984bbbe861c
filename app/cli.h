// The headless command line: `brigade run|jobs|cleanup|--version`, the same engine as the window.
#pragma once

#include <QStringList>

namespace brigade {

// True when the arguments (without the program name) name a command-line action rather than files to open.
bool isCliInvocation(const QStringList &args);

// Runs a command-line action in a QCoreApplication that already exists; returns the process exit code.
int runCli(const QStringList &args);

// The job run on the bundled sample when there is no display.
QStringList defaultHeadlessJob();

} // namespace brigade
