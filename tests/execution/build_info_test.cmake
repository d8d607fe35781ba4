# A dependency location given to opbench's configure reaches the build info
# (execution/build_info.h: build_configure_args) from which opbench run
# --versions configures each version's plug-in: a scratch configure of these
# sources, without the frameworks, given -DZLIB_ROOT and CMAKE_PREFIX_PATH.
#   cmake -DSOURCE_DIR=<sources> -DBINARY_DIR=<scratch parent> -P build_info_test.cmake
set(dir "${BINARY_DIR}/build-info-test")
file(REMOVE_RECURSE "${dir}")
execute_process(
  COMMAND "${CMAKE_COMMAND}" -S "${SOURCE_DIR}" -B "${dir}" -G Ninja -DOPBENCH_WITH_TORCH=OFF -DOPBENCH_WITH_MLX=OFF
          -DOPBENCH_TESTS=OFF -DZLIB_ROOT=/usr -DCMAKE_PREFIX_PATH=/opt/opbench-test-prefix
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the scratch configure failed: ${err}")
endif()
file(READ "${dir}/generated/build_info.cpp" info)
foreach(arg -DZLIB_ROOT=/usr -DCMAKE_PREFIX_PATH=/opt/opbench-test-prefix)
  string(FIND "${info}" "R\"(${arg})\"" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${arg} was given to the configure but is not in ${dir}/generated/build_info.cpp")
  endif()
endforeach()
file(REMOVE_RECURSE "${dir}")
message("the dependency locations given to the configure are the plug-ins'")
