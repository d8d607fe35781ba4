// The counting wrapper around LibTorch's CPU allocator (--memory on `cpu`),
// against allocations of known sizes, and the figure the cpu backend gives a
// real op through the runner; the result digest in ATen operations (what a
// GPU result's check computes) against the host's; copies to and from a
// CUDA device, where one is present, against the values sent.
#include <ATen/ATen.h>
#include <c10/core/CPUAllocator.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "backends/torch/torch_device.h"
#include "backends/torch/torch_memory.h"
#include "execution/backend.h"
#include "execution/runner.h"
#include "model/check.h"
#include "model/ops.h"

namespace opbench {
namespace {

using torch_backend::count_cpu_memory;
using torch_backend::cpu_peak_bytes;

constexpr int64_t kBytes = 3 << 20;

at::Tensor block() { return at::empty({kBytes}, at::kByte); }

TEST(TorchCpuMemory, AKnownAllocationIsCountedWhole) {
  count_cpu_memory();
  std::optional<double> peak = cpu_peak_bytes([] { at::Tensor t = block(); });
  ASSERT_TRUE(peak);
  EXPECT_GE(*peak, kBytes);
  EXPECT_LT(*peak, kBytes + 4096);  // nothing else was allocated
}

// Two blocks one after the other need one block's memory; two held at once, two.
TEST(TorchCpuMemory, FreedMemoryIsGivenBackHeldMemoryAddsUp) {
  count_cpu_memory();
  std::optional<double> in_turn = cpu_peak_bytes([] {
    for (int i = 0; i < 2; ++i) at::Tensor t = block();
  });
  std::optional<double> together = cpu_peak_bytes([] {
    at::Tensor a = block(), b = block();
  });
  ASSERT_TRUE(in_turn && together);
  EXPECT_LT(*in_turn, 2 * kBytes);
  EXPECT_GE(*together, 2 * kBytes);
}

// What was allocated before a measurement is the inputs' part: freeing it
// during the call neither counts nor breaks the counts, and a block the call
// leaves behind (its result) is freed later without a trace on the next one.
TEST(TorchCpuMemory, OnlyWhatTheCallAllocatesCounts) {
  count_cpu_memory();
  at::Tensor input = block(), kept;
  std::optional<double> peak = cpu_peak_bytes([&] {
    input.reset();
    kept = at::empty({1024}, at::kByte);
  });
  ASSERT_TRUE(peak);
  EXPECT_GE(*peak, 1024);
  EXPECT_LT(*peak, 1024 + 4096);
  kept.reset();
  std::optional<double> nothing = cpu_peak_bytes([] {});
  ASSERT_TRUE(nothing);
  EXPECT_EQ(*nothing, 0);
}

// oneDNN gets its buffers through raw_allocate: counted, and freed through
// raw_deallocate whether counted or not.
TEST(TorchCpuMemory, RawAllocationsAreCountedAndFreed) {
  count_cpu_memory();
  c10::Allocator* allocator = c10::GetCPUAllocator();
  void* counted = nullptr;
  std::optional<double> peak = cpu_peak_bytes([&] { counted = allocator->raw_allocate(kBytes); });
  ASSERT_TRUE(peak);
  EXPECT_GE(*peak, kBytes);
  allocator->raw_deallocate(counted);
  void* uncounted = allocator->raw_allocate(kBytes);
  allocator->raw_deallocate(uncounted);
}

// The cpu backend's figure for ReLU of 2^20 floats: its 4 MiB result, and
// nothing else of size (LibTorch's ReLU allocates the result only).
TEST(TorchCpuMemory, TheCpuBackendMeasuresReluAtItsResult) {
  std::vector<std::unique_ptr<Backend>> all = create_backends();
  Backend* cpu = nullptr;
  for (auto& b : all)
    if (b->info().name == "cpu") cpu = b.get();
  ASSERT_NE(cpu, nullptr);
  cpu->count_memory();
  const Experiment e = parse_experiment("ReLU dim1=1024x1024");
  const std::vector<HostTensor> inputs = make_inputs(e, 0);
  SamplerSettings quick;
  quick.warmup_s = 0;
  quick.min_time_s = 0;
  quick.max_time_s = 0.001;
  Cell cell = run_cell(*cpu, e, inputs, nullptr, quick, /*memory=*/true);
  ASSERT_TRUE(cell.ok()) << cell.error;
  ASSERT_TRUE(cell.memory);
  ASSERT_TRUE(cell.memory->measured()) << cell.memory->unavailable;
  EXPECT_EQ(cell.memory->least_bytes, 4 << 20);
  EXPECT_GE(cell.memory->peak_bytes, 4 << 20);
  EXPECT_LT(cell.memory->peak_bytes, (4 << 20) + 65536);
  EXPECT_EQ(implausible_memory(*cell.memory), "");
  EXPECT_FALSE(cell.memory->in_place);
}

// Two parts and a short one (16 M elements a part), values of every sign
// and size, -0.0 among them: the same digest as the host's, bit for bit;
// another value, or a value moved, another digest.
TEST(TorchDigest, ATenFindsTheHostsDigest) {
  const int64_t n = (int64_t{1} << 25) + 12345;
  at::Tensor x = at::randn({n}, at::kFloat).mul_(1e30).div_(at::arange(1, n + 1, at::kFloat));
  x[7] = -0.0f;
  const uint64_t host = result_digest(x.data_ptr<float>(), static_cast<size_t>(n));
  EXPECT_EQ(torch_backend::digest_by_aten(x), host);
  at::Tensor changed = x.clone();
  changed[7] = 0.0f;
  EXPECT_NE(torch_backend::digest_by_aten(changed), host);
  at::Tensor moved = x.clone();
  moved[0] = x[n - 1];
  moved[n - 1] = x[0];
  EXPECT_NE(torch_backend::digest_by_aten(moved), host);
}

// Large enough to be staged: three 64 MiB stages would not hold it whole,
// and it ends in a part-filled one.
constexpr int64_t kStaged = (int64_t{40} << 20) / 4 + 123;

TEST(TorchTransfer, HostToHostIsAPlainCopy) {
  at::Tensor from = at::arange(kStaged, at::kFloat), to = at::empty({kStaged});
  torch_backend::transfer(to, from);
  EXPECT_TRUE(at::equal(to, from));
}

TEST(TorchTransfer, LargeCopiesCrossWholeBothWays) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const at::Tensor host = at::arange(kStaged, at::kFloat);  // every value distinct and exact
  at::Tensor device = at::full({kStaged}, NAN, at::device(at::kCUDA));
  torch_backend::transfer(device, host);
  EXPECT_TRUE(at::equal(device.cpu(), host));
  at::Tensor back = at::full({kStaged}, NAN);
  torch_backend::transfer(back, device);
  EXPECT_TRUE(at::equal(back, host));
}

// A destination in another layout gets each value at its own index; a
// device tensor of another dtype arrives converted.
TEST(TorchTransfer, LayoutsAndDtypesAreKept) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const at::Tensor square = at::arange(3200 * 3200, at::kFloat).view({3200, 3200});
  at::Tensor transposed = at::empty({3200, 3200}, at::device(at::kCUDA)).t();
  torch_backend::transfer(transposed, square);
  EXPECT_TRUE(at::equal(transposed.cpu(), square));
  const at::Tensor small = at::remainder(at::arange(kStaged, at::kFloat), 1024.0);  // exact in half
  at::Tensor half = small.to(at::device(at::kCUDA).dtype(at::kHalf));
  at::Tensor back = at::empty({kStaged});
  torch_backend::transfer(back, half);
  EXPECT_TRUE(at::equal(back, small));
}

}  // namespace
}  // namespace opbench
