// Backends for testing opbench itself, never for measuring: registered only
// when the environment has OPBENCH_TEST_BACKENDS=1 (a worker process started
// by `opbench run` inherits it).
//
//   test_ok     computes each op with the double-precision reference: every
//               op, always right, slow on large shapes
//   test_abort  prints a line on stderr and calls abort() in every run
//   test_segv   prints a line and dies of SIGSEGV in every run
//   test_kill   dies of SIGKILL in every run, as the out-of-memory killer does
//   test_hang   never returns from a run
//
// and backends that answer wrongly, or imprecisely, on purpose (every op not
// named is computed as test_ok does):
//   test_lossy_sum   SumAll summed in order in an accumulator of bfloat16's 8
//                    significant bits: precision lost as a framework can lose it
//   test_stray_row   Scatter: the first written row holds values of no source row
//   test_nan         a NaN as the first element of every float output
//   test_double      every float output doubled
//   test_bad_gradient  the backward pass: the gradient of the last float
//                    input (PReLU's alpha, Linear's bias) 1.5 times too large
//   test_low_memory  a peak memory of half its result's bytes (--memory), which
//                    no call can have
// and one that declares, as a framework may, that it cannot run any op:
//   test_cannot      every cell nan, with the declared reason
// and ones that name a device, as a GPU backend does, and fail every call
// after the checked one unless its thread is held on one core (--one-core),
// or unless it was told to wait for its results by sleeping (--wait sleep):
//   test_one_core
//   test_sleep
// and, for the ranks of a collective (one worker process a rank), backends
// that misbehave on rank 1 only and are test_ok on every other rank:
//   test_segv_rank1    dies of SIGSEGV in every run
//   test_hang_rank1    never returns from a run
//   test_double_rank1  every float output doubled
//   test_absent_rank1  unavailable: rank 1's worker cannot start
#ifdef __linux__
#include <sched.h>
#endif
#include <signal.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>

#include "execution/backend.h"
#include "execution/world.h"
#include "model/check.h"
#include "model/ops.h"

namespace opbench::testing_backends {

namespace {

enum class Fault { None, Abort, Segv, Kill, Hang, LossySum, StrayRow, NaN, Double, BadGradient, Cannot, LowMemory, Absent, Sticky, OneCore, Sleep };

// `value` rounded to `bits` significant bits.
double rounded(double value, int bits) {
  int exponent = 0;
  double mantissa = std::frexp(value, &exponent);
  return std::ldexp(std::round(std::ldexp(mantissa, bits)), exponent - bits);
}

// What computing a result holds at its peak: the reference's doubles and
// the output copied from them.
double reference_peak_bytes(const Experiment& e) {
  double elements = static_cast<double>(element_count(e.spec().output_shape(e)));
  return elements * 8 + elements * (e.spec().gives_indices ? 8 : 4);
}

// The cores the calling thread may run on (Linux); 1 elsewhere.
int cores_of_this_thread() {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
#endif
  return 1;
}

// The sum of `x` in order, the running sum kept in bfloat16's 8 significant bits.
float lossy_sum(const HostBuffer<float>& x) {
  double sum = 0;
  for (float v : x) sum = rounded(sum + v, 8);
  return static_cast<float>(sum);
}

class ReferencePrepared : public PreparedOp {
 public:
  ReferencePrepared(const Experiment& e, const std::vector<HostTensor>& inputs, Fault fault)
      : e_(e), inputs_(inputs), fault_(fault) {}

  void run() override {
    misbehave();
    // The whole reference, however long it takes: the forward result, or
    // the backward pass's gradients joined as a framework backend gives them.
    RefTensor ref = e_.pass == Pass::forward ? e_.spec().reference(e_, inputs_) : stored_gradients(e_, inputs_);
    bool indices = e_.pass == Pass::forward && e_.spec().gives_indices;
    HostTensor out{"out", ref.shape, indices ? DType::Int64 : DType::Float32, {}, {}};
    if (out.dtype == DType::Int64) out.i64.assign(ref.values.begin(), ref.values.end());
    else out.f32.assign(ref.values.begin(), ref.values.end());
    if (!out.f32.empty()) plant(out.f32);
    output_ = std::move(out);
  }
  HostTensor output() override { return output_; }
  void release_output() override { output_ = {}; }
  void set_wait(GpuWait wait) override { wait_ = wait; }
  // Counted from what run() allocates, not measured: only test_low_memory's
  // figure is wrong, below what its result alone takes.
  MemoryFigure measure_peak_memory() override {
    run();
    release_output();
    MemoryFigure m;
    m.peak_bytes = fault_ == Fault::LowMemory ? least_memory(e_) / 2 : reference_peak_bytes(e_);
    m.source = "counted by the test backend";
    return m;
  }

 private:
  void misbehave() {
    switch (fault_) {
      case Fault::None:
      case Fault::Cannot:
      case Fault::LossySum:
      case Fault::StrayRow:
      case Fault::NaN:
      case Fault::Double:
      case Fault::BadGradient:
      case Fault::LowMemory:
      case Fault::Absent:
      case Fault::Sticky:
        return;
      case Fault::OneCore:
        // The checked run comes before the warm-up, unheld.
        if (++calls_ > 1)
          if (const int cores = cores_of_this_thread(); cores > 1)
            throw std::runtime_error("test_one_core: a timed call's thread may run on " + std::to_string(cores) + " cores");
        return;
      case Fault::Sleep:
        if (++calls_ > 1 && wait_ != GpuWait::sleep)
          throw std::runtime_error(std::string("test_sleep: a timed call was told to wait by '") + word(wait_) + "', not by sleeping");
        return;
      case Fault::Abort:
        std::fprintf(stderr, "test_abort: aborting on purpose\n");
        std::fflush(stderr);
        std::abort();
      case Fault::Segv:
        std::fprintf(stderr, "test_segv: a segmentation fault on purpose\n");
        std::fflush(stderr);
        raise(SIGSEGV);  // what a wild pointer would bring, without the undefined behaviour
        std::_Exit(99);
      case Fault::Kill:
        raise(SIGKILL);
        std::_Exit(99);
      case Fault::Hang:
        std::fprintf(stderr, "test_hang: hanging on purpose\n");
        std::fflush(stderr);
        while (true) pause();
    }
  }

  // The wrong (or imprecise) answer of a planted fault, in place of the right one.
  void plant(HostBuffer<float>& out) const {
    switch (fault_) {
      case Fault::LossySum:
        if (e_.op == "SumAll") out[0] = lossy_sum(inputs_[0].f32);
        return;
      case Fault::StrayRow:
        if (e_.op == "Scatter") {
          int64_t row = inputs_[0].i64[0], cols = e_.dims[0][1];
          for (int64_t c = 0; c < cols; ++c) out[row * cols + c] += 1000;  // no source row is this far out
        }
        return;
      case Fault::NaN:
        out[0] = std::numeric_limits<float>::quiet_NaN();
        return;
      case Fault::Double:
        for (float& v : out) v *= 2;
        return;
      case Fault::BadGradient:
        if (e_.pass == Pass::backward) {
          // The gradients are joined in input order: the last input's come last.
          int64_t last = inputs_[differentiable_inputs(inputs_).back()].numel();
          for (size_t i = out.size() - last; i < out.size(); ++i) out[i] *= 1.5f;
        }
        return;
      default:
        return;
    }
  }

  Experiment e_;
  std::vector<HostTensor> inputs_;
  Fault fault_;
  HostTensor output_;
  size_t calls_ = 0;
  GpuWait wait_ = GpuWait::poll;
};

// The rank a fault is planted on; every other rank is test_ok.
constexpr int kEveryRank = -1;

class TestBackend : public Backend {
 public:
  TestBackend(std::string name, int column, Fault fault, int on_rank)
      : fault_(on_rank == kEveryRank || world_from_environment().rank == on_rank ? fault : Fault::None) {
    info_.name = std::move(name);
    info_.column = column;
    info_.description = "test backend (OPBENCH_TEST_BACKENDS)";
  }
  const BackendInfo& info() const override { return info_; }
  std::string device_name() const override {
    return fault_ == Fault::OneCore || fault_ == Fault::Sleep ? "a test device" : "";
  }
  std::string unavailable_reason() const override {
    return fault_ == Fault::Absent ? info_.name + " is absent on rank " + std::to_string(world_from_environment().rank) + ", on purpose" : "";
  }
  std::map<std::string, std::string> versions() const override { return {}; }
  OpSupport support(const std::string& op) const override {
    if (fault_ == Fault::Cannot) return {false, "test_cannot declares that it cannot run " + op + ", on purpose"};
    return {true, ""};
  }
  std::unique_ptr<PreparedOp> prepare(const Experiment& e, const std::vector<HostTensor>& inputs) override {
    if (OpSupport s = support(e.op); !s.implemented) throw std::runtime_error(s.cannot);
    // A framework's error that outlives its call, as CUDA's sticky errors do:
    // test_sticky fails Sort, and every test backend of its process fails after.
    static bool poisoned = false;
    if (poisoned) throw std::runtime_error("test_sticky's earlier failure left this process failing");
    if (fault_ == Fault::Sticky && e.op == "Sort") {
      poisoned = true;
      throw std::runtime_error("test_sticky fails Sort, on purpose");
    }
    return std::make_unique<ReferencePrepared>(e, inputs, fault_);
  }

 private:
  BackendInfo info_;
  Fault fault_;
};

bool enabled() {
  const char* value = std::getenv("OPBENCH_TEST_BACKENDS");
  return value && *value && std::string(value) != "0";
}

bool register_all() {
  const struct {
    const char* name;
    int column;
    Fault fault;
    int on_rank = kEveryRank;
  } kinds[] = {{"test_abort", 901, Fault::Abort}, {"test_segv", 902, Fault::Segv}, {"test_kill", 903, Fault::Kill},
               {"test_hang", 904, Fault::Hang},   {"test_ok", 905, Fault::None},
               {"test_lossy_sum", 906, Fault::LossySum}, {"test_stray_row", 907, Fault::StrayRow},
               {"test_nan", 908, Fault::NaN},     {"test_double", 909, Fault::Double},
               {"test_cannot", 910, Fault::Cannot}, {"test_bad_gradient", 911, Fault::BadGradient},
               {"test_low_memory", 912, Fault::LowMemory}, {"test_segv_rank1", 913, Fault::Segv, 1},
               {"test_hang_rank1", 914, Fault::Hang, 1}, {"test_double_rank1", 915, Fault::Double, 1},
               {"test_absent_rank1", 916, Fault::Absent, 1}, {"test_sticky", 917, Fault::Sticky},
               {"test_one_core", 918, Fault::OneCore}, {"test_sleep", 919, Fault::Sleep}};
  for (const auto& k : kinds) {
    std::string name = k.name;
    int column = k.column, on_rank = k.on_rank;
    Fault fault = k.fault;
    register_backend(name, [=] { return std::make_unique<TestBackend>(name, column, fault, on_rank); });
  }
  return true;
}

const bool registered = enabled() && register_all();

}  // namespace

}  // namespace opbench::testing_backends
