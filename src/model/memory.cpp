#include "model/memory.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "model/check.h"
#include "model/ops.h"

namespace opbench {

namespace {

double count(const Shape& s) { return static_cast<double>(element_count(s)); }

// The host inputs at their peak while being made: float32 tensors unless
// the op's unit says otherwise (index inputs, helper draws).
double input_bytes(const Experiment& e) {
  if (e.spec().input_memory) return e.spec().input_memory(e);
  double bytes = 0;
  for (const Shape& s : e.dims) bytes += count(s) * 4;
  return bytes;
}

}  // namespace

MemoryNeed estimate_memory(const Experiment& e, bool check) {
  const OpSpec& op = e.spec();
  double inputs = input_bytes(e);
  double outputs = count(op.output_shape(e));
  double output_bytes = outputs * (op.gives_indices ? 8 : 4);
  double poison = outputs * 8;  // the runner's poison fill before the check run (see runner.cpp)
  double reference = 0;
  if (check) {
    bool dense = !op.reference_at || op.flops(e) <= kReferenceBudget;
    reference = dense ? outputs * 8 : 4096.0 * 16;
  }
  MemoryNeed need;
  // Host: the inputs and the reference, the output copied back for the
  // check, and a CPU backend's own copy of inputs and result (or poison).
  need.host_bytes = inputs + reference + output_bytes + inputs + std::max(poison, output_bytes);
  need.device_bytes = inputs + std::max(poison, output_bytes);
  if (e.pass == Pass::backward) {
    // The upstream gradient (the result's size) joins the inputs; the
    // gradients (the float inputs' size) come back, in double in the
    // reference unless it is sampled, and the framework keeps what its
    // forward saves for the backward (about a result).
    double upstream = outputs * 4, gradients = inputs;
    need.host_bytes += 2 * upstream + 2 * gradients * (check && !samples_gradients(e) ? 2 : 1) + output_bytes;
    need.device_bytes += upstream + gradients + output_bytes;
  }
  return need;
}

std::optional<uint64_t> available_host_memory() {
  if (const char* forced = std::getenv("OPBENCH_TEST_MEMORY_AVAILABLE"); forced && *forced) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(forced, &end, 10);
    if (end && *end == '\0') return value;
  }
  std::ifstream info("/proc/meminfo");
  for (std::string line; std::getline(info, line);) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream words(line.substr(13));
    unsigned long long kib = 0;
    std::string unit;
    if (words >> kib >> unit && unit == "kB") return static_cast<uint64_t>(kib) * 1024;
  }
  return std::nullopt;
}

std::string format_bytes(double bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 5) bytes /= 1024, ++unit;
  char buf[48];
  if (unit == 0) std::snprintf(buf, sizeof buf, "%.0f bytes", bytes);
  else std::snprintf(buf, sizeof buf, "%.1f %s", bytes, units[unit]);
  return buf;
}

std::string memory_shortfall(double need, std::optional<uint64_t> available, const std::string& where) {
  if (!available || need <= static_cast<double>(*available)) return "";
  return "skipped: needs about " + format_bytes(need) + " of " + where + " for its inputs, outputs and reference, but " +
         format_bytes(static_cast<double>(*available)) + " is free";
}

void pin_allocator_policy() {
#if defined(__GLIBC__)
  // Setting either value turns glibc's dynamic adjustment off.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kHostMmapThreshold));
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

ReusedHostMemory::ReusedHostMemory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);          // no block mapped afresh: the heap serves them all
  mallopt(M_TRIM_THRESHOLD, -1);   // (size_t)-1: nothing freed goes back to the system
#endif
}

ReusedHostMemory::~ReusedHostMemory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 65536);  // glibc's default
  pin_allocator_policy();
  malloc_trim(0);
#endif
}

void release_free_host_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace opbench
