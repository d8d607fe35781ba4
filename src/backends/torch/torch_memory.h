#pragma once
// LibTorch's CPU allocator keeps no statistics (CUDA's caching allocator and
// MLX's allocator do): for --memory, opbench puts a counting wrapper in front
// of it, which counts the bytes live and their peak while a call is measured.
#include <functional>
#include <optional>

namespace opbench::torch_backend {

// Puts the counting wrapper in front of LibTorch's CPU allocator, once per
// process (later calls do nothing). Outside a measurement the wrapper hands
// each request straight through, counting nothing: one flag read per
// allocation is all a timed call pays.
void count_cpu_memory();

// The most bytes that allocations LibTorch's CPU allocator made while `call`
// ran held at once; nullopt where count_cpu_memory() was never called.
// Memory a framework gets elsewhere (a BLAS's own buffers, malloc) is not seen.
std::optional<double> cpu_peak_bytes(const std::function<void()>& call);

}  // namespace opbench::torch_backend
