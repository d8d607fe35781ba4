#pragma once
// What the build of this opbench knew (generated: build_info.cpp.in).
#include <string>

namespace opbench {

// The sources this opbench was built from, and how: opbench run --versions
// builds a framework version's plug-in from them.
std::string build_source_dir();
std::string build_type();
// The Python whose pip installs framework versions (OPBENCH_PYTHON).
std::string build_python();

// This opbench build, for keys of what a build made (cached references,
// versions' plug-ins): its version and the program file's size and time, so
// that a rebuilt program never takes an older build's.
std::string this_build();

}  // namespace opbench
