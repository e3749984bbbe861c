// The wire protocol: round trips, and strict rejection of every kind of malformed frame.
#include "core/protocol/framing.h"

#include <QCborArray>
#include <QRandomGenerator>
#include <QTest>
#include <QtEndian>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

QByteArray rawFrame(const QByteArray &payload)
{
    QByteArray frame(4, Qt::Uninitialized);
    qToLittleEndian<quint32>(quint32(payload.size()), frame.data());
    return frame + payload;
}

QByteArray cborFrame(const QCborMap &map)
{
    return rawFrame(QCborValue(map).toCbor());
}

} // namespace

class TestProtocol final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip()
    {
        // A batch of two tasks: id, begin, end, attempt each.
        const QCborMap body{{field::Run, 7}, {field::Tasks, QCborArray{3, 100, 200, 1, 4, 200, 300, 2}}};
        FrameReader reader;
        reader.append(encodeFrame(MessageType::Task, body));
        auto next = reader.next();
        QVERIFY(next.has_value());
        QVERIFY(next->ok());
        QCOMPARE(next->value().type, MessageType::Task);
        QCOMPARE(next->value().body, body);
        QVERIFY(!reader.next().has_value());
        QVERIFY(!reader.finish().has_value());
    }

    void byteByByte()
    {
        // Frames split at every possible point still decode, in order.
        QByteArray stream;
        for (int i = 0; i < 20; ++i)
            stream += encodeFrame(MessageType::Progress, {{field::Id, i}, {field::Done, i * 10}});
        FrameReader reader;
        int seen = 0;
        for (char byte : stream) {
            reader.append(QByteArrayView(&byte, 1));
            while (auto next = reader.next()) {
                QVERIFY(next->ok());
                QCOMPARE(next->value().body.value(field::Id).toInteger(), seen);
                ++seen;
            }
        }
        QCOMPARE(seen, 20);
        QVERIFY(!reader.finish());
    }

    void malformed_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        QTest::newRow("oversize")
            << rawFrame(QByteArray(100, 'x')).replace(0, 4, QByteArray("\xff\xff\xff\x7f", 4))
            << u"exceeds"_s;
        QTest::newRow("empty frame") << rawFrame({}) << u"empty"_s;
        QTest::newRow("not cbor") << rawFrame("\xff\xfe\x00garbage") << u"CBOR"_s;
        QTest::newRow("not a map") << rawFrame(QCborValue(42).toCbor()) << u"not a CBOR map"_s;
        QTest::newRow("no type") << cborFrame({{field::Id, 1}}) << u"type"_s;
        QTest::newRow("unknown type") << cborFrame({{field::Type, 99}}) << u"type"_s;
        QTest::newRow("type not integer") << cborFrame({{field::Type, u"Task"_s}}) << u"type"_s;
        QTest::newRow("task lacks tasks")
            << cborFrame({{field::Type, int(MessageType::Task)}, {field::Run, 1}})
            << u"lacks field \"tasks\""_s;
        QTest::newRow("empty task batch")
            << cborFrame(
                   {{field::Type, int(MessageType::Task)}, {field::Run, 1}, {field::Tasks, QCborArray{}}})
            << u"wrong type"_s;
        QTest::newRow("task lacks end") << cborFrame({{field::Type, int(MessageType::Task)},
                                                      {field::Run, 1},
                                                      {field::Tasks, QCborArray{1, 0, 10, 1, 2, 10, 1}}})
                                        << u"wrong type"_s;
        QTest::newRow("task begin not integer") << cborFrame({{field::Type, int(MessageType::Task)},
                                                              {field::Run, 1},
                                                              {field::Tasks, QCborArray{1, u"0"_s, 10, 1}}})
                                                << u"wrong type"_s;
        QTest::newRow("result lacks results")
            << cborFrame({{field::Type, int(MessageType::Result)}, {field::Id, 1}})
            << u"lacks field \"results\""_s;
        QTest::newRow("result lacks ns")
            << cborFrame({{field::Type, int(MessageType::Result)}, {field::Results, QCborArray{1, 5}}})
            << u"wrong type"_s;
        QTest::newRow("result id not integer") << cborFrame({{field::Type, int(MessageType::Result)},
                                                             {field::Results, QCborArray{u"1"_s, 5, 100}}})
                                               << u"wrong type"_s;
        QTest::newRow("wrong field type")
            << cborFrame({{field::Type, int(MessageType::Progress)}, {field::Id, u"one"_s}, {field::Done, 1}})
            << u"wrong type"_s;
    }

    void malformed()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        FrameReader reader(1024 * 1024);
        reader.append(bytes);
        auto next = reader.next();
        QVERIFY(next.has_value());
        QVERIFY(!next->ok());
        QCOMPARE(next->failure().code, FailureCode::Protocol);
        QVERIFY2(next->failure().message.contains(reason), qPrintable(next->failure().message));
        // Once failed, the stream stays failed: a good frame after junk is not trusted.
        reader.append(encodeFrame(MessageType::Shutdown));
        auto again = reader.next();
        QVERIFY(again.has_value() && !again->ok());
    }

    void truncatedAtEnd()
    {
        const QByteArray frame = encodeFrame(MessageType::Log, {{field::Text, u"hello"_s}});
        FrameReader reader;
        reader.append(frame.left(frame.size() - 3));
        QVERIFY(!reader.next().has_value()); // incomplete: wait for more
        const auto failure = reader.finish();
        QVERIFY(failure.has_value());
        QVERIFY(failure->message.contains(u"ended inside a frame"_s));
    }

    void randomBytesNeverCrash() // passes by not crashing, hanging or tripping a sanitizer
    {
        // A poor man's fuzz run in the unit suite: arbitrary input yields messages or failures, nothing else.
        QRandomGenerator rng(12345);
        for (int round = 0; round < 3000; ++round) {
            QByteArray junk(int(rng.bounded(64)), Qt::Uninitialized);
            for (char &c : junk)
                c = char(rng.bounded(256));
            if (round % 3 == 0 && junk.size() >= 4)
                qToLittleEndian<quint32>(quint32(junk.size() - 4), junk.data());
            FrameReader reader(4096);
            reader.append(junk);
            for (int i = 0; i < 8; ++i) {
                auto next = reader.next();
                if (!next || !next->ok())
                    break;
            }
            (void)reader.finish();
        }
    }
};

QTEST_APPLESS_MAIN(TestProtocol)
#include "tst_protocol.moc"
