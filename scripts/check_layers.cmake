# The layers of opbench, and the check the build runs on every source file:
# a file may include headers of its own layer and of the layers its layer
# uses, nothing else. A layer is a folder of src/, and the folder is the only
# thing that says which layer a file is in. Run by the build (target
# opbench_layers) as
#   cmake -DSOURCE_DIR=<repository> -DSTAMP=<file to touch> -P scripts/check_layers.cmake
#
#   model      src/model: experiments, shapes, suites, ops and their references,
#              checks, statistics, the records of a run; no I/O but reading suites
#   format     src/format: the files (result JSON, calibration files, the
#              reference cache, the output folder's lock)
#   execution  src/execution: the backend interface and registry, the runner,
#              worker processes, the sampler, calibration, the machine's
#              description, the frameworks' op tables: running cells and measuring them
#   report     src/report: every output made from result records
#   store      src/store: the history of runs in SQLite or PostgreSQL
#   backends   src/backends: the framework plug-ins
#   cli        src/cli: the commands
cmake_minimum_required(VERSION 3.24)
set(layers model format execution report store backends cli)
set(uses_model "")
set(uses_format model)
set(uses_execution model format)
set(uses_report model format)
set(uses_store model format)
set(uses_backends model execution)
set(uses_cli model format execution report store backends)

# The layer of `file` (a path under src/): its first folder, or "" when that
# folder is no layer.
function(layer_of file out)
  set(layer "")
  if(file MATCHES "^([a-z_]+)/" AND CMAKE_MATCH_1 IN_LIST layers)
    set(layer ${CMAKE_MATCH_1})
  endif()
  set(${out} ${layer} PARENT_SCOPE)
endfunction()

file(GLOB_RECURSE files RELATIVE ${SOURCE_DIR}/src ${SOURCE_DIR}/src/*.h ${SOURCE_DIR}/src/*.cpp ${SOURCE_DIR}/src/*.in)
set(violations "")
foreach(file IN LISTS files)
  layer_of(${file} layer)
  if(NOT layer)
    string(REPLACE ";" ", " folders "${layers}")
    string(APPEND violations "  src/${file} is in no layer: a source file belongs in one of the folders ${folders}\n")
    continue()
  endif()
  file(STRINGS ${SOURCE_DIR}/src/${file} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[^\"]*\"([^\"]+)\".*$" "\\1" header "${line}")
    if(NOT EXISTS ${SOURCE_DIR}/src/${header})
      continue()  # beside the file ("torch_ops.h"), or generated
    endif()
    layer_of(${header} used)
    if(used AND NOT used STREQUAL layer AND NOT used IN_LIST uses_${layer})
      string(REPLACE ";" ", " allowed "${uses_${layer}}")
      if(NOT allowed)
        set(allowed "no other layer")
      endif()
      string(APPEND violations "  src/${file} (${layer}) includes ${header} (${used}): ${layer} may use ${allowed}\n")
    endif()
  endforeach()
endforeach()
if(violations)
  message(FATAL_ERROR "opbench: a file breaks the layers (scripts/check_layers.cmake):\n${violations}")
endif()
if(STAMP)
  file(TOUCH ${STAMP})
endif()
