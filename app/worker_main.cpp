// brigade-worker: a lean process that runs job tasks over shared memory; spoken to on stdin/stdout.
// `brigade-worker --symbolize PID ADDRESS...` is its crash handler's helper (see throwtrace.h).
#include "core/worker/throwtrace.h"
#include "core/worker/workerloop.h"

#include <cstring>

int main(int argc, char *argv[])
{
    if (argc >= 3 && std::strcmp(argv[1], "--symbolize") == 0) {
        QStringList addresses;
        for (int i = 3; i < argc; ++i)
            addresses << QString::fromLatin1(argv[i]);
        return brigade::symbolizeForeignStack(QByteArray(argv[2]).toLongLong(), addresses);
    }
    return brigade::runWorker();
}
