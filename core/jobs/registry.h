// The one registry of built-in jobs; the CLI, the GUI and the worker all look jobs up here.
#pragma once

#include "core/jobs/job.h"

namespace brigade {

QList<const Job *> allJobs();
const Job *findJob(const QString &name);

} // namespace brigade
