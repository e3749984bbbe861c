// Uses libbrigade_core through its installed headers: the job registry (a job of its own registered at run
// time, beside the built-in ones), a shared array viewed through Eigen, the shared reducers.
#include "core/base/coreversion.h"
#include "core/data/sharedarray.h"
#include "core/jobs/job.h"
#include "core/jobs/reducers.h"
#include "core/jobs/registry.h"

#include <cstdio>
#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace {

class Twice final : public brigade::Job
{
public:
    QString name() const override { return u"sdk-twice"_s; }
    QString summary() const override { return u"Twice every item (built outside Brigade)"_s; }
    QList<brigade::ParamSpec> params() const override { return {}; }
    brigade::InputUse input() const override { return brigade::InputUse::None; }
    brigade::ResultKind resultKind() const override { return brigade::ResultKind::Scalars; }
    brigade::Result<qint64> plan(const brigade::RunContext &) const override { return 10; }
    QCborValue run(const brigade::TaskContext &, qint64 begin, qint64 end) const override
    {
        return 2 * (end - begin);
    }
    std::unique_ptr<brigade::Reducer> makeReducer(const brigade::RunContext &) const override { return {}; }
};

int fail(const char *what)
{
    std::fprintf(stderr, "consumer: %s\n", what);
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (argc > 1 && std::strcmp(brigade::coreVersion(), argv[1]) != 0)
        return fail("libbrigade_core is not the release that was installed");
    if (!brigade::findJob(u"stats"_s))
        return fail("the built-in jobs are missing from the registry");
    if (!brigade::registerJob(std::make_unique<Twice>()))
        return fail("registerJob refused a new job");
    if (brigade::registerJob(std::make_unique<Twice>()))
        return fail("registerJob took the same name twice");
    if (!brigade::findJob(u"sdk-twice"_s))
        return fail("the registered job is not found");

    auto array = brigade::SharedArray::create(brigade::Dtype::Float64, 4, 1, {u"x"_s});
    if (!array)
        return fail(qPrintable(array.failure().describe()));
    auto m = array->matrix<double>();
    m << 1.0, 2.0, 3.0, 4.0;
    const auto moments = brigade::reducers::momentsOf(array->data<double>(), 4);
    if (moments.count != 4 || moments.mean != 2.5)
        return fail("the moments of 1, 2, 3, 4 are wrong");
    std::printf("consumer: libbrigade_core %s, %lld jobs, mean %.1f\n", brigade::coreVersion(),
                static_cast<long long>(brigade::allJobs().size()), moments.mean);
    return 0;
}
