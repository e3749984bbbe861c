// Factories of the built-in jobs, one per file; only the registry calls them.
#pragma once

#include "core/jobs/job.h"

namespace brigade::jobs {

std::unique_ptr<Job> makePrimes();
std::unique_ptr<Job> makeScale();
std::unique_ptr<Job> makeStats();
std::unique_ptr<Job> makeRisky();

} // namespace brigade::jobs
