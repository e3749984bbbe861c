# The layering, enforced: fails when a file includes a layer above its own, or a lower one its layer must
# never see. Run as `cmake -DSOURCE_DIR=... -P CheckLayers.cmake` by the check_layers target, which every
# library of core/, ui/ and app/ depends on, so a forbidden include fails the build.
#
# Layers, bottom up (shared/DESIGN.md, docs/ARCHITECTURE.md). A file may include its own layer and those
# below, except the pairs in NEVER.
cmake_minimum_required(VERSION 3.25)
set(LAYERS core/base core/protocol core/run core/data core/store core/jobs core/worker core/engine ui app)
set(NEVER
  "core/jobs>core/store: jobs return values, writing is the store's"
  "core/engine>core/worker: the parent parses no worker internals, crash notes are protocol"
  "ui>core/data: the window reads no file format itself"
  "ui>core/worker: the window knows no worker internals"
  "core/worker>core/store: a worker records nothing"
  "core/data>core/protocol: readers know no wire format")

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "CheckLayers.cmake: set SOURCE_DIR")
endif()

function(layer_of path out)
  set(result "")
  foreach(layer IN LISTS LAYERS)
    string(LENGTH "${layer}/" n)
    string(SUBSTRING "${path}" 0 ${n} head)
    if(head STREQUAL "${layer}/")
      set(result "${layer}")
    endif()
  endforeach()
  set(${out} "${result}" PARENT_SCOPE)
endfunction()

set(violations "")
foreach(root core ui app)
  file(GLOB_RECURSE files RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/${root}/*.h" "${SOURCE_DIR}/${root}/*.cpp")
  foreach(file IN LISTS files)
    layer_of("${file}" own)
    if(own STREQUAL "")
      list(APPEND violations "${file}: in no layer (add its folder to LAYERS in cmake/CheckLayers.cmake)")
      continue()
    endif()
    list(FIND LAYERS "${own}" ownIndex)
    file(STRINGS "${SOURCE_DIR}/${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" target "${line}")
      layer_of("${target}" theirs)
      if(theirs STREQUAL "")
        continue() # a file of its own folder ("cli.h"), a .moc, or a header outside the layers
      endif()
      list(FIND LAYERS "${theirs}" theirIndex)
      if(theirIndex GREATER ownIndex)
        list(APPEND violations "${file}: includes ${target}: ${theirs} is above ${own}")
      endif()
      foreach(rule IN LISTS NEVER)
        string(REGEX MATCH "^([^>]+)>([^:]+): (.*)$" _ "${rule}")
        if(CMAKE_MATCH_1 STREQUAL own AND CMAKE_MATCH_2 STREQUAL theirs)
          list(APPEND violations "${file}: includes ${target}: ${CMAKE_MATCH_3}")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()

if(violations)
  list(LENGTH violations count)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "${count} include(s) break the layering:\n  ${text}")
endif()
