#include "execution/build_info.h"

#include <filesystem>

#include "execution/worker_process.h"

namespace opbench {

std::string this_build() {
  std::error_code size_error, time_error;
  std::string exe = this_executable();
  uintmax_t size = std::filesystem::file_size(exe, size_error);
  auto modified = std::filesystem::last_write_time(exe, time_error);
  if (size_error || time_error) return OPBENCH_VERSION;
  return std::string(OPBENCH_VERSION) + " " + std::to_string(size) + " " +
         std::to_string(modified.time_since_epoch().count());
}

}  // namespace opbench
