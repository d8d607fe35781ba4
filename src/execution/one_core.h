#pragma once
// Every thread of this process held on one core while a GPU cell is timed
// (SamplerSettings::one_core). A synchronised GPU call hands over between
// threads (MLX-CUDA's caller waits for its completion thread); where the
// two sit on different cores, each hand-over wakes another core, and which
// cores the OS chose decided the call's time: on the H200's virtual machine,
// ReLU 128x16x1024 from Python took 44-51 us with the process on one core,
// 71-74 us on two, and one or the other, switching within a run, on
// sixteen (docs/sampling.md).
#include <sys/types.h>

#include <map>
#include <vector>

namespace opbench {

class OneCore {
 public:
  // Holds every thread on the core this one runs on now. Where the system
  // cannot (not Linux, a thread gone meanwhile), that thread is left as it was.
  OneCore();
  // Gives every thread the core set it had; a thread started meanwhile gets
  // the process's.
  ~OneCore();
  OneCore(const OneCore&) = delete;
  OneCore& operator=(const OneCore&) = delete;

  int core() const { return core_; }  // -1 where nothing was held

 private:
  int core_ = -1;
  std::map<pid_t, std::vector<unsigned char>> before_;  // each thread's core set, as sched_getaffinity wrote it
  std::vector<unsigned char> process_;                  // this thread's, for threads started meanwhile
};

// The threads of this process (Linux: /proc/self/task); empty elsewhere.
std::vector<pid_t> process_threads();

}  // namespace opbench
