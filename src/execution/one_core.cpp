#include "execution/one_core.h"

#ifdef __linux__
#include <sched.h>
#endif

#include <filesystem>
#include <string>

namespace opbench {

std::vector<pid_t> process_threads() {
  std::vector<pid_t> threads;
#ifdef __linux__
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec))
    threads.push_back(static_cast<pid_t>(std::stol(entry.path().filename().string())));
#endif
  return threads;
}

#ifdef __linux__

namespace {

// A core set as bytes: large enough for any machine's cores (CPU_ALLOC_SIZE).
std::vector<unsigned char> core_set_of(pid_t thread) {
  std::vector<unsigned char> set(CPU_ALLOC_SIZE(8192));
  if (sched_getaffinity(thread, set.size(), reinterpret_cast<cpu_set_t*>(set.data())) != 0) return {};
  return set;
}

void set_core_set(pid_t thread, const std::vector<unsigned char>& set) {
  sched_setaffinity(thread, set.size(), reinterpret_cast<const cpu_set_t*>(set.data()));
}

}  // namespace

OneCore::OneCore() {
  process_ = core_set_of(0);
  const int core = sched_getcpu();
  if (process_.empty() || core < 0) return;
  std::vector<unsigned char> one(process_.size());
  CPU_SET_S(static_cast<size_t>(core), one.size(), reinterpret_cast<cpu_set_t*>(one.data()));
  for (pid_t thread : process_threads()) {
    std::vector<unsigned char> set = core_set_of(thread);
    if (set.empty()) continue;  // ended since it was listed
    before_[thread] = std::move(set);
    set_core_set(thread, one);
  }
  core_ = core;
}

OneCore::~OneCore() {
  if (core_ < 0) return;
  for (pid_t thread : process_threads()) {
    auto it = before_.find(thread);
    set_core_set(thread, it == before_.end() ? process_ : it->second);
  }
}

#else

OneCore::OneCore() = default;
OneCore::~OneCore() = default;

#endif

}  // namespace opbench
