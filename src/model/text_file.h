#pragma once
// Reading a file the user names (a suite, a result, a calibration) with a
// bound on its size, so that /dev/zero, a FIFO that never ends or a huge file
// is an error line, not a hang that eats the machine's memory.
#include <cstddef>
#include <string>

namespace opbench {

inline constexpr size_t kMiB = size_t{1} << 20;

// The whole text of `path`, at most `limit` bytes. `what` says what the file
// should be ("a suite file"). Throws UsageError naming the path: it cannot be
// opened or read (with the system's reason), it is a directory, or it holds
// more than `limit` bytes. A FIFO or a device is read up to the bound.
std::string read_text_file(const std::string& path, size_t limit, const std::string& what);

}  // namespace opbench
