#include "core/base/coreversion.h"

namespace brigade {

const char *coreVersion()
{
    return BRIGADE_CORE_VERSION; // defined for this file by core/CMakeLists.txt
}

} // namespace brigade
