// The job catalogue: the CLI, the GUI and the worker all look jobs up here. Jobs join it at run time through
// registerJob(); the built-ins join the same way on first use, so the parent and its workers, running the
// same program, see the same jobs.
#pragma once

#include "core/jobs/job.h"

#include <memory>

namespace brigade {

// Adds `job` to the catalogue, after the ones already there. Fails (Usage) when a job of that name is
// already there: a name means one job.
Result<void> registerJob(std::unique_ptr<Job> job);

QList<const Job *> allJobs();
const Job *findJob(const QString &name);
// Where the jobs come from ("builtin"): the parent names it in Attach, and a worker refuses a run from a
// catalogue it does not have.
QString jobCatalogueSource();

} // namespace brigade
