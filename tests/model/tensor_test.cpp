// Host buffers: where their memory comes from.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "model/tensor.h"

namespace opbench {
namespace {

uintptr_t address(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// A large buffer starts on a 2 MiB boundary (what lets the kernel back it by
// huge pages) and holds every element; a small one comes from operator new.
TEST(HostMemory, LargeBuffersStartOnAHugePageAndSmallOnesAreOrdinary) {
  HostBuffer<float> large(size_t{40} << 20 >> 2);  // 40 MiB
  EXPECT_EQ(address(large.data()) % (size_t{2} << 20), 0u);
  large.back() = 1.5f;
  large.front() = -2.0f;
  EXPECT_EQ(large.back(), 1.5f);
  HostBuffer<double> grown;
  for (int i = 0; i < (5 << 20); ++i) grown.push_back(i);  // through every size, small to large
  EXPECT_EQ(grown[(5 << 20) - 1], (5 << 20) - 1);
  EXPECT_EQ(address(grown.data()) % (size_t{2} << 20), 0u);
  HostBuffer<float> small(1000);
  EXPECT_NE(small.data(), nullptr);
}

// Where the kernel takes the advice (transparent huge pages "always" or
// "madvise"), a large buffer once written is backed by huge pages.
TEST(HostMemory, ALargeBufferWrittenIsBackedByHugePagesWhereTheKernelHasThem) {
  std::ifstream setting("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string modes;
  std::getline(setting, modes);
  if (modes.find("[never]") != std::string::npos || modes.empty()) GTEST_SKIP() << "no transparent huge pages here";
  auto huge_kib = [] {
    std::ifstream meminfo("/proc/self/smaps_rollup");
    std::string line;
    while (std::getline(meminfo, line))
      if (line.rfind("AnonHugePages:", 0) == 0) return std::stol(line.substr(14));
    return -1L;
  };
  const long before = huge_kib();
  if (before < 0) GTEST_SKIP() << "no AnonHugePages in /proc/self/smaps_rollup";
  HostBuffer<float> buffer(size_t{64} << 20 >> 2);  // 64 MiB
  for (size_t i = 0; i < buffer.size(); i += 1024) buffer[i] = 1.0f;
  EXPECT_GT(huge_kib(), before) << "transparent huge pages: " << modes;
}

}  // namespace
}  // namespace opbench
