# One INTERFACE target carries the language level, warnings and strict Qt defines for every target.
include_guard(GLOBAL)

set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "Build type" FORCE)
endif()

find_program(BRIGADE_CCACHE ccache)
if(BRIGADE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${BRIGADE_CCACHE}")
endif()

option(BRIGADE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(BRIGADE_WERROR "Treat warnings as errors (the release and asan presets, and so CI, set it)" OFF)

add_library(brigade_settings INTERFACE)
target_compile_features(brigade_settings INTERFACE cxx_std_20)
target_compile_options(brigade_settings INTERFACE -Wall -Wextra -Wpedantic $<$<BOOL:${BRIGADE_WERROR}>:-Werror>)
# Not QT_NO_CONTEXTLESS_CONNECT: Qt 6.4 ignores it (it arrives in 6.7), and a text search for connect()
# calls without a context object cannot tell a functor from a slot across line breaks, so it would not be
# a reliable check. Give every connect() to a lambda a context object (STYLE.md).
target_compile_definitions(brigade_settings INTERFACE
  QT_NO_CAST_FROM_ASCII
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
  QT_NO_KEYWORDS
  QT_USE_QSTRINGBUILDER)
# Exported symbols give worker stack traces their function names even without debug info.
target_link_options(brigade_settings INTERFACE -rdynamic)
if(BRIGADE_SANITIZE)
  target_compile_options(brigade_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer)
  target_link_options(brigade_settings INTERFACE -fsanitize=address,undefined)
  # Tests whose subject is memory use (peaks under --memory-limit) know the runtime's overhead is there.
  target_compile_definitions(brigade_settings INTERFACE BRIGADE_SANITIZED=1)
endif()
