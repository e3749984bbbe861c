// SharedArray: layout, Eigen views, owner-only keys, removal by the owner, and reclaim of a dead owner's
// leftovers.
#include "core/data/segmentregistry.h"
#include "core/data/sharedarray.h"

#include <QFile>
#include <QProcess>
#include <QSharedMemory>
#include <QTest>

#include <sys/shm.h>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

int segmentId(const QString &key)
{
    return SegmentRegistry::segmentId(key);
}

} // namespace

class TestSharedArray final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createAndView()
    {
        auto array = SharedArray::create(Dtype::Float64, 4, 3, {u"a"_s, u"b"_s, u"c"_s});
        QVERIFY2(array.ok(), array.ok() ? "" : qPrintable(array.failure().message));
        QCOMPARE(array->rows(), 4);
        QCOMPARE(array->cols(), 3);
        QCOMPARE(array->columnNames(), (QStringList{u"a"_s, u"b"_s, u"c"_s}));
        QCOMPARE(reinterpret_cast<quintptr>(array->data<double>()) % 64, quintptr(0));
        auto m = array->matrix<double>();
        QVERIFY(m.isZero()); // a new segment starts zeroed
        m.col(1).setLinSpaced(4, 1.0, 4.0);
        // Column-major: a column is contiguous.
        QCOMPARE(array->data<double>()[4 + 2], 3.0);
    }

    void attachSeesTheSameMemory()
    {
        auto owner = SharedArray::create(Dtype::Float64, 100, 2);
        QVERIFY(owner.ok());
        owner->matrix<double>().setConstant(1.5);
        auto reader = SharedArray::attach(owner->key(), SharedArray::Access::ReadWrite);
        QVERIFY2(reader.ok(), reader.ok() ? "" : qPrintable(reader.failure().message));
        QVERIFY(!reader->isOwner());
        QCOMPARE(reader->matrix<double>().sum(), 300.0);
        reader->matrix<double>() *= 2.0; // in place, seen by the owner
        QCOMPARE(owner->matrix<double>().sum(), 600.0);
    }

    void keysAreOwnerOnly()
    {
        auto array = SharedArray::create(Dtype::Float64, 10, 1);
        QVERIFY(array.ok());
        const int id = segmentId(array->key());
        QVERIFY(id >= 0);
        struct shmid_ds ds {
        };
        QCOMPARE(::shmctl(id, IPC_STAT, &ds), 0);
        QCOMPARE(ds.shm_perm.mode & 0777, 0600);
        QCOMPARE(SegmentRegistry::ownerPidOf(array->key()), qint64(QCoreApplication::applicationPid()));
    }

    void ownerRemovesSegment()
    {
        QString key;
        {
            auto array = SharedArray::create(Dtype::Float64, 1000, 1);
            QVERIFY(array.ok());
            key = array->key();
            QVERIFY(segmentId(key) >= 0);
        }
        QVERIFY(!QFile::exists(key));
        QCOMPARE(segmentId(key), -1);
    }

    void ownerRemovesSegmentWhileAttached()
    {
        // A worker still attached when the owner goes: the segment is marked and vanishes with the worker.
        QString key;
        std::optional<SharedArray> reader;
        {
            auto array = SharedArray::create(Dtype::Float64, 10, 1);
            QVERIFY(array.ok());
            key = array->key();
            auto attached = SharedArray::attach(key, SharedArray::Access::ReadOnly);
            QVERIFY(attached.ok());
            reader.emplace(std::move(attached).value());
        }
        QVERIFY(!QFile::exists(key));
        QCOMPARE(reader->rows(), 10); // still readable
        reader.reset();
        QCOMPARE(segmentId(key), -1);
    }

    void attachRejectsForeignSegment()
    {
        const QString key = *SegmentRegistry::newKey();
        QSharedMemory raw;
        raw.setNativeKey(key);
        QVERIFY(raw.create(256));
        std::memset(raw.data(), 0xAB, 256);
        auto attached = SharedArray::attach(key, SharedArray::Access::ReadOnly);
        QVERIFY(!attached.ok());
        QVERIFY2(attached.failure().message.contains(u"malformed"_s), qPrintable(attached.failure().message));
        raw.detach();
    }

    void attachMissingKeyFails()
    {
        auto attached = SharedArray::attach(SegmentRegistry::directory() + u"/1-nothing.seg"_s,
                                            SharedArray::Access::ReadOnly);
        QVERIFY(!attached.ok());
    }

    void reclaimLeftoverOfDeadOwner()
    {
        QProcess helper;
        helper.start(QStringLiteral(BRIGADE_HELPER_LEAVE_SEGMENT), {});
        QVERIFY(helper.waitForFinished(10000));
        QCOMPARE(helper.exitStatus(), QProcess::CrashExit); // SIGKILL: no cleanup ran
        const QString key = QString::fromLocal8Bit(helper.readAllStandardOutput()).trimmed();
        QVERIFY2(!key.isEmpty(), helper.readAllStandardError().constData());
        QVERIFY(QFile::exists(key));
        QVERIFY(segmentId(key) >= 0); // the leftover Qt 6.4 does not remove

        // A live owner's segment is never touched.
        auto live = SharedArray::create(Dtype::Float64, 10, 1);
        QVERIFY(live.ok());

        const auto found = SegmentRegistry::leftovers();
        QVERIFY(std::any_of(found.begin(), found.end(),
                            [&](const auto &l) { return l.key == key && l.bytes > 16000; }));
        const auto removed = SegmentRegistry::reclaimLeftovers();
        QVERIFY(std::any_of(removed.begin(), removed.end(), [&](const auto &l) { return l.key == key; }));
        QVERIFY(!QFile::exists(key));
        QCOMPARE(segmentId(key), -1);
        QVERIFY(QFile::exists(live->key()));
        QVERIFY(segmentId(live->key()) >= 0);
    }
};

QTEST_APPLESS_MAIN(TestSharedArray)
#include "tst_sharedarray.moc"
