#include "core/base/result.h"

namespace brigade {

QString Failure::describe() const
{
    if (file.isEmpty())
        return message;
    if (position >= 0)
        return file + u':' + QString::number(position) + u": " + message;
    return file + u": " + message;
}

} // namespace brigade
