// Built only when LibTorch has CUDA: the device's description, event timing,
// L2 flushing, and the cuda_graph backend's captured op.
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/cuda.h>

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

void empty_cuda_cache() { c10::cuda::CUDACachingAllocator::emptyCache(); }

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
    torch::cuda::synchronize();
  }
  std::optional<double> run_with_device_timer() override {
    return cuda_event_time([this] { graph_.replay(); });
  }
  void run_batch(size_t n) override {
    for (size_t i = 0; i < n; ++i) graph_.replay();
    torch::cuda::synchronize();
  }
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
};

}  // namespace

std::unique_ptr<PreparedOp> prepare_cuda_graph(const Experiment& e, const TorchOp& op, Tensors inputs) {
  return std::make_unique<CudaGraphOp>(e, op, std::move(inputs));
}

}  // namespace opbench::torch_backend
