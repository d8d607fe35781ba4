#include "model/text_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "model/error.h"

namespace opbench {

namespace {

struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) close(fd);
  }
};

[[noreturn]] void cannot_read(const std::string& path, int error) {
  throw UsageError(path + ": cannot read (" + std::strerror(error) + ")");
}

[[noreturn]] void too_large(const std::string& path, size_t limit, const std::string& what) {
  throw UsageError(path + ": more than " + std::to_string(limit / kMiB) + " MiB, too large for " + what);
}

}  // namespace

std::string read_text_file(const std::string& path, size_t limit, const std::string& what) {
  // O_NONBLOCK: opening a FIFO that no one writes to would wait forever.
  Descriptor file{open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) cannot_read(path, errno);
  struct stat info {};
  if (fstat(file.fd, &info) != 0) cannot_read(path, errno);
  if (S_ISDIR(info.st_mode)) throw UsageError(path + ": is a directory, not " + what);
  if (S_ISREG(info.st_mode) && static_cast<unsigned long long>(info.st_size) > limit) too_large(path, limit, what);
  fcntl(file.fd, F_SETFL, fcntl(file.fd, F_GETFL) & ~O_NONBLOCK);  // a pipe's writer may be slow: wait for it

  std::string text;
  char buffer[1 << 16];
  while (true) {
    ssize_t n = read(file.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) cannot_read(path, errno);
    if (n == 0) return text;
    if (text.size() + static_cast<size_t>(n) > limit) too_large(path, limit, what);
    text.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace opbench
