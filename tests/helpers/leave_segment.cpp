// Test helper: creates a shared array, prints its key, then dies by SIGKILL, leaving the segment behind
// exactly as a crashed Brigade process would.
#include "core/data/sharedarray.h"

#include <csignal>
#include <cstdio>
#include <unistd.h>

int main()
{
    auto array = brigade::SharedArray::create(brigade::Dtype::Float64, 1000, 2,
                                              {QStringLiteral("x"), QStringLiteral("y")});
    if (!array) {
        std::fprintf(stderr, "%s\n", qPrintable(array.failure().message));
        return 1;
    }
    array->matrix<double>().setConstant(7.0);
    std::printf("%s\n", qPrintable(array->key()));
    std::fflush(stdout);
    ::kill(::getpid(), SIGKILL);
    return 0;
}
