// The built-in jobs: one line each in BRIGADE_BUILTIN_JOBS (its factory, defined in the job's own file), in
// catalogue order. The registry registers them through registerJob()'s path; nothing else calls them.
#pragma once

#include "core/jobs/job.h"

#define BRIGADE_BUILTIN_JOBS(JOB)                                                                            \
    JOB(makePrimes)                                                                                          \
    JOB(makeScale)                                                                                           \
    JOB(makeStats)                                                                                           \
    JOB(makeHistogram)                                                                                       \
    JOB(makeCorrelation)                                                                                     \
    JOB(makeAffine)                                                                                          \
    JOB(makeBatchSum)                                                                                        \
    JOB(makeCsvTransform)                                                                                    \
    JOB(makeImagePipeline)                                                                                   \
    JOB(makeZScore)                                                                                          \
    JOB(makeRisky)

namespace brigade::jobs {

#define BRIGADE_DECLARE_BUILTIN(factory) std::unique_ptr<Job> factory();
BRIGADE_BUILTIN_JOBS(BRIGADE_DECLARE_BUILTIN)
#undef BRIGADE_DECLARE_BUILTIN

} // namespace brigade::jobs
