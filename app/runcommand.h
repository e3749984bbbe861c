// `brigade run JOB ...`: options generated from the job's ParamSpecs and the run-setting specs.
#pragma once

#include <QString>
#include <QStringList>

namespace brigade {

class Job;

// Runs a job from its command-line arguments (the job's name first); returns the exit code.
int runCommand(const QStringList &args);

// The help of `brigade run`'s own flags and the run settings, generated from their specs.
QString runCommandHelp();

// A job's line in `brigade jobs`: its summary, the input it takes and its parameters.
QString jobSignature(const Job &job);

} // namespace brigade
