// Runs a JobRun in this process to its end, for the tests of the pool and of faults.
#pragma once

#include "core/engine/jobrun.h"

#include <QList>

namespace testhelpers {

struct Observed {
    brigade::RunOutcome outcome;
    QList<brigade::ProgressSnapshot> snapshots; // every progressed() snapshot, in order
};

// Starts a JobRun for `request` and waits for it to finish; after `timeoutMs` aborts the test (qFatal).
Observed runToEnd(const brigade::RunRequest &request, int timeoutMs = 60000);

} // namespace testhelpers
