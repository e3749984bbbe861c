// Runs every file of a corpus directory (and a few thousand derived inputs) through the fuzz target:
// the CTest smoke run when libFuzzer is not available.
#include <QDir>
#include <QFile>
#include <QRandomGenerator>

#include <cstdint>
#include <cstdio>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    const QDir dir(QString::fromLocal8Bit(argv[1]));
    const QStringList files = dir.entryList(QDir::Files);
    if (files.isEmpty()) {
        std::fprintf(stderr, "empty corpus: %s\n", argv[1]);
        return 2;
    }
    QRandomGenerator rng(2024);
    int inputs = 0;
    for (const QString &name : files) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::ReadOnly))
            return 2;
        const QByteArray seed = f.readAll();
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(seed.constData()), size_t(seed.size()));
        ++inputs;
        // Cheap mutations of each seed: flipped bytes and truncations.
        for (int i = 0; i < 500; ++i) {
            QByteArray m = seed;
            if (!m.isEmpty()) {
                m[qsizetype(rng.bounded(quint32(m.size())))] = char(rng.bounded(256));
                if (i % 5 == 0)
                    m.truncate(qsizetype(rng.bounded(quint32(m.size()))));
            }
            LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(m.constData()), size_t(m.size()));
            ++inputs;
        }
    }
    std::printf("%d inputs from %lld seed files: no crash\n", inputs, static_cast<long long>(files.size()));
    return 0;
}
