// How a run ended, and what it does once a task has failed every attempt.
#pragma once

#include "core/base/enumnames.h"

#include <QMetaType>

namespace brigade {

enum class RunStatus { Ok, Failed, Cancelled };

inline constexpr EnumName<RunStatus> RunStatusNames[] = {
    {RunStatus::Ok, u"ok"}, {RunStatus::Failed, u"failed"}, {RunStatus::Cancelled, u"cancelled"}};

inline QString runStatusName(RunStatus status)
{
    return enumName(RunStatusNames, status);
}

// What a run does once a task has failed every attempt (GNU parallel's --halt).
enum class HaltPolicy {
    Never, // finish the rest, then report the failed tasks
    Soon,  // dispatch nothing new, let the running tasks finish
    Now,   // cancel at once
};

inline constexpr EnumName<HaltPolicy> HaltPolicyNames[] = {
    {HaltPolicy::Never, u"never"}, {HaltPolicy::Soon, u"soon"}, {HaltPolicy::Now, u"now"}};

} // namespace brigade

Q_DECLARE_METATYPE(brigade::RunStatus)
