#include "core/jobs/registry.h"

#include "core/jobs/builtin.h"

#include <vector>

namespace brigade {

namespace {

const std::vector<std::unique_ptr<Job>> &catalogue()
{
    static const std::vector<std::unique_ptr<Job>> jobs = [] {
        std::vector<std::unique_ptr<Job>> v;
        v.push_back(jobs::makePrimes());
        v.push_back(jobs::makeScale());
        v.push_back(jobs::makeStats());
        v.push_back(jobs::makeHistogram());
        v.push_back(jobs::makeCorrelation());
        v.push_back(jobs::makeAffine());
        v.push_back(jobs::makeBatchSum());
        v.push_back(jobs::makeCsvTransform());
        v.push_back(jobs::makeImagePipeline());
        v.push_back(jobs::makeRisky());
        return v;
    }();
    return jobs;
}

} // namespace

QList<const Job *> allJobs()
{
    QList<const Job *> list;
    for (const auto &job : catalogue())
        list.append(job.get());
    return list;
}

QString jobCatalogueSource()
{
    return QStringLiteral("builtin");
}

const Job *findJob(const QString &name)
{
    for (const auto &job : catalogue())
        if (job->name() == name)
            return job.get();
    return nullptr;
}

} // namespace brigade
