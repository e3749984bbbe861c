// The worker's main loop: frames in on stdin, frames out on a private copy of stdout.
#pragma once

namespace brigade {

// Runs until Shutdown or end of input; returns the process exit code. Stray writes to stdout by job code
// go to stderr, so they can never corrupt the protocol stream.
int runWorker();

} // namespace brigade
