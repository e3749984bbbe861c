// Factories of the built-in jobs, one per file; only the registry calls them.
#pragma once

#include "core/jobs/job.h"

namespace brigade::jobs {

std::unique_ptr<Job> makePrimes();
std::unique_ptr<Job> makeScale();
std::unique_ptr<Job> makeStats();
std::unique_ptr<Job> makeRisky();
std::unique_ptr<Job> makeHistogram();
std::unique_ptr<Job> makeCorrelation();
std::unique_ptr<Job> makeAffine();
std::unique_ptr<Job> makeBatchSum();
std::unique_ptr<Job> makeCsvTransform();
std::unique_ptr<Job> makeImagePipeline();

} // namespace brigade::jobs
