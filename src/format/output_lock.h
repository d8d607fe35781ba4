#pragma once
// One run per result file: two `opbench run` writing the same file would
// replace each other's results without a word.
#include <string>

namespace opbench {

// While it lives, `<result_path>.lock` is locked (flock) and holds this
// process's id. The kernel drops the lock with the process however it ends
// (even SIGKILL), so a lock file left behind by a killed run is no obstacle.
// Taking the lock also proves, before anything runs, that the folder can be
// written.
class OutputLock {
 public:
  // Throws UsageError naming the other process when a live one holds the
  // lock, or naming the folder and the reason when it cannot be written.
  explicit OutputLock(const std::string& result_path);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace opbench
