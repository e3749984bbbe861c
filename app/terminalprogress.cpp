#include "terminalprogress.h"

#include <QString>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace brigade {

namespace {

QString humanRate(double perSecond)
{
    if (perSecond >= 1e6)
        return QString::number(perSecond / 1e6, 'f', 1) + u"M"_s;
    if (perSecond >= 1e3)
        return QString::number(perSecond / 1e3, 'f', 1) + u"k"_s;
    return QString::number(perSecond, 'f', 0);
}

} // namespace

void TerminalProgress::show(const ProgressSnapshot &s)
{
    if (m_lastDraw.isValid() && m_lastDraw.elapsed() < 100 && s.itemsDone < s.itemsTotal)
        return;
    m_lastDraw.start();
    constexpr int Width = 30;
    qint64 done = s.itemsDone;
    for (const WorkerSnapshot &w : s.workers)
        if (w.state == WorkerState::Busy)
            done += w.taskDone;
    done = std::min(done, s.itemsTotal);
    const double fraction = s.itemsTotal > 0 ? double(done) / double(s.itemsTotal) : 1.0;
    const int filled = int(fraction * Width);
    QString line = u"\r["_s + QString(filled, u'#') + QString(Width - filled, u'.') + u"] "_s +
                   QString::number(int(fraction * 100)).rightJustified(3) + u"% "_s + QString::number(done) +
                   u'/' + QString::number(s.itemsTotal) + u" items"_s;
    if (s.itemsPerSecond > 0)
        line += u" · "_s + humanRate(s.itemsPerSecond) + u" items/s"_s;
    if (s.etaSeconds >= 0 && done < s.itemsTotal)
        line += u" · ETA "_s + QString::number(s.etaSeconds, 'f', 1) + u" s"_s;
    if (s.tasksFailed > 0)
        line += u" · %1 failed"_s.arg(s.tasksFailed);
    line += u"\x1b[K"_s;
    std::fputs(line.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
    m_drawn = true;
}

void TerminalProgress::clear()
{
    if (!m_drawn)
        return;
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    m_drawn = false;
}

} // namespace brigade
