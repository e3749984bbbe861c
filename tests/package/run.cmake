# Installs the build tree to a scratch prefix, then builds and runs tests/package against it.
# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSCRATCH=... -DVERSION=... -P run.cmake
file(REMOVE_RECURSE "${SCRATCH}")
foreach(component runtime development)
  execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${SCRATCH}/prefix"
                          --component ${component} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "installing the ${component} component failed: ${rc}")
  endif()
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${SCRATCH}/build" -G Ninja
                        "-DCMAKE_PREFIX_PATH=${SCRATCH}/prefix" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "configuring the consumer with find_package(Brigade) failed: ${rc}")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${SCRATCH}/build" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "building the consumer against Brigade::core failed: ${rc}")
endif()
execute_process(COMMAND "${SCRATCH}/build/consumer" "${VERSION}" RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "the consumer failed: ${rc}")
endif()
file(REMOVE_RECURSE "${SCRATCH}")
