// The job catalogue: built-in jobs and the ones registered at run time, one list, looked up by name.
#include "core/jobs/registry.h"

#include "core/jobs/builtin.h"

#include <QMutex>

#include <vector>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

struct Catalogue {
    QMutex mutex;
    std::vector<std::unique_ptr<Job>> jobs; // never shrinks: the pointers handed out stay valid
};

Result<void> add(Catalogue &catalogue, std::unique_ptr<Job> job)
{
    if (!job)
        return usageFailure(u"registerJob: no job"_s);
    for (const auto &known : catalogue.jobs)
        if (known->name() == job->name())
            return usageFailure(u"registerJob: a job named \"%1\" is already registered"_s.arg(job->name()));
    catalogue.jobs.push_back(std::move(job));
    return {};
}

// The catalogue, with the built-ins registered on first use (through the same add() as any other job).
Catalogue &catalogue()
{
    static Catalogue *c = [] {
        auto *fresh = new Catalogue; // never destroyed: jobs may be looked up during static destruction
#define BRIGADE_REGISTER_BUILTIN(factory) (void)add(*fresh, jobs::factory());
        BRIGADE_BUILTIN_JOBS(BRIGADE_REGISTER_BUILTIN)
#undef BRIGADE_REGISTER_BUILTIN
        return fresh;
    }();
    return *c;
}

} // namespace

Result<void> registerJob(std::unique_ptr<Job> job)
{
    Catalogue &c = catalogue();
    const QMutexLocker lock(&c.mutex);
    return add(c, std::move(job));
}

QList<const Job *> allJobs()
{
    Catalogue &c = catalogue();
    const QMutexLocker lock(&c.mutex);
    QList<const Job *> list;
    for (const auto &job : c.jobs)
        list.append(job.get());
    return list;
}

QString jobCatalogueSource()
{
    return QStringLiteral("builtin");
}

const Job *findJob(const QString &name)
{
    Catalogue &c = catalogue();
    const QMutexLocker lock(&c.mutex);
    for (const auto &job : c.jobs)
        if (job->name() == name)
            return job.get();
    return nullptr;
}

} // namespace brigade
