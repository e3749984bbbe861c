// The release of the libbrigade_core a program runs against, for a plugin or program built with the
// Brigade CMake package to compare with the release it was built for (BRIGADE_VERSION of brigade/version.h).
#pragma once

namespace brigade {

// "0.1.0": project()'s version when libbrigade_core was built.
const char *coreVersion();

} // namespace brigade
