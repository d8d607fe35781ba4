#pragma once
// Every thread of this process held on one core while a GPU cell is timed
// (SamplerSettings::one_core, --one-core). A synchronised GPU call can hand
// over between threads (autograd's device thread runs a CUDA backward
// pass, MLX-CUDA's caller waits for its completion thread); where the two
// sit on different cores, each hand-over wakes another core, and on a
// virtual machine which cores the OS chose decides the call's time: on the
// H200's, MLX's ReLU 128x16x1024 from Python took 44-51 us with the process
// on one core, 71-74 us on two, one or the other on sixteen; opbench's
// backward cells on `cuda` were 0.84 of their time unheld (geometric mean).
// Not the default: a user's process is not held (docs/sampling.md).
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
