// A one-line progress bar on stderr for terminal runs, redrawn at most ten times a second.
#pragma once

#include "core/run/progress.h"

#include <QElapsedTimer>

namespace brigade {

class TerminalProgress
{
public:
    void show(const ProgressSnapshot &snapshot);
    void clear();

private:
    QElapsedTimer m_lastDraw;
    bool m_drawn = false;
};

} // namespace brigade
