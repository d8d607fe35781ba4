// The LibTorch backends: cpu, cuda and mps share everything but the device.
#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/mps.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "backends/torch/torch_backward.h"
#include "backends/torch/torch_collectives.h"
#include "backends/torch/torch_device.h"
#include "backends/torch/torch_memory.h"
#include "backends/torch/torch_ops.h"
#include "execution/backend.h"
#include "model/check.h"
#include "model/memory.h"
#include "model/ops.h"
#include "model/parallel.h"
#include "model/random.h"

namespace opbench::torch_backend {

namespace {

at::Tensor to_device(const HostTensor& t, at::Device device) {
  std::vector<int64_t> sizes(t.shape.begin(), t.shape.end());
  at::Tensor host = t.dtype == DType::Float32
                        ? at::from_blob(const_cast<float*>(t.f32.data()), sizes, at::kFloat)
                        : at::from_blob(const_cast<int64_t*>(t.i64.data()), sizes, at::kLong);
  at::Tensor there = at::empty(sizes, host.options().device(device));
  transfer(there, host);
  return there;
}

at::ScalarType scalar_type(FloatType dtype) {
  return dtype == FloatType::float16 ? at::kHalf : dtype == FloatType::bfloat16 ? at::kBFloat16 : at::kFloat;
}

// BLAS as LibTorch reports it in its build configuration ("MKL 2024.2").
std::string blas_name() {
  std::string config = at::show_config();
  const std::string mkl = "Math Kernel Library Version ";
  if (auto at_mkl = config.find(mkl); at_mkl != std::string::npos) {
    std::string version = config.substr(at_mkl + mkl.size());
    return "MKL " + version.substr(0, version.find_first_of("-\n "));
  }
  const std::string key = "BLAS_INFO=";
  if (auto at_key = config.find(key); at_key != std::string::npos) {
    std::string value = config.substr(at_key + key.size());
    return value.substr(0, value.find_first_of(",\n "));
  }
  return "unknown";
}

// One timed call on LibTorch: the op's forward call (its result), or a
// training step (its gradients, torch_backward.cpp), both as a Step.
class TorchPrepared : public PreparedOp {
 public:
  // `ranks`: the world of a collective (its samples agree on the slowest
  // rank), 0 for any other op.
  TorchPrepared(Step step, at::TensorOptions device, void (*sync)(), bool cuda, int ranks = 0)
      : step_(std::move(step)), device_(device), sync_(sync), cuda_(cuda), ranks_(ranks) {}

  void run() override {
    outputs_ = step_.call();
    wait();
  }
  void set_wait(GpuWait wait) override { wait_ = wait; }
  void release_output() override { outputs_.clear(); }
  // The CPU's is glibc's, which the sampler handles for every backend.
  void release_cached_memory() override {
    if (cuda_) empty_cuda_cache();
  }
  // The caching allocators (CUDA's, MPS's) hand this block to the op's
  // result next. On the CPU only a block below glibc's mmap threshold can
  // come back: a larger one is unmapped on free, and a result that large is
  // mapped fresh (zeros) anyway. So the CPU's fill stops below it (a 4 GiB
  // MatMul result's fill took 30 s on two cores and could never be reused).
  void poison(size_t bytes) override {
    if (device_.device().is_cpu()) bytes = std::min(bytes, kHostMmapThreshold - 4096);
    at::Tensor block = at::full({static_cast<int64_t>(bytes / sizeof(float))}, NAN, device_.dtype(at::kFloat));
    sync_();
  }
  std::optional<double> run_with_device_timer() override {
    if (!cuda_) return std::nullopt;
    return cuda_event_time([this] { outputs_ = step_.call(); });
  }
  void run_batch(size_t n) override {
    for (size_t i = 0; i < n; ++i) outputs_ = step_.call();
    wait();
  }
  bool flush_device_cache() override {
    if (cuda_) flush_cuda_l2();
    return cuda_;
  }
  void agree_on_slowest(std::span<double> values) override {
    if (ranks_) torch_backend::agree_on_slowest(device_.device(), ranks_, values);
  }
  HostTensor output() override { return step_.to_host(outputs_); }
  std::optional<uint64_t> output_digest() override {
    return step_.digest ? step_.digest(outputs_) : std::nullopt;
  }
  SampledOutput output_at(const std::vector<int64_t>& positions) override {
    return step_.to_host_at ? step_.to_host_at(outputs_, positions) : PreparedOp::output_at(positions);
  }
  // One run() between the allocator's counts, the last result dropped first
  // so that it is not counted as the inputs' part.
  MemoryFigure measure_peak_memory() override {
    MemoryFigure m;
    release_output();
    auto call = [this] { run(); };
    if (cuda_) {
      m.peak_bytes = cuda_peak_bytes(call);
      m.source = "LibTorch's CUDA caching allocator";
    } else if (device_.device().type() != at::kCPU) {
      m.unavailable =
          "opbench reads no memory count of LibTorch's " + c10::DeviceTypeName(device_.device().type()) + " allocator";
      return m;
    } else if (std::optional<double> peak = cpu_peak_bytes(call)) {
      m.peak_bytes = *peak;
      m.source = "LibTorch's CPU allocator, counted by opbench";
    } else {
      m.unavailable = "LibTorch's CPU allocator was not counted (count_memory was not called)";
      return m;
    }
    m.in_place = step_.in_place && step_.in_place(outputs_);
    release_output();
    return m;
  }

 private:
  // For the timed calls: CUDA's as SamplerSettings::wait says, any other
  // device's as its framework waits.
  void wait() {
    if (cuda_) cuda_wait(wait_);
    else sync_();
  }

  Step step_;
  at::TensorOptions device_;
  void (*sync_)();
  bool cuda_;
  int ranks_;
  Tensors outputs_;
  GpuWait wait_ = GpuWait::poll;
};

// The forward call of `op`: its result, back in the reference's layout for the check.
Step forward_step(const Experiment& e, const TorchOp& op, Tensors inputs) {
  return {[e, &op, inputs] { return Tensors{op.call(e, inputs)}; },
          [e, &op](const Tensors& out) { return to_host(e, op, out.at(0)); },
          [e, &op](const Tensors& out, const std::vector<int64_t>& positions) {
            return sampled_to_host(e, op, out.at(0), positions);
          },
          [inputs](const Tensors& out) { return aliases_an_input(inputs, out.at(0)); },
          [e, &op](const Tensors& out) { return result_digest_of(e, op, out.at(0)); }};
}

void no_sync() {}
void cuda_sync() { torch::cuda::synchronize(); }
void mps_sync() { torch::mps::synchronize(); }

struct DeviceKind {
  BackendInfo info;
  at::DeviceType type;
  void (*sync)();
  bool (*available)();
  const char* unavailable;
  bool graph = false;  // captured once in a CUDA graph and replayed (cuda_graph)
};

bool always() { return true; }
bool has_cuda() { return torch::cuda::is_available(); }
bool has_mps() { return torch::mps::is_available(); }

class TorchBackend : public Backend {
 public:
  explicit TorchBackend(DeviceKind kind) : kind_(std::move(kind)) {}

  const BackendInfo& info() const override { return kind_.info; }
  std::string unavailable_reason() const override { return kind_.available() ? "" : kind_.unavailable; }
  std::map<std::string, std::string> versions() const override {
    std::map<std::string, std::string> v{{"torch", TORCH_VERSION}};
    if (kind_.type == at::kCPU) v["torch_blas"] = blas_name();
    if (kind_.type == at::kCUDA) v["torch_cuda"] = cuda_version();
    return v;
  }
  std::string device_name() const override { return kind_.type == at::kCUDA ? cuda_device_name() : ""; }
  std::optional<uint64_t> free_device_memory() const override {
    return kind_.type == at::kCUDA ? cuda_free_memory() : std::nullopt;
  }
  void set_threads(int threads) override {
    if (threads > 0 && kind_.type == at::kCPU) at::set_num_threads(threads);
  }
  // The only LibTorch device whose allocator keeps no count of its own.
  void count_memory() override {
    if (kind_.type == at::kCPU) count_cpu_memory();
  }

  OpSupport support(const std::string& op) const override { return torch_ops().support(op); }
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) override {
    const TorchOp& op = torch_ops().require(e.op);
    at::Device device(kind_.type);
    Tensors tensors;
    // The backward pass's upstream gradient (the last input) is not the
    // op's: backward_step places it.
    size_t op_inputs = inputs.size() - (e.pass == Pass::backward);
    for (size_t i = 0; i < op_inputs; ++i) tensors.push_back(to_device(inputs[i], device));
    if (op.prepare) tensors = op.prepare(e, std::move(tensors));
    for (at::Tensor& t : tensors)
      if (t.is_floating_point()) t = t.to(scalar_type(e.dtype));
    kind_.sync();
    at::TensorOptions options = tensors.at(0).options();
    bool cuda = kind_.type == at::kCUDA;
    if (e.pass == Pass::backward) {
      if (kind_.graph)
        throw std::runtime_error("cuda_graph captures the forward call only: autograd's backward is not captured");
      return std::make_unique<TorchPrepared>(backward_step(e, op, std::move(tensors), inputs), options, kind_.sync, cuda);
    }
    if (e.spec().collective) {
      if (kind_.graph) throw std::runtime_error("cuda_graph captures no collectives: NCCL's calls are timed on cuda");
      return std::make_unique<TorchPrepared>(forward_step(e, op, std::move(tensors)), options, kind_.sync, cuda, e.ranks);
    }
    if (kind_.graph) return prepare_cuda_graph(e, op, std::move(tensors));
    return std::make_unique<TorchPrepared>(forward_step(e, op, std::move(tensors)), options, kind_.sync, cuda);
  }

 private:
  DeviceKind kind_;
};

// Their columns and speedup columns: model/backend_info.cpp.
OPBENCH_REGISTER_BACKEND("mps", [] {
  return std::make_unique<TorchBackend>(DeviceKind{backend_info("mps", "torch framework with mps (gpu) backend"), at::kMPS,
                                                   mps_sync, has_mps, "this LibTorch has no MPS device (Apple GPUs only)"});
});
OPBENCH_REGISTER_BACKEND("cpu", [] {
  return std::make_unique<TorchBackend>(
      DeviceKind{backend_info("cpu", "torch framework with cpu backend"), at::kCPU, no_sync, always, ""});
});
OPBENCH_REGISTER_BACKEND("cuda", [] {
  return std::make_unique<TorchBackend>(DeviceKind{backend_info("cuda", "torch framework with cuda backend"),
                                                   at::kCUDA, cuda_sync, has_cuda,
                                                   "no CUDA device, or this LibTorch was built without CUDA"});
});
// PyTorch's nearest equivalent of mx.compile: launch overhead captured away.
OPBENCH_REGISTER_BACKEND("cuda_graph", [] {
  return std::make_unique<TorchBackend>(DeviceKind{
      backend_info("cuda_graph", "torch framework with cuda backend, each op captured once in a CUDA graph and replayed"),
      at::kCUDA, cuda_sync, has_cuda, "no CUDA device, or this LibTorch was built without CUDA", true});
});

}  // namespace

bool aliases_an_input(const Tensors& inputs, const at::Tensor& result) {
  for (const at::Tensor& input : inputs)
    if (input.is_alias_of(result)) return true;
  return false;
}

namespace {

// A result (on any device, any layout) as a HostTensor: integers as Int64,
// anything else as float32, copied once, straight into the HostTensor's
// buffer (ATen copies on all cores on the host; the GPU's result comes over
// in one transfer) rather than to a host tensor first and then again.
HostTensor host_tensor(const at::Tensor& t) {
  HostTensor out;
  out.name = "out";
  out.shape.assign(t.sizes().begin(), t.sizes().end());
  const size_t n = static_cast<size_t>(t.numel());
  auto copy = [&t, n](auto& to, at::ScalarType type) {
    to.resize(n);
    // A device's copy into pageable memory takes the new pages' faults on
    // one thread: take them on every core first (CUDA's staged copy already
    // writes them on every core).
    if (!t.is_cpu() && !t.is_cuda()) fill_on_all_cores(to.data(), n);
    if (n) {
      at::Tensor host = at::from_blob(to.data(), t.sizes(), at::TensorOptions().dtype(type));
      transfer(host, t);
    }
  };
  if (t.scalar_type() == at::kLong) {
    out.dtype = DType::Int64;
    copy(out.i64, at::kLong);
  } else {
    copy(out.f32, at::kFloat);
  }
  return out;
}

// On the CPU, a float result is scanned where it lies, on all cores:
// at::isfinite would allocate four temporaries of its size (a 4 GiB MatMul
// result: 27 s of page faults on two cores).
bool result_is_finite(const at::Tensor& t) {
  if (t.is_cpu() && t.scalar_type() == at::kFloat && t.is_contiguous())
    return all_finite(t.data_ptr<float>(), static_cast<size_t>(t.numel()));
  return at::isfinite(t).all().item<bool>();
}

at::Tensor in_reference_layout(const Experiment& e, const TorchOp& op, const at::Tensor& result) {
  return op.to_reference_layout ? op.to_reference_layout(e, result) : result;
}

}  // namespace

HostTensor to_host(const Experiment& e, const TorchOp& op, const at::Tensor& result) {
  return host_tensor(in_reference_layout(e, op, result));
}

// int64 arithmetic wraps as uint64's does; >> on int64 keeps the sign, so
// each shift is masked to a logical one. Parts of 16 M elements: a part's
// int64 temporaries take 128 MiB each.
uint64_t digest_by_aten(const at::Tensor& flat) {
  constexpr int64_t kPart = int64_t{1} << 24;
  auto i64 = [](uint64_t v) { return static_cast<int64_t>(v); };
  auto shifted = [](const at::Tensor& z, int bits) {
    return at::bitwise_and(at::bitwise_right_shift(z, bits), static_cast<int64_t>(~uint64_t{0} >> bits));
  };
  const int64_t n = flat.numel();
  at::Tensor total = at::zeros({}, flat.options().dtype(at::kLong));
  for (int64_t start = 0; start < n; start += kPart) {
    const int64_t end = std::min(n, start + kPart);
    at::Tensor z = flat.slice(0, start, end).view(at::kInt).to(at::kLong).bitwise_and(int64_t{0xffffffff});
    z = z.bitwise_xor(at::arange(start, end, z.options()).mul(i64(kGolden))).add(i64(kGolden));
    z = z.bitwise_xor(shifted(z, 30)).mul(i64(kMix1));
    z = z.bitwise_xor(shifted(z, 27)).mul(i64(kMix2));
    total.add_(z.bitwise_xor(shifted(z, 31)).sum());
  }
  return static_cast<uint64_t>(total.item<int64_t>());
}

std::optional<uint64_t> result_digest_of(const Experiment& e, const TorchOp& op, const at::Tensor& result) {
  const at::Tensor t = in_reference_layout(e, op, result);
  if (t.scalar_type() != at::kFloat) return std::nullopt;
  const at::Tensor flat = t.contiguous().reshape({-1});
  if (flat.is_cpu()) return result_digest(flat.data_ptr<float>(), static_cast<size_t>(flat.numel()));
  return digest_by_aten(flat);
}

SampledOutput sampled_to_host(const Experiment& e, const TorchOp& op, const at::Tensor& result,
                              const std::vector<int64_t>& positions) {
  at::Tensor t = in_reference_layout(e, op, result);
  SampledOutput out;
  out.shape.assign(t.sizes().begin(), t.sizes().end());
  out.all_finite = !t.is_floating_point() || result_is_finite(t);
  if (positions.empty() || positions.back() >= t.numel()) return out;  // a wrong shape: nothing to pick
  at::Tensor index = at::tensor(at::ArrayRef<int64_t>(positions), at::kLong).to(t.device());
  out.values = host_tensor(t.reshape({-1}).index_select(0, index));
  return out;
}

}  // namespace opbench::torch_backend
