// Reads the crash note a worker's crash handler wrote to stderr.
#include "core/protocol/crashnote.h"

#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace brigade {

std::optional<CrashNote> parseCrashNote(const QStringList &stderrTail)
{
    static const QRegularExpression marker(QLatin1StringView(CrashMarker) +
                                           uR"( \S+ in task (-?\d+)(?: item (\d+))? at stage (\S+))"_s);
    for (qsizetype i = 0; i < stderrTail.size(); ++i) {
        const auto match = marker.match(stderrTail[i]);
        if (!match.hasMatch())
            continue;
        CrashNote note;
        note.task = match.captured(1).toLongLong();
        if (match.hasCaptured(2))
            note.item = match.captured(2).toLongLong();
        note.stage = match.captured(3);
        const qsizetype begin = stderrTail.indexOf(QString::fromLatin1(SymbolizedBegin), i);
        const qsizetype end = stderrTail.indexOf(QString::fromLatin1(SymbolizedEnd), std::max(begin, i));
        if (begin >= 0 && end > begin)
            note.trace = stderrTail.mid(begin + 1, end - begin - 1).join(u'\n');
        else // the symbolizer could not run: the raw frames the handler wrote
            note.trace = stderrTail.mid(i + 1).join(u'\n');
        if (note.stage == u"idle"_s)
            note.stage.clear();
        return note;
    }
    return std::nullopt;
}

} // namespace brigade
