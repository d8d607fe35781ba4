// Built when LibTorch has no CUDA: there is no CUDA device to describe, time or capture on.
#include <ATen/ATen.h>

#include <stdexcept>

#include "backends/torch/torch_device.h"

namespace opbench::torch_backend {

namespace {
[[noreturn]] void no_cuda() { throw std::runtime_error("this LibTorch was built without CUDA"); }
}  // namespace

std::string cuda_device_name() { return ""; }
std::string cuda_version() { return ""; }
double cuda_event_time(const std::function<void()>&) { no_cuda(); }
void flush_cuda_l2() { no_cuda(); }
void cuda_wait(GpuWait) { no_cuda(); }
void empty_cuda_cache() {}
void transfer(at::Tensor& to, const at::Tensor& from) { to.copy_(from); }
double cuda_peak_bytes(const std::function<void()>&) { no_cuda(); }
std::optional<uint64_t> cuda_free_memory() { return std::nullopt; }
std::unique_ptr<PreparedOp> prepare_cuda_graph(const Experiment&, const TorchOp&, Tensors) { no_cuda(); }

}  // namespace opbench::torch_backend
