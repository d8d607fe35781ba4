#pragma once
// What only CUDA's headers can do, kept in torch_cuda.cpp (built when
// LibTorch has CUDA; torch_no_cuda.cpp stands in otherwise).
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "backends/torch/torch_ops.h"
#include "execution/backend.h"

namespace opbench::torch_backend {

// "NVIDIA H100 80GB HBM3 (79 GiB)", or "" without a CUDA device.
std::string cuda_device_name();
// The CUDA version LibTorch was built with ("13.0"), or "".
std::string cuda_version();
// Device time of `launch` (which queues work and does not wait), in ms,
// from CUDA events recorded on the current stream around it.
double cuda_event_time(const std::function<void()>& launch);
// Bytes free on the current CUDA device, after handing the caching
// allocator's unused blocks back (they would otherwise count as used).
std::optional<uint64_t> cuda_free_memory();
// The most bytes the CUDA caching allocator had allocated while `call` ran,
// beyond what it had allocated when the call began (its peak statistics are
// reset first): the memory the call needed on the device.
double cuda_peak_bytes(const std::function<void()>& call);
// `to` = `from` (same shape), where one lies on the host and the other on a
// CUDA device: a large copy goes through two pinned staging buffers in
// turn, its host side copied on every core while the other buffer crosses
// (4 GiB from pageable memory on the H200: 0.75 s as one transfer, 0.085 s
// staged; back to the host 0.33 s and 0.14 s). Any other copy is ATen's.
void transfer(at::Tensor& to, const at::Tensor& from);
// Waits for the current CUDA device's work, as `wait` says (GpuWait's words):
// sleep on a blocking-sync event recorded on the current stream, woken by the
// driver, as MLX's eval waits; otherwise torch.cuda.synchronize()'s wait, which
// under CUDA's default schedule spins (polls) on a machine with more cores
// than CUDA contexts.
void cuda_wait(GpuWait wait);
// Hands the CUDA caching allocator's free blocks back to the driver.
void empty_cuda_cache();
// Overwrites a buffer twice the size of the device's L2 cache, and waits.
void flush_cuda_l2();
// The cuda_graph backend's op: `op` captured once in a CUDA graph, replayed
// by run(). Throws where LibTorch has no CUDA, or the op cannot be captured.
std::unique_ptr<PreparedOp> prepare_cuda_graph(const Experiment& e, const TorchOp& op, Tensors inputs);

// Whether `result` is (a view of) one of `inputs`: the op wrote into an input
// in place (Scatter's x[idx] = src), or returned a view of it, so its result
// needs no memory of its own.
bool aliases_an_input(const Tensors& inputs, const at::Tensor& result);

// The result of an op on the host, in the reference's layout.
HostTensor to_host(const Experiment& e, const TorchOp& op, const at::Tensor& result);
// The same at `positions` only, gathered where the result lives.
SampledOutput sampled_to_host(const Experiment& e, const TorchOp& op, const at::Tensor& result,
                              const std::vector<int64_t>& positions);
// The result's digest in the reference's layout (check.h's result_digest),
// found where it lies: read in place on the CPU, by ATen operations on a
// device. nullopt unless the result is float32.
std::optional<uint64_t> result_digest_of(const Experiment& e, const TorchOp& op, const at::Tensor& result);
// result_digest's formula in ATen operations, on whatever device `flat` (a
// 1-D float32 tensor) lies: how result_digest_of finds it off the CPU.
uint64_t digest_by_aten(const at::Tensor& flat);

}  // namespace opbench::torch_backend
