// The worker loop in process, over a frame transport of the test's own (no process, no stdin/stdout):
// the handshake, a run's tasks and their batched results, and an Attach naming a job catalogue the worker
// does not have, refused as an attach error.
#include "core/jobs/registry.h"
#include "core/protocol/framing.h"
#include "core/worker/workerloop.h"

#include <QCborArray>
#include <QTest>

#include <condition_variable>
#include <cstring>
#include <mutex>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

// Serves scripted frames, then blocks for ever (the worker's reader thread is detached and would read on);
// keeps what the worker writes.
class ScriptedTransport final : public FrameTransport
{
public:
    explicit ScriptedTransport(QByteArray input)
        : m_input(std::move(input))
    {}

    qsizetype read(char *buffer, qsizetype size) override
    {
        std::unique_lock lock(m_mutex);
        if (m_offset >= m_input.size()) {
            m_never.wait(lock, [] { return false; });
            return 0;
        }
        const qsizetype n = std::min(size, m_input.size() - m_offset);
        std::memcpy(buffer, m_input.constData() + m_offset, size_t(n));
        m_offset += n;
        return n;
    }
    bool write(QByteArrayView bytes) override
    {
        std::lock_guard lock(m_mutex);
        m_output.append(bytes);
        return true;
    }
    QList<Message> messages()
    {
        std::lock_guard lock(m_mutex);
        FrameReader reader;
        reader.append(m_output);
        QList<Message> all;
        while (auto next = reader.next())
            all.append(std::move(*next).value());
        return all;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_never;
    QByteArray m_input;
    qsizetype m_offset = 0;
    QByteArray m_output;
};

QByteArray attach(const QString &catalogue, const QString &job, const QCborMap &params)
{
    return encodeFrame(MessageType::Attach, {{field::Run, 7},
                                             {field::Job, job},
                                             {field::Params, params},
                                             {field::Dataset, QCborMap{}},
                                             {field::Output, false},
                                             {field::Catalogue, catalogue}});
}

// Runs the worker loop over the script; the transport is left alive (its reader thread may still wait).
QList<Message> runScript(const QByteArray &script, int *exitCode)
{
    static QList<ScriptedTransport *> alive; // outlive the detached reader threads that wait on them
    auto *transport = new ScriptedTransport(script);
    alive.append(transport);
    *exitCode = runWorker(*transport);
    return transport->messages();
}

} // namespace

class TestWorkerLoop final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void runsTasksOverATransport()
    {
        const QByteArray script =
            encodeFrame(MessageType::Hello, {{field::Version, ProtocolVersion}}) +
            attach(jobCatalogueSource(), u"batch-sum"_s, {{u"start"_s, 0}, {u"end"_s, 100}}) +
            encodeFrame(MessageType::Task,
                        {{field::Run, 7}, {field::Tasks, QCborArray{0, 0, 60, 1, 1, 60, 100, 1}}}) +
            encodeFrame(MessageType::Shutdown);
        int code = -1;
        const QList<Message> out = runScript(script, &code);
        QCOMPARE(code, 0);
        QVERIFY(!out.isEmpty());
        QCOMPARE(out.first().type, MessageType::Ready);
        QCOMPARE(out.first().body.value(field::Version).toInteger(), ProtocolVersion);
        qint64 sum = 0;
        QList<qint64> ids;
        for (const Message &m : out) {
            QVERIFY2(m.type != MessageType::Error, qPrintable(m.body.value(field::Message).toString()));
            if (m.type != MessageType::Result)
                continue;
            const QCborArray results = m.body.value(field::Results).toArray();
            for (qsizetype r = 0; r + ResultEntries <= results.size(); r += ResultEntries) {
                ids.append(results.at(r).toInteger());
                sum += results.at(r + 1).toInteger();
            }
        }
        QCOMPARE(ids, (QList<qint64>{0, 1}));
        QCOMPARE(sum, 99 * 100 / 2);
    }

    void refusesACatalogueItDoesNotHave()
    {
        const QByteArray script =
            encodeFrame(MessageType::Hello, {{field::Version, ProtocolVersion}}) +
            attach(u"plugins:/opt/jobs"_s, u"batch-sum"_s, {{u"start"_s, 0}, {u"end"_s, 10}}) +
            encodeFrame(MessageType::Task, {{field::Run, 7}, {field::Tasks, QCborArray{0, 0, 10, 1}}}) +
            encodeFrame(MessageType::Shutdown);
        int code = -1;
        const QList<Message> out = runScript(script, &code);
        QCOMPARE(code, 0);
        QList<Message> errors;
        for (const Message &m : out) {
            QVERIFY(m.type != MessageType::Result); // nothing ran
            if (m.type == MessageType::Error)
                errors.append(m);
        }
        QVERIFY(!errors.isEmpty());
        const Message &refusal = errors.first();
        QCOMPARE(refusal.body.value(field::Id).toInteger(), -1); // the run, not a task
        QCOMPARE(refusal.body.value(field::Kind).toString(), u"attach"_s);
        QCOMPARE(refusal.body.value(field::Stage).toString(), u"attach"_s);
        const QString message = refusal.body.value(field::Message).toString();
        QVERIFY2(message.contains(u"plugins:/opt/jobs"_s) && message.contains(u"builtin"_s),
                 qPrintable(message));
    }

    // The rules table holds Attach's fields, in its dataset map too.
    void attachFieldsAreValidated()
    {
        Message m{MessageType::Attach,
                  {{field::Run, 1},
                   {field::Job, u"stats"_s},
                   {field::Params, QCborMap{}},
                   {field::Dataset, QCborMap{{field::Key, u"/x.seg"_s}, {field::Writable, false}}},
                   {field::Output, false},
                   {field::Catalogue, u"builtin"_s}}};
        QVERIFY(!validateMessage(m));
        Message noCatalogue = m;
        noCatalogue.body.remove(field::Catalogue);
        QVERIFY(validateMessage(noCatalogue));
        QVERIFY(validateMessage(noCatalogue)->message.contains(u"lacks field \"catalogue\""_s));
        Message badWritable = m;
        badWritable.body.insert(field::Dataset, QCborMap{{field::Key, u"/x.seg"_s}, {field::Writable, 1}});
        QVERIFY(validateMessage(badWritable));
        Message badOutput = m;
        badOutput.body.insert(field::Output, u"yes"_s);
        QVERIFY(validateMessage(badOutput)->message.contains(u"\"output\" of the wrong type"_s));
        Message noDataset = m; // a job without input or output: an empty dataset map
        noDataset.body.insert(field::Dataset, QCborMap{});
        QVERIFY(!validateMessage(noDataset));
    }
};

QTEST_GUILESS_MAIN(TestWorkerLoop)
#include "tst_workerloop.moc"
