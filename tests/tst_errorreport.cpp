// Error reports: the given-up ranges a retry runs again, derived from a run's reports.
#include "core/run/errorreport.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

ErrorReport report(qint64 task, qint64 begin, qint64 end, bool final)
{
    ErrorReport r;
    r.kind = u"exception"_s;
    r.taskId = task;
    r.begin = begin;
    r.end = end;
    r.final = final;
    return r;
}

} // namespace

class TestErrorReport final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void givenUpRangesAreTheFinalReportsRanges()
    {
        const QList<ErrorReport> reports{
            report(3, 300, 400, true), report(1, 100, 200, false), // retried: not given up
            report(0, 0, 100, true),   report(3, 300, 400, true),  // the same task reported twice
            report(-1, -1, -1, true),                              // a worker failure outside of any task
            report(5, -1, -1, true),                               // a task whose range is not known
            report(6, 600, 600, true),                             // an empty range
        };
        const QList<std::pair<qint64, qint64>> expected{{0, 100}, {300, 400}};
        QCOMPARE(givenUpRanges(reports), expected);
        QVERIFY(givenUpRanges({}).isEmpty());
    }
};

QTEST_APPLESS_MAIN(TestErrorReport)
#include "tst_errorreport.moc"
