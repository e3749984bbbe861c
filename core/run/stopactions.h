// Shutdown as data: ask, wait; terminate, wait; kill. Shared by the pool and the tests.
#pragma once

namespace brigade {

struct StopActions {
    int requestWaitMs = 1000;  // after Shutdown (or Cancel) is sent
    int terminateWaitMs = 500; // after SIGTERM; then SIGKILL
};

} // namespace brigade
