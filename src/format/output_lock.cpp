#include "format/output_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "model/error.h"

namespace opbench {

namespace {

// The process id the holder wrote into the lock file, or "?" before it did.
std::string holder_of(int fd) {
  char text[32] = {};
  ssize_t n = pread(fd, text, sizeof text - 1, 0);
  std::string id = n > 0 ? std::string(text, static_cast<size_t>(n)) : "";
  while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
  return id.empty() ? "?" : printable(id);
}

// Whether `fd` is still the file named `path`: the holder before us removes
// the file as it ends, and a lock on the removed file would exclude no one.
bool still_named(int fd, const std::string& path) {
  struct stat opened {}, named {};
  return fstat(fd, &opened) == 0 && stat(path.c_str(), &named) == 0 && opened.st_ino == named.st_ino &&
         opened.st_dev == named.st_dev;
}

}  // namespace

OutputLock::OutputLock(const std::string& result_path) : path_(result_path + ".lock") {
  while (true) {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      std::string folder = std::filesystem::path(result_path).parent_path().string();
      throw UsageError((folder.empty() ? "." : folder) + ": cannot write there (" + std::strerror(errno) + ")");
    }
    if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      std::string holder = holder_of(fd_);
      close(fd_);
      throw UsageError(result_path + " is being written by another opbench run (process " + holder +
                       "): wait for it to end, or write elsewhere (--out)");
    }
    if (still_named(fd_, path_)) break;
    close(fd_);
  }
  std::string id = std::to_string(getpid()) + "\n";
  ssize_t written = ftruncate(fd_, 0) == 0 ? pwrite(fd_, id.data(), id.size(), 0) : -1;
  (void)written;  // only a refused run's message needs the id: no reason to fail the run
}

OutputLock::~OutputLock() {
  // Removed while still locked, so that a run opening it now sees it gone (still_named).
  unlink(path_.c_str());
  close(fd_);
}

}  // namespace opbench
