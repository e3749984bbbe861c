// The one registry of built-in jobs; the CLI, the GUI and the worker all look jobs up here.
#pragma once

#include "core/jobs/job.h"

namespace brigade {

QList<const Job *> allJobs();
const Job *findJob(const QString &name);
// Where the jobs come from ("builtin"): the parent names it in Attach, and a worker refuses a run from a
// catalogue it does not have.
QString jobCatalogueSource();

} // namespace brigade
