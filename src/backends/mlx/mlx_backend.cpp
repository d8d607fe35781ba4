// The MLX backends: mlx_cpu and mlx_gpu run each op as MLX users write it,
// the *_compile ones the same function wrapped once in mx::compile. All four
// share everything but the device and that wrapping.
#include <mlx/array.h>
#include <mlx/compile.h>
#include <mlx/device.h>
#include <mlx/memory.h>
#include <mlx/ops.h>
#include <mlx/stream.h>
#include <mlx/transforms.h>
#include <mlx/version.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <variant>

#include "backends/mlx/mlx_collectives.h"
#include "backends/mlx/mlx_ops.h"
#include "execution/backend.h"
#include "model/check.h"
#include "model/ops.h"
#include "model/parallel.h"
#include "model/random.h"

namespace opbench::mlx_backend {

namespace {

// One call of an op: the input arrays in, the result (one array) out; or one
// training step: the inputs and the upstream gradient in, the result and the
// gradients out (backward_graph). Plain backends call the function, compiled
// ones mx::compile's wrapping of it.
using Graph = std::function<Arrays(const Arrays&)>;

// MLX places each op on the default device, as Python's
// mx.set_default_device does; the backends of both devices live in one
// process, so each sets its own for as long as it builds graphs. Nothing is
// set when the device is already the default (a worker runs one device), so
// a timed call pays for no device switching a Python user does not.
class DeviceScope {
 public:
  explicit DeviceScope(mx::Device device) : previous_(mx::default_device()) {
    if (previous_ != device) mx::set_default_device(device);
  }
  ~DeviceScope() {
    if (mx::default_device() != previous_) mx::set_default_device(previous_);
  }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  mx::Device previous_;
};

// Float inputs are copied as float32; Int64 indices become int32, the type
// MLX users index with. Index values are below a row count that mlx_shape
// has checked fits 32 bits, so nothing is lost.
// As mx::array(begin, shape, dtype) does (a buffer from MLX's allocator, the
// values written from the host), but copied on all cores: MLX's own copy is
// one std::copy, 6 s for the default suite's 11 GiB of inputs on mlx_gpu.
template <typename To, typename From>
mx::array array_of(const From* from, size_t n, mx::Shape shape, mx::Dtype dtype) {
#if MLX_VERSION_NUMERIC >= 32004  // allocator::Data came with 0.32.4 (opbench run --versions times older ones)
  mx::allocator::Data data = mx::allocator::malloc(n * sizeof(To));
  copy_on_all_cores(from, n, static_cast<To*>(data.buffer().raw_ptr()));
  return mx::array(std::move(data), std::move(shape), dtype);
#else
  mx::allocator::Buffer buffer = mx::allocator::malloc(n * sizeof(To));
  copy_on_all_cores(from, n, static_cast<To*>(buffer.raw_ptr()));
  return mx::array(buffer, std::move(shape), dtype);
#endif
}

mx::array to_array(const HostTensor& t) {
  mx::Shape shape = mlx_shape(t.shape);
  return t.dtype == DType::Float32 ? array_of<float>(t.f32.data(), t.f32.size(), std::move(shape), mx::float32)
                                   : array_of<int32_t>(t.i64.data(), t.i64.size(), std::move(shape), mx::int32);
}

// A result back on the host: float32 as is, integers (Argmax's uint32) as
// Int64, row-major whatever strides MLX chose.
HostTensor to_host(const mx::array& result) {
  mx::array a = mx::contiguous(result);
  mx::eval(a);
  HostTensor out;
  out.name = "out";
  out.shape.assign(a.shape().begin(), a.shape().end());
  auto copy = [&a](auto* from, auto& to) {
    to.resize(a.size());
    copy_on_all_cores(from, a.size(), to.data());
  };
  if (a.dtype() == mx::float32) {
    copy(a.data<float>(), out.f32);
  } else if (a.dtype() == mx::uint32) {
    out.dtype = DType::Int64;
    copy(a.data<uint32_t>(), out.i64);
  } else if (a.dtype() == mx::int32) {
    out.dtype = DType::Int64;
    copy(a.data<int32_t>(), out.i64);
  } else {
    mx::array f = mx::astype(a, mx::float32);
    mx::eval(f);
    copy(f.data<float>(), out.f32);
  }
  return out;
}

// On the CPU a float result is scanned where it lies, on all cores, instead
// of through a temporary of its size (isfinite's).
bool result_is_finite(const mx::array& r) {
  if (r.dtype() == mx::float32 && mx::default_device() == mx::Device::cpu) {
    mx::eval(r);  // a lazy view in the reference's layout gets its strides here
    if (r.flags().row_contiguous) return all_finite(r.data<float>(), r.size());
  }
  return mx::all(mx::isfinite(r)).item<bool>();
}

// result_digest's formula in MLX operations, for a result on the GPU, in
// parts of 16 M elements (uint64 arithmetic wraps as the host's does).
uint64_t digest_on_device(const mx::array& flat) {
  constexpr int64_t kPart = int64_t{1} << 24;
  auto u64 = [](uint64_t v) { return mx::array(v, mx::uint64); };
  const int64_t n = static_cast<int64_t>(flat.size());
  mx::array total = u64(0);
  for (int64_t start = 0; start < n; start += kPart) {
    const int64_t end = std::min(n, start + kPart);
    mx::array z = mx::astype(mx::view(mx::slice(flat, {static_cast<int>(start)}, {static_cast<int>(end)}), mx::uint32), mx::uint64);
    z = (z ^ (mx::arange(static_cast<double>(start), static_cast<double>(end), mx::uint64) * u64(kGolden))) + u64(kGolden);
    z = (z ^ (z >> u64(30))) * u64(kMix1);
    z = (z ^ (z >> u64(27))) * u64(kMix2);
    total = total + mx::sum(z ^ (z >> u64(31)));
  }
  mx::eval(total);
  return total.item<uint64_t>();
}

// The result's digest (check.h's result_digest): read in place on the CPU,
// found by MLX on the GPU; nullopt unless the result is float32.
std::optional<uint64_t> result_digest_of(const mx::array& r) {
  if (r.dtype() != mx::float32) return std::nullopt;
  if (mx::default_device() == mx::Device::cpu) {
    mx::array a = mx::contiguous(r);
    mx::eval(a);
    return result_digest(a.data<float>(), a.size());
  }
  return digest_on_device(mx::reshape(r, {-1}));
}

class MlxPrepared : public PreparedOp {
 public:
  // `gradients`: the graph is a training step, whose outputs after the
  // result are the gradients that output() gives back.
  // `to_reference`: the result as the reference lays it out (MlxOp's
  // to_reference_layout, bound to the experiment); `ranks`: a collective's
  // world, whose samples agree on the slowest rank, 0 for any other op.
  MlxPrepared(mx::Device device, Graph graph, Arrays inputs, int rebinds, bool gradients,
              std::function<mx::array(const mx::array&)> to_reference, int ranks)
      : device_(device), graph_(std::move(graph)), inputs_(std::move(inputs)), rebinds_(rebinds), gradients_(gradients),
        to_reference_(std::move(to_reference)), ranks_(ranks) {}

  // Builds the lazy graph and evaluates it, as Python's `mx.eval(fn(x))`:
  // it returns once the result is computed on the device (the stream signals
  // an event after the call's kernels), so no second synchronisation is
  // needed, and none is paid.
  void run() override {
    DeviceScope scope(device_);
    outputs_ = call();
    evaluate();
  }
  // `n` graphs queued with async_eval and one wait at the end: the batched
  // timing mode's launches back to back.
  void run_batch(size_t n) override {
    DeviceScope scope(device_);
    for (size_t i = 0; i < n; ++i) {
      outputs_ = call();
      mx::async_eval(outputs_);
    }
    evaluate();
  }
  void set_wait(GpuWait wait) override { wait_ = wait; }
  void release_output() override { outputs_.clear(); }
  void release_cached_memory() override {
    DeviceScope scope(device_);
    mx::clear_cache();
  }
  void agree_on_slowest(std::span<double> values) override {
    if (!ranks_) return;
    DeviceScope scope(device_);
    mlx_backend::agree_on_slowest(device_, ranks_, values);
  }
  // MLX's allocator keeps freed buffers for reuse: a NaN-filled one of the
  // result's size is what a fresh, unwritten result would get next. Only
  // while its cache has room, though: on the CPU (32 MiB) a larger block goes
  // back to the system when freed, and filling it (1.5 GB for Concat 10^6 x
  // 192: 3-4 s of page faults on two cores) would poison nothing.
  void poison(size_t bytes) override {
    DeviceScope scope(device_);
    if (device_ == mx::Device::cpu) {
      const size_t room = mx::set_cache_limit(0);  // MLX has no getter: read by setting, then restored
      mx::set_cache_limit(room);
      bytes = std::min(bytes, room);
    }
    mx::array block = mx::full({static_cast<int>(bytes / sizeof(float))}, NAN, mx::float32);
    mx::eval(block);
    if (device_ == mx::Device::gpu) mx::synchronize();
  }
  HostTensor output() override {
    if (outputs_.empty()) throw std::runtime_error("no MLX result: run() has not been called");
    DeviceScope scope(device_);
    if (!gradients_) return to_host(result());
    HostTensor out = to_host(joined_gradients());
    out.name = "gradients";
    return out;
  }
  std::optional<uint64_t> output_digest() override {
    if (gradients_ || outputs_.empty()) return std::nullopt;
    DeviceScope scope(device_);
    return result_digest_of(result());
  }
  // Gathered on the device: only the sampled elements of a forward result,
  // or of the joined gradients, come to the host.
  SampledOutput output_at(const std::vector<int64_t>& positions) override {
    if (outputs_.empty()) throw std::runtime_error("no MLX result: run() has not been called");
    DeviceScope scope(device_);
    const mx::array r = gradients_ ? joined_gradients() : result();
    SampledOutput out;
    out.shape.assign(r.shape().begin(), r.shape().end());
    if (mx::issubdtype(r.dtype(), mx::floating)) out.all_finite = result_is_finite(r);
    if (positions.empty() || positions.back() >= static_cast<int64_t>(r.size())) return out;  // a wrong shape
    std::vector<int64_t> picks(positions);
    mx::array index(picks.data(), {static_cast<int>(picks.size())}, mx::int64);
    out.values = to_host(mx::take(mx::reshape(r, {-1}), index));
    if (gradients_) out.values.name = "gradients";  // as output() names them
    return out;
  }
  // One run() between MLX's own counts. MLX's reset sets the peak to 0, not
  // to what is in use, and the peak moves only when something is allocated:
  // a call that allocates nothing leaves it below what was in use before.
  MemoryFigure measure_peak_memory() override {
    DeviceScope scope(device_);
    release_output();  // the last result is not the inputs' part
    // On the GPU MLX frees a buffer once the stream is done with it: wait, or
    // the last result still counts as in use and the new one replaces it unseen.
    if (device_ == mx::Device::gpu) mx::synchronize();
    const size_t before = mx::get_active_memory();
    mx::reset_peak_memory();
    run();
    const size_t peak = std::max(mx::get_peak_memory(), before);
    MemoryFigure m;
    m.peak_bytes = static_cast<double>(peak - before);
    m.source = "MLX's allocator (active memory)";
    m.in_place = result_shares_an_input();
    release_output();
    return m;
  }

 private:
  // mx::eval of the outputs. Its wait on the GPU sleeps on a blocking-sync
  // CUDA event until the driver's interrupt wakes the thread: 20-50 us more
  // a call on the H200 machine, and only when the kernels outlast the
  // launch, which makes a small cell's time flip between two modes
  // (docs/sampling.md). Under GpuWait::poll the thread asks whether the
  // outputs are done instead (a cudaEventQuery each), yielding between asks
  // so that MLX's completion thread can run where --one-core holds them all
  // on one core (though more slowly there than when this thread sleeps).
  void evaluate() {
    if (device_ == mx::Device::gpu && wait_ == GpuWait::poll) {
      mx::async_eval(outputs_);
      for (mx::array& a : outputs_)
        while (!a.is_available()) std::this_thread::yield();
    }
    mx::eval(outputs_);
  }
  // The last forward result in the reference's layout.
  mx::array result() const { return to_reference_ ? to_reference_(outputs_.front()) : outputs_.front(); }
  // A training step's gradients, flattened and joined in input order. MLX
  // keeps the reference's layout; an input that prepare reshaped (scatter's
  // E x 1 x F updates) has the same elements in the same order.
  mx::array joined_gradients() const {
    Arrays flat;
    for (size_t i = 1; i < outputs_.size(); ++i) flat.push_back(mx::flatten(outputs_[i]));
    return mx::concatenate(flat);
  }

  // One call's lazy result; an op that rebinds its buffer (x[idx] = src)
  // makes the result its new buffer, leaving the old one referenced by the
  // graph alone, so that MLX may write the result into it.
  Arrays call() {
    Arrays out = graph_(inputs_);
    if (rebinds_ >= 0) inputs_[rebinds_] = out.front();
    return out;
  }

  // The last result shares an input's buffer: MLX gives a reduction over one
  // element its input's memory, and an op that rebinds its buffer makes its
  // result that input.
  bool result_shares_an_input() const {
    if (outputs_.empty() || gradients_) return false;  // gradients are always new memory
    for (const mx::array& input : inputs_)
      if (input.data_shared_ptr() == outputs_.front().data_shared_ptr()) return true;
    return false;
  }

  mx::Device device_;
  Graph graph_;
  Arrays inputs_;
  int rebinds_;
  bool gradients_;
  std::function<mx::array(const mx::array&)> to_reference_;
  int ranks_;
  Arrays outputs_;  // empty before the first run and after release_output
  GpuWait wait_ = GpuWait::poll;
};

struct Variant {
  BackendInfo info;
  mx::Device::DeviceType device;
  bool compiled;
};

class MlxBackend : public Backend {
 public:
  explicit MlxBackend(Variant variant) : variant_(std::move(variant)) {}

  const BackendInfo& info() const override { return variant_.info; }
  std::string unavailable_reason() const override {
    if (mx::is_available(device())) return "";
    return device() == mx::Device::gpu
               ? "this MLX has no GPU device (pip install mlx[cuda13] on NVIDIA, or run on Apple silicon)"
               : "this MLX has no CPU device";
  }
  std::map<std::string, std::string> versions() const override { return {{"mlx", mx::version()}}; }
  std::string device_name() const override;
  // MLX has no API for its CPU thread count (its CPU work runs on its own
  // stream thread, plus whatever its BLAS does), so `threads` is not applied.
  void set_threads(int) override {}

  OpSupport support(const std::string& op) const override { return mlx_ops().support(op); }
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) override {
    const MlxOp& op = mlx_ops().require(e.op);
    try {
      DeviceScope scope(device());
      // MLX keeps freed buffers for reuse only while its cache has room
      // (32 MiB on the CPU): whether a cell's result is a recycled buffer or
      // fresh, page-faulting memory would otherwise depend on what earlier
      // cells left there. Every cell starts from an empty cache.
      mx::clear_cache();
      bool backward = e.pass == Pass::backward;
      // The backward pass's upstream gradient (the last input) is no input of the op's.
      Arrays arrays = prepared_inputs(e, op, inputs, inputs.size() - backward);
      Graph graph = backward ? backward_graph(e, op, differentiable_inputs(inputs)) : graph_of(e, op);
      if (backward) arrays.push_back(in_dtype(to_array(inputs.back()), e));
      if (variant_.compiled) graph = compiled(graph, arrays);
      // A training step differentiates the same buffer every call: nothing rebinds.
      int rebinds = variant_.compiled || backward ? -1 : op.rebinds;
      std::function<mx::array(const mx::array&)> to_reference;
      if (op.to_reference_layout) to_reference = [e, f = op.to_reference_layout](const mx::array& r) { return f(e, r); };
      return std::make_unique<MlxPrepared>(device(), std::move(graph), std::move(arrays), rebinds, backward,
                                           std::move(to_reference), e.spec().collective ? e.ranks : 0);
    } catch (const std::exception& err) {
      throw std::runtime_error(std::string("MLX ") + mx::version() + " cannot prepare " + e.op + ": " + err.what());
    }
  }

 private:
  mx::Device device() const { return mx::Device(variant_.device); }

  // The inputs as arrays on this backend's device, with the op's own
  // preparation done and everything evaluated, so that no timed call pays for it.
  // The first `count` of `inputs`.
  static Arrays prepared_inputs(const Experiment& e, const MlxOp& op, const std::vector<HostTensor>& inputs,
                                size_t count) {
    Arrays arrays;
    for (size_t i = 0; i < count; ++i) arrays.push_back(to_array(inputs[i]));
    if (op.prepare) arrays = op.prepare(e, std::move(arrays));
    for (mx::array& a : arrays) a = in_dtype(a, e);
    mx::eval(arrays);
    return arrays;
  }

  // A float32 array in the experiment's dtype; other arrays (indices) as they are.
  static mx::array in_dtype(const mx::array& a, const Experiment& e) {
    mx::Dtype dtype = e.dtype == FloatType::float16 ? mx::float16 : e.dtype == FloatType::bfloat16 ? mx::bfloat16 : mx::float32;
    return a.dtype() == mx::float32 ? mx::astype(a, dtype) : a;
  }

  // One training step of the op, as mx.value_and_grad gives it: the op's
  // prepared inputs and the upstream gradient in; the result and, through
  // mx::vjp, the gradients of the inputs at `positions` out (the float
  // inputs: op.prepare keeps input i at position i, reshaped at most, and
  // appends its helpers). The compiled backends compile this whole function.
  static Graph backward_graph(const Experiment& e, const MlxOp& op, std::vector<size_t> positions) {
    return [e, call = op.call, positions](const Arrays& in) {
      Arrays fixed(in.begin(), in.end() - 1), primals;
      for (size_t p : positions) primals.push_back(in[p]);
      auto forward = [&](const Arrays& x) {
        Arrays all = fixed;
        for (size_t k = 0; k < positions.size(); ++k) all[positions[k]] = x[k];
        return Arrays{call(e, all)};
      };
      auto [result, gradients] = mx::vjp(forward, primals, {in.back()});
      result.insert(result.end(), gradients.begin(), gradients.end());
      return result;
    };
  }

  // The experiment's parameters (axis, shapes) are captured here, so the
  // same closure serves plain and compiled backends.
  static Graph graph_of(const Experiment& e, const MlxOp& op) {
    return [e, call = op.call](const Arrays& in) { return Arrays{call(e, in)}; };
  }

  // mx::compile gives a capturing closure its own id (one per compiled
  // function, erased from MLX's cache when that function is destroyed), so
  // every prepared experiment is traced on its own. The first call traces and
  // builds the fused kernels (on the CPU, by running a C++ compiler): done
  // here, outside timing. MLX keeps its compile cache per thread, so run()
  // must come from the thread that prepared.
  static Graph compiled(const Graph& graph, const Arrays& inputs) {
    Graph fused = mx::compile(graph);
    mx::eval(fused(inputs));
    return fused;
  }

  Variant variant_;
};

// "NVIDIA H100 80GB HBM3 (79 GiB)" as MLX describes its GPU; empty on the CPU.
std::string MlxBackend::device_name() const {
  if (device() != mx::Device::gpu || !mx::is_available(device())) return "";
  const auto& facts = mx::device_info(device());
  auto text = [&](const char* key) -> std::string {
    auto it = facts.find(key);
    const std::string* s = it == facts.end() ? nullptr : std::get_if<std::string>(&it->second);
    return s ? *s : "";
  };
  auto bytes = [&](const char* key) -> size_t {
    auto it = facts.find(key);
    const size_t* n = it == facts.end() ? nullptr : std::get_if<size_t>(&it->second);
    return n ? *n : 0;
  };
  std::string name = text("device_name");
  size_t memory = bytes("total_memory") ? bytes("total_memory") : bytes("memory_size");
  if (name.empty() || !memory) return name;
  char buf[64];
  std::snprintf(buf, sizeof buf, " (%.0f GiB)", memory / 1073741824.0);
  return name + buf;
}

std::unique_ptr<Backend> backend(BackendInfo info, mx::Device::DeviceType device, bool compiled) {
  return std::make_unique<MlxBackend>(Variant{std::move(info), device, compiled});
}

// Their columns and speedup columns: model/backend_info.cpp.
OPBENCH_REGISTER_BACKEND("mlx_gpu", [] {
  return backend(backend_info("mlx_gpu", "mlx framework with gpu backend"), mx::Device::gpu, false);
});
OPBENCH_REGISTER_BACKEND("mlx_gpu_compile", [] {
  return backend(backend_info("mlx_gpu_compile", "mlx framework with gpu backend and mx.compile"), mx::Device::gpu, true);
});
OPBENCH_REGISTER_BACKEND("mlx_cpu", [] {
  return backend(backend_info("mlx_cpu", "mlx framework with cpu backend"), mx::Device::cpu, false);
});
OPBENCH_REGISTER_BACKEND("mlx_cpu_compile", [] {
  return backend(backend_info("mlx_cpu_compile", "mlx framework with cpu backend and mx.compile"), mx::Device::cpu, true);
});

}  // namespace

}  // namespace opbench::mlx_backend
