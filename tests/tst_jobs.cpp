// The analysis jobs end to end with real brigade-worker processes: every result against a direct
// single-process computation (Eigen here, numpy where numpy defines the answer) for several worker
// counts, chunk sizes and delivery orders.
#include "core/data/npy.h"
#include "core/engine/jobrun.h"
#include "core/jobs/registry.h"
#include "core/store/writers.h"

#include <QCborArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <Eigen/Core>
#include <cmath>
#include <limits>
#include <random>

using namespace Qt::StringLiterals;
using namespace brigade;

namespace {

constexpr int RunDeadlineMs = 120000;
constexpr int PythonDeadlineMs = 60000;
const double NaN = std::numeric_limits<double>::quiet_NaN();

// Runs the request to its end; false when it did not finish before the deadline.
bool runToEnd(const RunRequest &request, RunOutcome *outcome, int timeoutMs = RunDeadlineMs)
{
    JobRun run(request);
    QSignalSpy finished(&run, &JobRun::finished);
    run.start();
    if (!finished.wait(timeoutMs))
        return false; // the JobRun's destructor cancels the run and waits for its workers
    *outcome = run.outcome();
    return true;
}

// A CSV with a header; NaN becomes an empty cell; 17 significant digits, so every value reads back exactly.
bool writeCsv(const QString &path, const QStringList &names, const Eigen::MatrixXd &data)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(names.join(u',').toUtf8() + '\n');
    for (Eigen::Index r = 0; r < data.rows(); ++r) {
        QByteArray line;
        for (Eigen::Index c = 0; c < data.cols(); ++c) {
            if (c)
                line += ',';
            if (!std::isnan(data(r, c)))
                line += QByteArray::number(data(r, c), 'g', 17);
        }
        file.write(line + '\n');
    }
    return file.error() == QFile::NoError;
}

// numpy's answer: the script prints one JSON document. Empty when python3 or numpy is missing or slow.
QJsonDocument numpy(const QString &script, const QStringList &args)
{
    QProcess python;
    python.start(u"/usr/bin/python3"_s, QStringList{u"-c"_s, script} + args);
    if (!python.waitForFinished(PythonDeadlineMs)) {
        python.kill();
        python.waitForFinished(5000);
        return {};
    }
    if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        qWarning("python3: %s", python.readAllStandardError().constData());
        return {};
    }
    return QJsonDocument::fromJson(python.readAllStandardOutput());
}

const QString HistogramScript = uR"(
import json, sys
import numpy as np
x = np.genfromtxt(sys.argv[1], delimiter=',', skip_header=1, ndmin=2)
out = {}
for bins in map(int, sys.argv[2:]):
    columns = []
    for c in range(x.shape[1]):
        v = x[:, c]
        counts, edges = np.histogram(v[~np.isnan(v)], bins=bins)
        columns.append({'edges': edges.tolist(), 'counts': counts.tolist()})
    out[str(bins)] = columns
print(json.dumps(out))
)"_s;

const QString CorrelationScript = uR"(
import json, sys
import numpy as np
x = np.genfromtxt(sys.argv[1], delimiter=',', skip_header=1, ndmin=2)
x = x[~np.isnan(x).any(axis=1)]
print(json.dumps({'count': len(x), 'cov': np.cov(x, rowvar=False).tolist(),
                  'corr': np.corrcoef(x, rowvar=False).tolist()}))
)"_s;

// The seeds' is_prime, as the reference for the cached-divisor version.
bool seedIsPrime(qint64 n)
{
    if (n < 2)
        return false;
    if (n % 2 == 0)
        return n == 2;
    for (qint64 i = 3; i * i <= n; i += 2)
        if (n % i == 0)
            return false;
    return true;
}

QString runTag(int workers, bool ordered, qint64 chunk)
{
    return u"w%1 %2 chunk %3"_s.arg(workers).arg(ordered ? u"ordered"_s : u"unordered"_s,
                                                 chunk ? QString::number(chunk) : u"auto"_s);
}

} // namespace

class TestJobs final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        std::mt19937_64 rng(7);
        std::normal_distribution<double> normal(10.0, 3.0);
        std::uniform_int_distribution<int> small(0, 20);
        std::uniform_real_distribution<double> unit(0.0, 1.0);

        // Histogram table: values on the bin edges, a large offset, a constant and an all-missing column.
        const int rows = 10007;
        m_histNames = {u"normal"_s, u"ints"_s, u"offset"_s, u"constant"_s, u"empty"_s};
        m_hist.resize(rows, 5);
        for (int r = 0; r < rows; ++r) {
            m_hist(r, 0) = unit(rng) < 0.05 ? NaN : normal(rng);
            m_hist(r, 1) = unit(rng) < 0.02 ? NaN : double(small(rng));
            m_hist(r, 2) = 1e9 + normal(rng) * 1e3;
            m_hist(r, 3) = r % 11 == 0 ? NaN : 4.25;
            m_hist(r, 4) = NaN;
        }
        m_histPath = m_dir.filePath(u"hist.csv"_s);
        QVERIFY(writeCsv(m_histPath, m_histNames, m_hist));

        // Correlation table: correlated columns, one with a large offset, missing values in a few rows.
        m_corrNames = {u"x"_s, u"twice"_s, u"anti"_s, u"noise"_s};
        m_corr.resize(rows, 4);
        for (int r = 0; r < rows; ++r) {
            const double x = normal(rng);
            m_corr(r, 0) = x;
            m_corr(r, 1) = 2 * x + normal(rng) * 0.1;
            m_corr(r, 2) = 1e6 - x + normal(rng);
            m_corr(r, 3) = normal(rng);
            if (unit(rng) < 0.03)
                m_corr(r, std::uniform_int_distribution<int>(0, 3)(rng)) = NaN;
        }
        m_corrPath = m_dir.filePath(u"corr.csv"_s);
        QVERIFY(writeCsv(m_corrPath, m_corrNames, m_corr));
    }

    void histogram_data()
    {
        QTest::addColumn<qint64>("bins");
        QTest::addColumn<int>("workers");
        QTest::addColumn<bool>("ordered");
        QTest::addColumn<qint64>("chunk");
        for (qint64 bins : {1, 7, 20})
            for (int workers : {1, 3})
                for (bool ordered : {true, false})
                    for (qint64 chunk : {0, 613})
                        QTest::addRow("bins %lld %s", bins, qPrintable(runTag(workers, ordered, chunk)))
                            << bins << workers << ordered << chunk;
        QTest::addRow("bins 20 %s", qPrintable(runTag(2, false, 1))) << qint64(20) << 2 << false << qint64(1);
    }

    void histogram()
    {
        QFETCH(qint64, bins);
        QFETCH(int, workers);
        QFETCH(bool, ordered);
        QFETCH(qint64, chunk);
        const QJsonArray expected = numpyHistograms().value(QString::number(bins)).toArray();
        QCOMPARE(expected.size(), m_hist.cols());

        RunRequest request;
        request.job = u"histogram"_s;
        request.params = {{u"bins"_s, bins}};
        request.input.path = m_histPath;
        request.workers = workers;
        request.ordered = ordered;
        request.chunkSize = chunk;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        const QCborArray columns = outcome.result.value(u"columns"_s).toArray();
        QCOMPARE(columns.size(), m_hist.cols());
        for (qsizetype c = 0; c < columns.size(); ++c) {
            const QCborMap column = columns[c].toMap();
            const QJsonObject want = expected[c].toObject();
            QCOMPARE(column.value(u"name"_s).toString(), m_histNames[c]);
            const QCborArray edges = column.value(u"edges"_s).toArray();
            const QJsonArray wantEdges = want.value(u"edges"_s).toArray();
            QCOMPARE(edges.size(), bins + 1);
            for (qsizetype k = 0; k <= bins; ++k) // bit for bit: the edges are numpy's linspace
                QVERIFY2(edges[k].toDouble() == wantEdges[k].toDouble(),
                         qPrintable(u"%1 edge %2: %3 vs numpy %4"_s.arg(m_histNames[c])
                                        .arg(k)
                                        .arg(edges[k].toDouble(), 0, 'g', 17)
                                        .arg(wantEdges[k].toDouble(), 0, 'g', 17)));
            const QCborArray counts = column.value(u"counts"_s).toArray();
            const QJsonArray wantCounts = want.value(u"counts"_s).toArray();
            QCOMPARE(counts.size(), bins);
            for (qsizetype k = 0; k < bins; ++k)
                QCOMPARE(counts[k].toInteger(), wantCounts[k].toInteger());
            const qint64 missing = m_hist.col(c).array().isNaN().count();
            QCOMPARE(column.value(u"missing"_s).toInteger(), missing);
        }
    }

    void histogramOfGeneratedRange()
    {
        // Rows 0..1000 in 10 bins: edges 0, 100, ..., 1000; 100 values a bin, 101 in the closed last one.
        RunRequest request;
        request.job = u"histogram"_s;
        request.params = {{u"bins"_s, u"10"_s}};
        request.input.generatedRows = 1001;
        request.workers = 2;
        request.chunkSize = 77;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        const QCborMap column = outcome.result.value(u"columns"_s).toArray().first().toMap();
        const QCborArray edges = column.value(u"edges"_s).toArray();
        const QCborArray counts = column.value(u"counts"_s).toArray();
        for (int k = 0; k <= 10; ++k)
            QCOMPARE(edges[k].toDouble(), 100.0 * k);
        for (int k = 0; k < 10; ++k)
            QCOMPARE(counts[k].toInteger(), k == 9 ? 101 : 100);
        QCOMPARE(column.value(u"missing"_s).toInteger(), 0);
    }

    void histogramWritesBinRows()
    {
        const QString path = m_dir.filePath(u"bins.csv"_s);
        RunRequest request;
        request.job = u"histogram"_s;
        request.params = {{u"bins"_s, u"7"_s}};
        request.input.path = m_histPath;
        request.output = path;
        request.workers = 2;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + m_hist.cols() * 7);
        QCOMPARE(lines.first(), QByteArray("name,left,right,count"));
        const QCborArray columns = outcome.result.value(u"columns"_s).toArray();
        for (qsizetype c = 0; c < columns.size(); ++c) {
            const QCborMap column = columns[c].toMap();
            for (qsizetype k = 0; k < 7; ++k) {
                const QList<QByteArray> cells = lines[1 + c * 7 + k].split(',');
                QCOMPARE(cells.size(), 4);
                QCOMPARE(QString::fromUtf8(cells[0]), m_histNames[c]);
                QCOMPARE(cells[1].toDouble(), column.value(u"edges"_s).toArray()[k].toDouble());
                QCOMPARE(cells[2].toDouble(), column.value(u"edges"_s).toArray()[k + 1].toDouble());
                QCOMPARE(cells[3].toLongLong(), column.value(u"counts"_s).toArray()[k].toInteger());
            }
        }
    }

    void histogramBinsOutOfRange()
    {
        RunRequest request;
        request.job = u"histogram"_s;
        request.params = {{u"bins"_s, u"10001"_s}};
        request.input.path = m_histPath;
        const auto valid = JobRun::validate(request);
        QVERIFY(!valid);
        QCOMPARE(valid.failure().code, FailureCode::Usage);
        QVERIFY2(valid.failure().message.contains(u"--bins"_s), qPrintable(valid.failure().message));
    }

    void correlation_data()
    {
        QTest::addColumn<int>("workers");
        QTest::addColumn<bool>("ordered");
        QTest::addColumn<qint64>("chunk");
        for (int workers : {1, 2, 3})
            for (bool ordered : {true, false})
                for (qint64 chunk : {0, 997})
                    QTest::newRow(qPrintable(runTag(workers, ordered, chunk))) << workers << ordered << chunk;
        QTest::newRow(qPrintable(runTag(3, false, 1))) << 3 << false << qint64(1); // tasks of 0 or 1 rows
    }

    void correlation()
    {
        QFETCH(int, workers);
        QFETCH(bool, ordered);
        QFETCH(qint64, chunk);

        // The direct computation: the complete rows, their mean, the centred cross products.
        const Eigen::Array<bool, Eigen::Dynamic, 1> complete = !m_corr.array().isNaN().rowwise().any();
        Eigen::MatrixXd x(complete.count(), m_corr.cols());
        for (Eigen::Index r = 0, k = 0; r < m_corr.rows(); ++r)
            if (complete[r])
                x.row(k++) = m_corr.row(r);
        const Eigen::MatrixXd centred = x.rowwise() - x.colwise().mean();
        const Eigen::MatrixXd cov = centred.transpose() * centred / double(x.rows() - 1);

        const QJsonDocument reference = numpyCorrelation();
        QCOMPARE(reference[u"count"_s].toInteger(), x.rows());

        RunRequest request;
        request.job = u"correlation"_s;
        request.input.path = m_corrPath;
        request.workers = workers;
        request.ordered = ordered;
        request.chunkSize = chunk;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        const QCborMap result = outcome.result;
        QCOMPARE(result.value(u"count"_s).toInteger(), x.rows());
        const QCborArray names = result.value(u"columns"_s).toArray();
        QCOMPARE(names.size(), m_corrNames.size());
        for (qsizetype c = 0; c < names.size(); ++c)
            QCOMPARE(names[c].toString(), m_corrNames[c]);
        const QCborArray covariance = result.value(u"covariance"_s).toArray();
        const QCborArray correlation = result.value(u"correlation"_s).toArray();
        const QJsonArray numpyCov = reference[u"cov"_s].toArray();
        const QJsonArray numpyCorr = reference[u"corr"_s].toArray();
        const double tolerance = 1e-12; // relative to σᵢσⱼ: the orders of summation differ
        for (Eigen::Index i = 0; i < cov.rows(); ++i) {
            for (Eigen::Index j = 0; j < cov.cols(); ++j) {
                const double scale = std::sqrt(cov(i, i) * cov(j, j));
                const double got = covariance[i].toArray()[j].toDouble();
                const double wantNumpy = numpyCov[i].toArray()[j].toDouble();
                const double r = correlation[i].toArray()[j].toDouble();
                const QString where = u"(%1,%2): got %3, direct %4, numpy %5"_s.arg(i).arg(j).arg(
                    QString::number(got, 'g', 17), QString::number(cov(i, j), 'g', 17),
                    QString::number(wantNumpy, 'g', 17));
                QVERIFY2(std::abs(got - cov(i, j)) <= tolerance * scale, qPrintable(u"cov"_s + where));
                QVERIFY2(std::abs(got - wantNumpy) <= tolerance * scale, qPrintable(u"cov"_s + where));
                QVERIFY2(std::abs(r - cov(i, j) / scale) <= tolerance,
                         qPrintable(u"corr(%1,%2) %3"_s.arg(i).arg(j).arg(r, 0, 'g', 17)));
                QVERIFY(std::abs(r - numpyCorr[i].toArray()[j].toDouble()) <= tolerance);
                QCOMPARE(got, covariance[j].toArray()[i].toDouble()); // exactly symmetric
                QCOMPARE(r, correlation[j].toArray()[i].toDouble());
            }
        }
    }

    void affine_data()
    {
        QTest::addColumn<int>("workers");
        QTest::addColumn<bool>("ordered");
        QTest::addColumn<qint64>("chunk");
        for (int workers : {1, 2, 3})
            for (bool ordered : {true, false})
                for (qint64 chunk : {0, 1, 333})
                    QTest::newRow(qPrintable(runTag(workers, ordered, chunk))) << workers << ordered << chunk;
    }

    void affine()
    {
        QFETCH(int, workers);
        QFETCH(bool, ordered);
        QFETCH(qint64, chunk);
        const QString in = m_dir.filePath(u"affine-in.npy"_s);
        const QString out = m_dir.filePath(u"affine-out.npy"_s);
        const qint64 rows = 3001;
        Eigen::MatrixXd original(rows, 3);
        {
            auto array = SharedArray::create(Dtype::Float64, rows, 3);
            QVERIFY(array.ok());
            auto m = array->matrix<double>();
            for (qint64 c = 0; c < 3; ++c)
                for (qint64 r = 0; r < rows; ++r)
                    m(r, c) = r % 101 == 50 ? NaN : double(r * 3 + c) - 4000.0;
            original = m;
            QVERIFY(!writeNpy(in, *array));
        }
        const double a = -3.0;
        const double b = 11.0;
        RunRequest request;
        request.job = u"affine"_s;
        request.params = {{u"scale"_s, u"-3"_s}, {u"offset"_s, u"11"_s}};
        request.input.path = in;
        request.output = out;
        request.workers = workers;
        request.ordered = ordered;
        request.chunkSize = chunk;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);

        // Integer-valued below 2^53: every value and the sum are exact whatever the order of addition.
        const Eigen::ArrayXXd expected = original.array() * a + b;
        QCOMPARE(outcome.result.value(u"rows"_s).toInteger(), rows);
        QCOMPARE(outcome.result.value(u"sum"_s).toDouble(), expected.isNaN().select(0.0, expected).sum());
        auto back = readNpy(out);
        QVERIFY(back.ok());
        QCOMPARE(back->rows(), rows);
        QCOMPARE(back->cols(), 3);
        const auto m = back->matrix<double>();
        for (qint64 c = 0; c < 3; ++c)
            for (qint64 r = 0; r < rows; ++r)
                QVERIFY(m(r, c) == expected(r, c) || (std::isnan(m(r, c)) && std::isnan(expected(r, c))));
        auto input = readNpy(in); // the input file itself is left alone
        QVERIFY(input.ok());
        QCOMPARE(input->matrix<double>()(1, 2), original(1, 2));
    }

    void affineOfGeneratedRows()
    {
        RunRequest request;
        request.job = u"affine"_s;
        request.params = {{u"scale"_s, 0.5}, {u"offset"_s, 3.0}};
        request.input.generatedRows = 100000;
        request.workers = 2;
        request.ordered = false;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"sum"_s).toDouble(), 0.5 * 99999.0 * 100000.0 / 2.0 + 3.0 * 100000.0);
    }

    void affineDefaultsAreIdentity()
    {
        RunRequest request;
        request.job = u"affine"_s;
        request.input.generatedRows = 1000;
        request.workers = 1;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"sum"_s).toDouble(), 999.0 * 1000.0 / 2.0);
    }

    void batchSumRange_data()
    {
        QTest::addColumn<qint64>("start");
        QTest::addColumn<qint64>("end");
        QTest::addColumn<int>("workers");
        QTest::addColumn<bool>("ordered");
        QTest::addColumn<qint64>("chunk");
        QTest::newRow("[0, 100000) chunk 1 w2 ordered")
            << qint64(0) << qint64(100000) << 2 << true << qint64(1);
        QTest::newRow("[0, 100000) chunk 1 w4 unordered")
            << qint64(0) << qint64(100000) << 4 << false << qint64(1);
        for (int workers : {1, 3})
            for (bool ordered : {true, false})
                for (qint64 chunk : {0, 7})
                    QTest::addRow("[-1000, 2345) %s", qPrintable(runTag(workers, ordered, chunk)))
                        << qint64(-1000) << qint64(2345) << workers << ordered << chunk;
        QTest::newRow("near the upper bound")
            << qint64(3999990000) << qint64(4000000000) << 3 << false << qint64(0);
        QTest::newRow("whole negative bound")
            << qint64(-4000000000) << qint64(-3999000000) << 2 << true << qint64(0);
        QTest::newRow("one item") << qint64(41) << qint64(42) << 2 << true << qint64(0);
    }

    void batchSumRange()
    {
        QFETCH(qint64, start);
        QFETCH(qint64, end);
        QFETCH(int, workers);
        QFETCH(bool, ordered);
        QFETCH(qint64, chunk);
        qint64 expected = 0;
        for (qint64 i = start; i < end; ++i)
            expected += i;
        RunRequest request;
        request.job = u"batch-sum"_s;
        request.params = {{u"start"_s, start}, {u"end"_s, end}};
        request.workers = workers;
        request.ordered = ordered;
        request.chunkSize = chunk;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"count"_s).toInteger(), end - start);
        QCOMPARE(outcome.result.value(u"sum"_s).toInteger(), expected);
        if (start == 0 && end == 100000)
            QCOMPARE(expected, qint64(4999950000));
    }

    void batchSumRejectsBadRanges_data()
    {
        QTest::addColumn<QString>("start");
        QTest::addColumn<QString>("end");
        QTest::addColumn<QString>("flag");
        QTest::newRow("end below start") << u"10"_s << u"5"_s << u"--end"_s;
        QTest::newRow("end above the bound") << u"0"_s << u"4000000001"_s << u"--end"_s;
        QTest::newRow("start below the bound") << u"-4000000001"_s << u"0"_s << u"--start"_s;
    }

    void batchSumRejectsBadRanges()
    {
        QFETCH(QString, start);
        QFETCH(QString, end);
        QFETCH(QString, flag);
        RunRequest request;
        request.job = u"batch-sum"_s;
        request.params = {{u"start"_s, start}, {u"end"_s, end}};
        request.workers = 1;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Failed);
        QVERIFY(outcome.failure);
        QCOMPARE(outcome.failure->code, FailureCode::Usage);
        QVERIFY2(outcome.failure->message.contains(flag), qPrintable(outcome.failure->message));
        QCOMPARE(outcome.workers, 0);
    }

    // The --input form through the job's own plan, run and reduce, in this process (the engine's loading
    // of an optional input is tested by batchSumColumnThroughEngine).
    void batchSumColumnInProcess_data()
    {
        QTest::addColumn<QString>("column");
        QTest::addColumn<int>("index");
        QTest::newRow("by name") << u"b"_s << 1;
        QTest::newRow("by index") << u"0"_s << 0;
        QTest::newRow("name before index") << u"2"_s << 0; // a column named "2"
    }

    void batchSumColumnInProcess()
    {
        QFETCH(QString, column);
        QFETCH(int, index);
        const Job *job = findJob(u"batch-sum"_s);
        QVERIFY(job);
        QVERIFY(job->inputOptional());
        auto array = SharedArray::create(Dtype::Float64, 1000, 3, {u"2"_s, u"b"_s, u"c"_s});
        QVERIFY(array.ok());
        auto m = array->matrix<double>();
        for (qint64 r = 0; r < 1000; ++r)
            for (qint64 c = 0; c < 3; ++c)
                m(r, c) = (r + c) % 13 == 0 ? NaN : double(r * (c + 1)) * 0.5;
        const Eigen::ArrayXd x = m.col(index).array();

        auto params = resolveParams(job->params(), {{u"column"_s, column}});
        QVERIFY(params.ok());
        RunContext context;
        context.params = *params;
        context.data = &*array;
        auto items = job->plan(context);
        QVERIFY(items.ok());
        QCOMPARE(*items, 1000);
        auto reducer = job->makeReducer(context);
        for (qint64 begin = 0; begin < 1000; begin += 97) {
            const qint64 end = std::min<qint64>(begin + 97, 1000);
            const TaskContext task(*params, &*array, false, TaskInfo{begin / 97, begin, end, 1});
            reducer->add(begin, end, job->run(task, begin, end));
        }
        auto finished = reducer->finish(context);
        QVERIFY(finished.ok());
        const QCborMap result = finished->result;
        QCOMPARE(result.value(u"column"_s).toString(), array->columnNames()[index]);
        QCOMPARE(result.value(u"count"_s).toInteger(), (!x.isNaN()).count());
        QCOMPARE(result.value(u"missing"_s).toInteger(), x.isNaN().count());
        QCOMPARE(result.value(u"sum"_s).toDouble(), x.isNaN().select(0.0, x).sum()); // halves: exact

        auto unknown = resolveParams(job->params(), {{u"column"_s, u"zzz"_s}});
        QVERIFY(unknown.ok());
        RunContext unknownContext;
        unknownContext.params = *unknown;
        unknownContext.data = &*array;
        auto refused = job->plan(unknownContext);
        QVERIFY(!refused.ok());
        QCOMPARE(refused.failure().code, FailureCode::Usage);
    }

    void batchSumColumnThroughEngine()
    {
        RunRequest request;
        request.job = u"batch-sum"_s;
        request.params = {{u"column"_s, u"noise"_s}};
        request.input.path = m_corrPath;
        request.workers = 3;
        request.chunkSize = 500;
        request.ordered = false;
        QVERIFY(JobRun::validate(request).ok());
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        const Eigen::ArrayXd x = m_corr.col(3).array();
        QCOMPARE(outcome.result.value(u"count"_s).toInteger(), (!x.isNaN()).count());
        const double sum = x.isNaN().select(0.0, x).sum();
        QVERIFY(std::abs(outcome.result.value(u"sum"_s).toDouble() - sum) <= 1e-9 * std::abs(sum));
    }

    void primes_data()
    {
        QTest::addColumn<qint64>("start");
        QTest::addColumn<qint64>("end");
        QTest::addColumn<int>("workers");
        QTest::addColumn<bool>("ordered");
        QTest::addColumn<qint64>("chunk");
        QTest::addColumn<qint64>("expected"); // -1: count with the seeds' is_prime here
        QTest::newRow("seeds' small")
            << qint64(10000) << qint64(100000) << 3 << false << qint64(0) << qint64(8363);
        QTest::newRow("seeds' large")
            << qint64(10000) << qint64(2000000) << 2 << true << qint64(0) << qint64(147704);
        QTest::newRow("from 0") << qint64(0) << qint64(100) << 2 << true << qint64(7) << qint64(25);
        QTest::newRow("empty") << qint64(0) << qint64(2) << 1 << true << qint64(0) << qint64(0);
        QTest::newRow("just 2") << qint64(2) << qint64(3) << 1 << true << qint64(0) << qint64(1);
        QTest::newRow("squares of primes")
            << qint64(0) << qint64(120000) << 3 << false << qint64(1001) << qint64(-1);
        QTest::newRow("across 2^32") << qint64(4294967296 - 3000) << qint64(4294967296 + 3000) << 3 << false
                                     << qint64(0) << qint64(-1);
        QTest::newRow("past the sieve")
            << qint64(20000000000000) << qint64(20000000000000 + 400) << 2 << true << qint64(0) << qint64(-1);
    }

    void primes()
    {
        QFETCH(qint64, start);
        QFETCH(qint64, end);
        QFETCH(int, workers);
        QFETCH(bool, ordered);
        QFETCH(qint64, chunk);
        QFETCH(qint64, expected);
        if (expected < 0) {
            expected = 0;
            for (qint64 n = start; n < end; ++n)
                expected += seedIsPrime(n);
        }
        RunRequest request;
        request.job = u"primes"_s;
        request.params = {{u"start"_s, start}, {u"end"_s, end}};
        request.workers = workers;
        request.ordered = ordered;
        request.chunkSize = chunk;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"count"_s).toInteger(), expected);
    }

    void primesListed()
    {
        const QString path = m_dir.filePath(u"primes.txt"_s);
        RunRequest request;
        request.job = u"primes"_s;
        request.params = {{u"start"_s, u"0"_s}, {u"end"_s, u"50000"_s}};
        request.output = path;
        request.workers = 3;
        request.ordered = false;
        request.chunkSize = 777;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QList<QByteArray> expected;
        for (qint64 n = 0; n < 50000; ++n)
            if (seedIsPrime(n))
                expected << QByteArray::number(n);
        QCOMPARE(file.readAll().trimmed().split('\n'), expected);
        QCOMPARE(outcome.result.value(u"count"_s).toInteger(), expected.size());
    }

    // `scale` is `affine` with offset 0 under its old name and flag: the same result and the same output
    // file for every input, missing values (an empty CSV cell, NaN in an .npy) staying missing and left
    // out of the sum.
    void scaleIsAffineWithoutOffset_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("extension");
        QTest::addColumn<double>("sum");
        QTest::addColumn<QByteArray>("csvLine"); // a row of the .csv output with a missing value
        const QString csv = m_dir.filePath(u"gap.csv"_s);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("a,b\n1,2\n3,\n5,7\n"); // one empty cell
        file.close();
        const QString npy = m_dir.filePath(u"nan.npy"_s);
        auto array = SharedArray::create(Dtype::Float64, 4, 2, {u"a"_s, u"b"_s});
        QVERIFY(array.ok());
        auto m = array->matrix<double>();
        m << 1, NaN, 2.5, 4, NaN, NaN, -8, 0.25;
        QVERIFY(!writeNpy(npy, *array));
        for (const QString &extension : {u".npy"_s, u".csv"_s, u".json"_s}) {
            QTest::newRow(qPrintable(u"csv to "_s + extension))
                << csv << extension << 2.0 * 18 << QByteArray("\n6,\n");
            QTest::newRow(qPrintable(u"npy to "_s + extension))
                << npy << extension << 2.0 * -0.25 << QByteArray("\n2,\n");
        }
    }
    void scaleIsAffineWithoutOffset()
    {
        QFETCH(QString, input);
        QFETCH(QString, extension);
        QFETCH(double, sum);
        QFETCH(QByteArray, csvLine);
        RunOutcome outcomes[2];
        QByteArray files[2];
        const QList<std::pair<QString, QMap<QString, QVariant>>> runs{
            {u"scale"_s, {{u"factor"_s, u"2"_s}}},
            {u"affine"_s, {{u"scale"_s, u"2"_s}, {u"offset"_s, u"0"_s}}}};
        for (int i = 0; i < 2; ++i) {
            RunRequest request;
            request.job = runs[i].first;
            request.params = runs[i].second;
            request.input.path = input;
            request.output = m_dir.filePath(runs[i].first + u"-out"_s + extension);
            request.workers = 2;
            request.chunkSize = 1;
            QVERIFY(runToEnd(request, &outcomes[i]));
            QCOMPARE(outcomes[i].status, RunStatus::Ok);
            QFile out(request.output);
            QVERIFY(out.open(QIODevice::ReadOnly));
            files[i] = out.readAll();
        }
        QCOMPARE(outcomes[0].result.value(u"sum"_s).toDouble(), sum);
        QCOMPARE(outcomes[1].result.value(u"sum"_s).toDouble(), sum);
        QCOMPARE(outcomes[0].result, outcomes[1].result);
        QCOMPARE(files[0], files[1]);
        if (extension == u".csv"_s) // missing stays missing: an empty cell
            QVERIFY2(files[0].contains(csvLine), files[0].constData());
    }

    // One writer serves --output and Save As: for each kind, the file a run writes and the file Save As
    // writes from the result alone are byte for byte the same (in every format Save As offers for it).
    void outputEqualsSaveAs_data()
    {
        QTest::addColumn<QString>("job");
        QTest::addColumn<QVariantMap>("params");
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("extension");
        QTest::addColumn<QString>("kind");
        const QVariantMap none;
        for (const QString &extension : {u".csv"_s, u".json"_s}) {
            QTest::newRow(qPrintable(u"stats "_s + extension))
                << u"stats"_s << none << m_histPath << extension << resultKindName(ResultKind::ColumnStats);
            QTest::newRow(qPrintable(u"histogram "_s + extension))
                << u"histogram"_s << QVariantMap{{u"bins"_s, u"7"_s}} << m_histPath << extension
                << resultKindName(ResultKind::Histogram);
            QTest::newRow(qPrintable(u"correlation "_s + extension))
                << u"correlation"_s << none << m_corrPath << extension << resultKindName(ResultKind::Matrix);
            QTest::newRow(qPrintable(u"batch-sum "_s + extension))
                << u"batch-sum"_s << QVariantMap{{u"column"_s, u"noise"_s}} << m_corrPath << extension
                << resultKindName(ResultKind::Scalars);
        }
        // Save As has only the result map of an array or a list (not the array, not the values): JSON.
        QTest::newRow("affine .json") << u"affine"_s << QVariantMap{{u"offset"_s, u"1"_s}} << m_corrPath
                                      << u".json"_s << resultKindName(ResultKind::Array);
        QTest::newRow("primes .json") << u"primes"_s << QVariantMap{{u"end"_s, u"20000"_s}} << QString()
                                      << u".json"_s << resultKindName(ResultKind::List);
    }
    void outputEqualsSaveAs()
    {
        QFETCH(QString, job);
        QFETCH(QVariantMap, params);
        QFETCH(QString, input);
        QFETCH(QString, extension);
        QFETCH(QString, kind);
        QCOMPARE(resultKindName(findJob(job)->resultKind()), kind);
        RunRequest request;
        request.job = job;
        request.params = params;
        request.input.path = input;
        request.output = m_dir.filePath(job + u"-output"_s + extension);
        request.workers = 2;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(resultKindKey()).toString(), kind);
        QCOMPARE(resultKindName(resultKindOf(outcome.result)), kind);

        const QString saved = m_dir.filePath(job + u"-saved"_s + extension);
        QVERIFY(resultFormats(outcome.result).contains(*outputFormatOf(saved)));
        const auto written = writeResult(saved, outcome.result); // what ResultView::saveAs calls
        QVERIFY2(written, qPrintable(written ? QString() : written.failure().describe()));
        QFile a(request.output), b(saved);
        QVERIFY(a.open(QIODevice::ReadOnly));
        QVERIFY(b.open(QIODevice::ReadOnly));
        const QByteArray output = a.readAll();
        QVERIFY(!output.isEmpty());
        QCOMPARE(output, b.readAll());
    }

    // zscore, the job added by its own file and one registration line: every column to (x - mean) / std
    // (ddof = 1) in place, missing values kept missing; a column without spread is only centred.
    void zscore()
    {
        const QString in = m_dir.filePath(u"z-in.npy"_s);
        const QString out = m_dir.filePath(u"z-out.npy"_s);
        const qint64 rows = 2501;
        Eigen::MatrixXd original(rows, 3);
        {
            auto array = SharedArray::create(Dtype::Float64, rows, 3, {u"a"_s, u"b"_s, u"flat"_s});
            QVERIFY(array.ok());
            auto m = array->matrix<double>();
            for (qint64 r = 0; r < rows; ++r) {
                m(r, 0) = r % 97 == 3 ? NaN : 1e6 + double((r * 37) % 1000) * 0.5;
                m(r, 1) = -double(r % 13);
                m(r, 2) = 7.0;
            }
            original = m;
            QVERIFY(!writeNpy(in, *array));
        }
        QVERIFY(findJob(u"zscore"_s));
        QCOMPARE(findJob(u"zscore"_s)->resultKind(), ResultKind::Array);
        RunRequest request;
        request.job = u"zscore"_s;
        request.input.path = in;
        request.output = out;
        request.workers = 3;
        request.chunkSize = 300;
        RunOutcome outcome;
        QVERIFY(runToEnd(request, &outcome));
        QCOMPARE(outcome.status, RunStatus::Ok);
        QCOMPARE(outcome.result.value(u"rows"_s).toInteger(), rows);
        auto back = readNpy(out);
        QVERIFY(back.ok());
        const auto z = back->matrix<double>();
        for (qint64 c = 0; c < 3; ++c) {
            const Eigen::ArrayXd x = original.col(c).array();
            const auto present = !x.isNaN();
            const double n = double(present.count());
            const double mean = present.select(x, 0.0).sum() / n;
            const double sd = std::sqrt(present.select(x - mean, 0.0).square().sum() / (n - 1));
            const double divisor = sd > 0 ? sd : 1.0;
            const QCborMap column = outcome.result.value(u"columns"_s).toArray()[c].toMap();
            QVERIFY(std::abs(column.value(u"mean"_s).toDouble() - mean) <= 1e-9 * std::abs(mean) + 1e-12);
            for (qint64 r = 0; r < rows; ++r) {
                if (std::isnan(x[r])) {
                    QVERIFY(std::isnan(z(r, c)));
                    continue;
                }
                QVERIFY2(std::abs(z(r, c) - (x[r] - mean) / divisor) <= 1e-9,
                         qPrintable(u"column %1 row %2"_s.arg(c).arg(r)));
            }
        }
        const Eigen::ArrayXd a = z.col(0).array();
        const auto present = !a.isNaN();
        QVERIFY(std::abs(present.select(a, 0.0).sum() / double(present.count())) < 1e-9); // centred
        QCOMPARE(z(0, 2), 0.0); // no spread: centred only
    }

    // The catalogue grows at run time through the call the built-ins use; a name means one job.
    void registerJobAtRunTime()
    {
        const qsizetype before = allJobs().size();
        QVERIFY(allJobs().contains(findJob(u"scale"_s)));
        QVERIFY(!findJob(u"stats-again"_s));

        // A second job named like a built-in is refused, and the built-in stays.
        const Job *stats = findJob(u"stats"_s);
        class Renamed final : public Job
        {
        public:
            Renamed(const Job &inner, QString name)
                : m_inner(inner)
                , m_name(std::move(name))
            {}
            QString name() const override { return m_name; }
            QString summary() const override { return m_inner.summary(); }
            QList<ParamSpec> params() const override { return m_inner.params(); }
            ResultKind resultKind() const override { return m_inner.resultKind(); }
            InputUse input() const override { return m_inner.input(); }
            Result<qint64> plan(const RunContext &context) const override { return m_inner.plan(context); }
            QCborValue run(const TaskContext &context, qint64 begin, qint64 end) const override
            {
                return m_inner.run(context, begin, end);
            }
            std::unique_ptr<Reducer> makeReducer(const RunContext &context) const override
            {
                return m_inner.makeReducer(context);
            }

        private:
            const Job &m_inner;
            QString m_name;
        };
        const auto refused = registerJob(std::make_unique<Renamed>(*stats, u"stats"_s));
        QVERIFY(!refused);
        QCOMPARE(refused.failure().code, FailureCode::Usage);
        QCOMPARE(findJob(u"stats"_s), stats);

        QVERIFY(registerJob(std::make_unique<Renamed>(*stats, u"stats-again"_s)).ok());
        QCOMPARE(allJobs().size(), before + 1);
        const Job *added = findJob(u"stats-again"_s);
        QVERIFY(added && added != stats);
        QCOMPARE(allJobs().last(), added);
        QCOMPARE(added->resultKind(), ResultKind::ColumnStats);
    }

private:
    // numpy's histograms of the histogram table, for 1, 7 and 20 bins, computed once.
    QJsonObject numpyHistograms()
    {
        if (m_numpyHist.isEmpty())
            m_numpyHist = numpy(HistogramScript, {m_histPath, u"1"_s, u"7"_s, u"20"_s}).object();
        if (m_numpyHist.isEmpty())
            qWarning("numpy reference unavailable");
        return m_numpyHist;
    }

    QJsonDocument numpyCorrelation()
    {
        if (m_numpyCorr.isNull())
            m_numpyCorr = numpy(CorrelationScript, {m_corrPath});
        return m_numpyCorr;
    }

    QTemporaryDir m_dir;
    QStringList m_histNames;
    Eigen::MatrixXd m_hist;
    QString m_histPath;
    QStringList m_corrNames;
    Eigen::MatrixXd m_corr;
    QString m_corrPath;
    QJsonObject m_numpyHist;
    QJsonDocument m_numpyCorr;
};

QTEST_GUILESS_MAIN(TestJobs)
#include "tst_jobs.moc"
