#pragma once
// Memory an experiment needs, estimated before it runs, and memory the
// machine has free: an experiment that cannot fit is skipped with a reason
// instead of driving the machine into swap or the out-of-memory killer.
#include <cstdint>
#include <optional>
#include <string>

#include "model/experiment.h"

namespace opbench {

struct MemoryNeed {
  double host_bytes = 0;    // inputs, the reference (doubles), output copies, one CPU backend's own copies
  double device_bytes = 0;  // on a GPU backend: its inputs, its result and the poison fill before the check
};

// An estimate from the shapes alone (nothing is allocated): `check` adds the
// reference result, held in double precision.
MemoryNeed estimate_memory(const Experiment& e, bool check);

// MemAvailable of /proc/meminfo: what can be allocated without swapping;
// nullopt where it cannot be read (not Linux). OPBENCH_TEST_MEMORY_AVAILABLE
// (bytes) replaces it, for tests.
std::optional<uint64_t> available_host_memory();

// "needs about 37.3 GiB of memory ..., 21.9 GiB is available", or empty when
// `need` fits in `available` (or `available` is unknown). `where` names the
// memory: "memory", "memory on NVIDIA H100".
std::string memory_shortfall(double need, std::optional<uint64_t> available, const std::string& where);

// Fixes the C library's allocator policy for the process (glibc: large
// blocks come from mmap at and above 32 MiB, freed memory is kept up to
// 64 MiB), which glibc otherwise moves with what the process freed before.
// Called once at start-up, so that a cell's page faults, and its time, do not
// depend on which experiments ran before it in the same process: a worker and
// an in-process run then time the same thing. The values are those glibc's
// own adjustment settles on in a long-running process. No-op elsewhere.
void pin_allocator_policy();
// The threshold pin_allocator_policy sets: a block this large or larger is
// mapped fresh from the system (zeros) and unmapped when freed.
inline constexpr size_t kHostMmapThreshold = size_t{32} << 20;

// Returns the C library's free memory to the system (glibc's malloc_trim),
// before each cell: a block at or above the mmap threshold is then mapped
// afresh whatever earlier cells left free at the heap's top, so the cell's
// page faults are its own. No-op elsewhere.
void release_free_host_memory();

// The allocator state of a cell's timed calls by default: the steady state
// of a loop whose buffers the allocator reuses. While one lives, glibc serves
// every block from its heap (none mapped afresh from the system) and keeps
// what is freed, so a call's result lands on pages the previous call's
// result had, as in a training loop; on destruction the pinned policy
// returns and the kept memory goes back to the system. No-op elsewhere.
// (--fresh-memory times the other state: release_free_host_memory and the
// framework's release_cached_memory before every call.)
class ReusedHostMemory {
 public:
  ReusedHostMemory();
  ~ReusedHostMemory();
  ReusedHostMemory(const ReusedHostMemory&) = delete;
  ReusedHostMemory& operator=(const ReusedHostMemory&) = delete;
};

// 1536 -> "1.5 KiB"; bytes, KiB, MiB, GiB, TiB.
std::string format_bytes(double bytes);

}  // namespace opbench
