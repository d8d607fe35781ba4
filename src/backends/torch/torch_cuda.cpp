// Built only when LibTorch has CUDA: the device's description, event timing,
// L2 flushing, and the cuda_graph backend's captured op.
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/cuda.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "backends/torch/torch_device.h"

namespace opbench::torch_backend {

std::string cuda_device_name() {
  if (!torch::cuda::is_available()) return "";
  const cudaDeviceProp* p = at::cuda::getCurrentDeviceProperties();
  return std::string(p->name) + " (" + std::to_string(std::lround(p->totalGlobalMem / 1073741824.0)) + " GiB)";
}

std::string cuda_version() {
  int v = CUDA_VERSION;  // e.g. 13000
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

double cuda_event_time(const std::function<void()>& launch) {
  at::cuda::CUDAEvent start(cudaEventDefault), stop(cudaEventDefault);  // the default flags disable timing
  start.record();
  launch();
  stop.record();
  stop.synchronize();
  return start.elapsed_time(stop);
}

std::optional<uint64_t> cuda_free_memory() {
  if (!torch::cuda::is_available()) return std::nullopt;
  c10::cuda::CUDACachingAllocator::emptyCache();
  size_t free = 0, total = 0;
  if (cudaMemGetInfo(&free, &total) != cudaSuccess) return std::nullopt;
  return free;
}

double cuda_peak_bytes(const std::function<void()>& call) {
  using c10::CachingAllocator::StatType;
  const c10::DeviceIndex device = c10::cuda::current_device();
  const auto allocated = [&] {
    return c10::cuda::CUDACachingAllocator::getDeviceStats(device).allocated_bytes[static_cast<size_t>(StatType::AGGREGATE)];
  };
  c10::cuda::CUDACachingAllocator::resetPeakStats(device);  // the peak becomes what is allocated now
  const int64_t before = allocated().current;
  call();
  return static_cast<double>(allocated().peak - before);
}

void cuda_wait(GpuWait wait) {
  if (wait != GpuWait::sleep) return torch::cuda::synchronize();
  // One event a thread, reused: creating one costs more than a small call.
  static thread_local at::cuda::CUDAEvent done(cudaEventBlockingSync | cudaEventDisableTiming);
  done.record(at::cuda::getCurrentCUDAStream());
  done.synchronize();
}

void empty_cuda_cache() { c10::cuda::CUDACachingAllocator::emptyCache(); }

namespace {

// Below this a copy is left to ATen: staging would save little.
constexpr int64_t kStagedBytes = int64_t{16} << 20;
constexpr int64_t kStageBytes = int64_t{64} << 20;

// Two pinned buffers, allocated once a process (pinning a 4 GiB input
// instead took 2 s on the H200's host), and the events that say when each
// one's transfer is done. Never destroyed: CUDA may be gone at exit.
struct Staging {
  at::Tensor buffer[2];
  at::cuda::CUDAEvent crossed[2];
};

Staging& staging() {
  static Staging* s = [] {
    auto* made = new Staging;
    for (at::Tensor& b : made->buffer) b = at::empty({kStageBytes}, at::TensorOptions().dtype(at::kByte).pinned_memory(true));
    return made;
  }();
  return *s;
}

at::Tensor bytes_of(const at::Tensor& contiguous) { return contiguous.reshape({-1}).view(at::kByte); }

// Chunk k is copied into buffer k % 2 on the host's cores, then crosses on
// the stream while chunk k + 1 is copied into the other buffer.
void staged_to_device(const at::Tensor& to, const at::Tensor& from) {
  Staging& s = staging();
  const at::Tensor dst = bytes_of(to), src = bytes_of(from);
  const int64_t total = src.numel();
  for (int64_t at = 0, k = 0; at < total; at += kStageBytes, ++k) {
    const int64_t n = std::min(kStageBytes, total - at);
    const size_t b = static_cast<size_t>(k % 2);
    if (k >= 2) s.crossed[b].synchronize();  // its last chunk has left
    at::Tensor stage = s.buffer[b].slice(0, 0, n);
    stage.copy_(src.slice(0, at, at + n));
    dst.slice(0, at, at + n).copy_(stage, /*non_blocking=*/true);
    s.crossed[b].record();
  }
  at::cuda::getCurrentCUDAStream().synchronize();
}

// Chunk k + 1 crosses into one buffer while chunk k is copied out of the other.
void staged_to_host(const at::Tensor& to, const at::Tensor& from) {
  Staging& s = staging();
  const at::Tensor dst = bytes_of(to), src = bytes_of(from);
  const int64_t total = src.numel();
  const int64_t chunks = (total + kStageBytes - 1) / kStageBytes;
  auto cross = [&](int64_t k) {
    const int64_t at = k * kStageBytes, n = std::min(kStageBytes, total - at);
    s.buffer[k % 2].slice(0, 0, n).copy_(src.slice(0, at, at + n), /*non_blocking=*/true);
    s.crossed[k % 2].record();
  };
  cross(0);
  for (int64_t k = 0; k < chunks; ++k) {
    s.crossed[k % 2].synchronize();
    if (k + 1 < chunks) cross(k + 1);
    const int64_t at = k * kStageBytes, n = std::min(kStageBytes, total - at);
    dst.slice(0, at, at + n).copy_(s.buffer[k % 2].slice(0, 0, n));
  }
}

}  // namespace

void transfer(at::Tensor& to, const at::Tensor& from) {
  const bool to_device = from.is_cpu() && to.is_cuda(), to_host = from.is_cuda() && to.is_cpu();
  const at::Tensor& host = to_device ? from : to;
  const bool staged = (to_device || to_host) && to.sizes() == from.sizes() && host.is_contiguous() &&
                      host.numel() * host.element_size() >= kStagedBytes &&
                      (to_host || from.scalar_type() == to.scalar_type());
  if (!staged) {
    to.copy_(from);
    return;
  }
  c10::cuda::CUDAGuard guard((to_device ? to : from).device());
  if (to_host) {
    staged_to_host(to, from.to(to.scalar_type()).contiguous());  // converted and laid out on the device
  } else if (to.is_contiguous()) {
    staged_to_device(to, from);
  } else {
    at::Tensor dense = at::empty(to.sizes(), to.options());
    staged_to_device(dense, from);
    to.copy_(dense);
  }
}

void flush_cuda_l2() {
  static at::Tensor buffer =
      at::empty({2 * static_cast<int64_t>(at::cuda::getCurrentDeviceProperties()->l2CacheSize)}, at::device(at::kCUDA).dtype(at::kByte));
  buffer.zero_();
  torch::cuda::synchronize();
}

namespace {

class CudaGraphOp : public PreparedOp {
 public:
  CudaGraphOp(const Experiment& e, const TorchOp& op, Tensors inputs) : experiment_(e), op_(op), inputs_(std::move(inputs)) {
    // Capture happens on a side stream, after one ordinary call there so that
    // lazily created handles (cuBLAS, cuDNN) exist before capture starts.
    c10::cuda::CUDAStream stream = c10::cuda::getStreamFromPool();
    {
      c10::cuda::CUDAStreamGuard guard(stream);
      op_.call(experiment_, inputs_);
      stream.synchronize();
      // What the capture allocates stays in the graph's private pool for
      // every replay: the replays themselves allocate nothing.
      capture_bytes_ = cuda_peak_bytes([this] {
        graph_.capture_begin();
        output_ = op_.call(experiment_, inputs_);
        graph_.capture_end();
      });
    }
    torch::cuda::synchronize();
  }

  void run() override {
    graph_.replay();
    cuda_wait(wait_);
  }
  std::optional<double> run_with_device_timer() override {
    return cuda_event_time([this] { graph_.replay(); });
  }
  void run_batch(size_t n) override {
    for (size_t i = 0; i < n; ++i) graph_.replay();
    cuda_wait(wait_);
  }
  void set_wait(GpuWait wait) override { wait_ = wait; }
  bool flush_device_cache() override {
    flush_cuda_l2();
    return true;
  }
  // The graph writes into the same result every replay: NaN there first
  // shows a replay that writes nothing. Not where the result is an input
  // updated in place (Scatter's x[idx] = src): that buffer is the op's state,
  // whose unwritten rows rightly keep what it held.
  void poison(size_t) override {
    if (aliases_an_input(inputs_, output_)) return;
    if (output_.is_floating_point()) output_.fill_(NAN);
    torch::cuda::synchronize();
  }
  HostTensor output() override { return to_host(experiment_, op_, output_); }
  std::optional<uint64_t> output_digest() override { return result_digest_of(experiment_, op_, output_); }
  SampledOutput output_at(const std::vector<int64_t>& positions) override {
    return sampled_to_host(experiment_, op_, output_, positions);
  }
  // A replay needs the memory the capture took, which the graph keeps.
  MemoryFigure measure_peak_memory() override {
    MemoryFigure m;
    m.peak_bytes = capture_bytes_;
    m.source = "LibTorch's CUDA caching allocator, while the graph was captured (its replays reuse that memory)";
    m.in_place = aliases_an_input(inputs_, output_);
    return m;
  }

 private:
  Experiment experiment_;
  const TorchOp& op_;
  Tensors inputs_;
  at::cuda::CUDAGraph graph_;
  at::Tensor output_;
  double capture_bytes_ = 0;
  GpuWait wait_ = GpuWait::poll;
};

}  // namespace

std::unique_ptr<PreparedOp> prepare_cuda_graph(const Experiment& e, const TorchOp& op, Tensors inputs) {
  return std::make_unique<CudaGraphOp>(e, op, std::move(inputs));
}

}  // namespace opbench::torch_backend
