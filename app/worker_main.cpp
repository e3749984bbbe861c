// brigade-worker: a lean process that runs job tasks over shared memory; spoken to on stdin/stdout.
#include "core/worker/workerloop.h"

int main()
{
    return brigade::runWorker();
}
