// The reference cache's files: what is stored reads back exactly, under its
// own key and build only; a damaged file is a miss and is removed; another
// build's entries go; the folder stays within its size.
#include "format/reference_cache.h"

#include <gtest/gtest.h>

#include <cmath>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/check.h"
#include "model/experiment.h"
#include "model/parallel.h"

namespace fs = std::filesystem;

namespace opbench {
namespace {

class ReferenceCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("opbench-refcache-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<fs::path> files() const {
    std::vector<fs::path> out;
    for (const auto& f : fs::directory_iterator(dir_)) out.push_back(f.path());
    return out;
  }

  fs::path dir_;
};

RefTensor dense(int64_t rows, int64_t cols, double start) {
  RefTensor r;
  r.shape = {rows, cols};
  for (int64_t i = 0; i < rows * cols; ++i) r.values.push_back(start + 0.1 * static_cast<double>(i));
  return r;
}

void expect_equal(const RefTensor& a, const RefTensor& b) {
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.positions, b.positions);
  EXPECT_EQ(a.values, b.values);  // bit for bit
  EXPECT_EQ(a.on_demand, b.on_demand);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_TRUE(a.scale == b.scale || (std::isnan(a.scale) && std::isnan(b.scale))) << a.scale << " vs " << b.scale;
}

TEST_F(ReferenceCacheTest, WhatIsStoredReadsBackExactlyUnderItsKeyOnly) {
  ReferenceCache cache(dir_.string(), 1 << 20, "0.3.0 1 2");
  RefTensor sampled;
  sampled.shape = {1000, 1000};
  sampled.positions = {0, 17, 999999};
  sampled.values = {1.0 / 3.0, -2.5e-300, 7e300};
  sampled.scale = 7e300 / 3;  // the check's scale comes back with it
  cache.store("line=A\n", dense(3, 4, 0.5), 1.0);
  cache.store("line=B\n", sampled, 1.0);
  expect_equal(*cache.load("line=A\n"), dense(3, 4, 0.5));
  expect_equal(*cache.load("line=B\n"), sampled);
  // A copying op's entry: no values, only the shape, the check's scale and the digest.
  RefTensor on_demand{{1000000, 192}, {}, {}};
  on_demand.on_demand = true;
  on_demand.scale = 13856.4;
  on_demand.digest = 0xfedcba9876543210ULL;
  cache.store("line=D\n", on_demand, 1.0);
  expect_equal(*cache.load("line=D\n"), on_demand);
  EXPECT_FALSE(cache.load("line=C\n"));
}

// A sampled backward reference (positions in each input's gradient, model/
// check.h's expected_result) comes back with its positions, and judges as it
// did; a complete one, as every gradient was stored before gradients were
// sampled, still reads back and judges a right result as right.
TEST_F(ReferenceCacheTest, SampledAndCompleteGradientsReadBackAndJudgeTheSame) {
  ReferenceCache cache(dir_.string(), 1 << 20, "0.3.0 1 2");
  const Experiment e = parse_experiment("MatMul dim1=2x1x20x16 dim2=3x16x12 pass=backward");
  const std::vector<HostTensor> inputs = make_inputs(e, 3);
  const RefTensor sampled = expected_result(e, inputs, 0), complete = expected_result(e, inputs);
  ASSERT_FALSE(sampled.dense());
  ASSERT_TRUE(complete.dense());
  cache.store(ReferenceCache::key(e, 3), sampled, 1.0);
  const std::optional<RefTensor> back = cache.load(ReferenceCache::key(e, 3));
  ASSERT_TRUE(back);
  expect_equal(*back, sampled);
  HostTensor got{"gradients", complete.shape, DType::Float32, {complete.values.begin(), complete.values.end()}, {}};
  float& last = got.f32[static_cast<size_t>(sampled.positions.back())];  // b's last element: always sampled
  const float right = last;
  last += 1000.0f;
  const CheckResult before = check_output(e, inputs, got, sampled), after = check_output(e, inputs, got, *back);
  EXPECT_FALSE(after.passed);
  EXPECT_EQ(after.error, before.error);
  EXPECT_EQ(after.detail, before.detail);
  cache.store(ReferenceCache::key(e, 3), complete, 1.0);
  const std::optional<RefTensor> whole = cache.load(ReferenceCache::key(e, 3));
  ASSERT_TRUE(whole);
  expect_equal(*whole, complete);
  EXPECT_EQ(check_output(e, inputs, got, *whole).detail.rfind("gradient of b:", 0), 0u);
  last = right;
  EXPECT_TRUE(check_output(e, inputs, got, *whole).passed);
}

// A dense entry of many read parts (8 MiB each, on several threads): every
// value back in its place.
TEST_F(ReferenceCacheTest, ALargeEntryReadsBackInPartsOnAllCores) {
  ReferenceCache cache(dir_.string(), 1 << 30, "0.3.0 1 2");
  const RefTensor large = dense(3000, 1001, -7.25);  // 23 MiB of values: 3 parts, the last one short
  cache.store("line=L\n", large, 1.0);
  host_threads_override() = 3;
  const std::optional<RefTensor> back = cache.load("line=L\n");
  host_threads_override() = 0;
  ASSERT_TRUE(back);
  expect_equal(*back, large);
}

TEST_F(ReferenceCacheTest, TheKeyHoldsEverythingTheReferenceDependsOn) {
  Experiment e = parse_experiment("Sum dim1=8x8 axis=0");
  std::string key = ReferenceCache::key(e, 7);
  EXPECT_NE(key, ReferenceCache::key(e, 8));                                           // the seed
  EXPECT_NE(key, ReferenceCache::key(parse_experiment("Sum dim1=8x8 axis=1"), 7));  // the line
  Experiment half = e;
  half.dtype = FloatType::float16;
  EXPECT_NE(key, ReferenceCache::key(half, 7));  // the dtype
}

// A rebuilt opbench may compute its references differently: it reads none of
// an older build's entries, and removes them when it stores its own.
TEST_F(ReferenceCacheTest, AnotherBuildReadsNoneOfItsEntriesAndRemovesThem) {
  ReferenceCache old_build(dir_.string(), 1 << 20, "0.3.0 100 1"), new_build(dir_.string(), 1 << 20, "0.3.0 100 2");
  old_build.store("k\n", dense(4, 4, 1), 1.0);
  EXPECT_FALSE(new_build.load("k\n"));
  EXPECT_TRUE(old_build.load("k\n"));
  new_build.store("other\n", dense(4, 4, 2), 1.0);
  EXPECT_FALSE(old_build.load("k\n"));
  EXPECT_EQ(files().size(), 1u);
  EXPECT_TRUE(new_build.load("other\n"));
}

TEST_F(ReferenceCacheTest, ADamagedFileIsAMissAndIsRemoved) {
  ReferenceCache cache(dir_.string(), 1 << 20, "0.3.0 1 2");
  for (int damage = 0; damage < 4; ++damage) {
    cache.store("k\n", dense(8, 8, 1), 1.0);
    ASSERT_EQ(files().size(), 1u);
    fs::path f = files()[0];
    if (damage == 0) fs::resize_file(f, fs::file_size(f) - 8);  // truncated
    if (damage == 1) fs::resize_file(f, fs::file_size(f) + 8);  // something after the entry
    if (damage == 2) std::ofstream(f, std::ios::in | std::ios::out | std::ios::binary).write("X", 1);  // the magic
    if (damage == 3) fs::resize_file(f, 0);
    EXPECT_FALSE(cache.load("k\n")) << "damage " << damage;
    EXPECT_TRUE(files().empty()) << "damage " << damage;
  }
}

// A copying op's entry is a shape, a scale, a flag and a digest: a flag that
// is no flag, positions beside it, or a digest on another entry make it a miss.
TEST_F(ReferenceCacheTest, ADamagedOnDemandEntryIsAMiss) {
  ReferenceCache cache(dir_.string(), 1 << 20, "0.3.0 1 2");
  RefTensor on_demand{{1000, 192}, {}, {}};
  on_demand.on_demand = true;
  on_demand.scale = 2.5;
  cache.store("k\n", on_demand, 1.0);
  ASSERT_EQ(files().size(), 1u);
  // magic 8, seconds 8, key size 8, key 18 ("build=0.3.0 1 2\nk\n"), rank 8, dims 16, positions 8,
  // values 8, scale 8: the flag at 90
  {
    std::fstream f(files()[0], std::ios::in | std::ios::out | std::ios::binary);
    char flag = 0;
    f.seekg(90).read(&flag, 1);
    ASSERT_EQ(flag, 1);  // the offset is the flag's
    f.seekp(90).write("\x02", 1);
  }
  EXPECT_FALSE(cache.load("k\n"));
  on_demand.positions = {1, 2};
  cache.store("k\n", on_demand, 1.0);
  EXPECT_FALSE(cache.load("k\n"));
  // A digest belongs to an on-demand entry only: beside stored values it is damage.
  RefTensor stored = dense(2, 2, 1);
  stored.digest = 12345;
  cache.store("k\n", stored, 1.0);
  EXPECT_FALSE(cache.load("k\n"));
}

// Entries of 64 x 64 doubles (32 KiB) and a header of about 200 bytes: a
// cache with room for three.
constexpr uint64_t kRoomForThree = 3 * (64 * 64 * 8 + 200);

// Full, a new entry that saves no more per byte than any kept one changes
// nothing: a suite larger than the cache then reads the same entries on
// every run, where evicting would miss on every one.
TEST_F(ReferenceCacheTest, AFullCacheKeepsEntriesThatSaveAsMuchOrMore) {
  ReferenceCache cache(dir_.string(), kRoomForThree, "0.3.0 1 2");
  cache.store("first\n", dense(64, 64, 1), 2.0);
  cache.store("second\n", dense(64, 64, 1), 3.0);
  cache.store("third\n", dense(64, 64, 1), 1.0);
  cache.store("equal\n", dense(64, 64, 1), 1.0);  // as much per byte as the least: no better
  cache.store("fifth\n", dense(64, 64, 1), 0.5);
  EXPECT_EQ(files().size(), 3u);
  EXPECT_TRUE(cache.load("first\n"));
  EXPECT_TRUE(cache.load("second\n"));
  EXPECT_TRUE(cache.load("third\n"));
  EXPECT_FALSE(cache.load("equal\n"));
  EXPECT_FALSE(cache.load("fifth\n"));
}

// Full, an entry that saves more per byte takes the room of the one that
// saves least.
TEST_F(ReferenceCacheTest, AFullCacheEvictsTheEntryThatSavesLeastPerByte) {
  ReferenceCache cache(dir_.string(), kRoomForThree, "0.3.0 1 2");
  cache.store("first\n", dense(64, 64, 1), 2.0);
  cache.store("second\n", dense(64, 64, 1), 0.5);
  cache.store("third\n", dense(64, 64, 1), 1.0);
  cache.store("fourth\n", dense(64, 64, 1), 4.0);
  EXPECT_EQ(files().size(), 3u);
  EXPECT_FALSE(cache.load("second\n"));
  EXPECT_TRUE(cache.load("first\n"));
  EXPECT_TRUE(cache.load("third\n"));
  EXPECT_TRUE(cache.load("fourth\n"));
  // Then the next least, and the rule holds across caches of the same
  // folder: what an entry saves is in its file.
  ReferenceCache again(dir_.string(), kRoomForThree, "0.3.0 1 2");
  again.store("fifth\n", dense(64, 64, 1), 1.5);
  EXPECT_FALSE(again.load("third\n"));
  EXPECT_TRUE(again.load("fifth\n"));
  EXPECT_EQ(files().size(), 3u);
}

// Per byte, not per entry: a large entry that saves the most seconds but
// fewer per byte goes before two small ones, and a large newcomer that would
// need the room of an entry saving more per byte than itself is not kept,
// nothing being evicted for it.
TEST_F(ReferenceCacheTest, WhatAnEntrySavesIsWeighedPerByte) {
  ReferenceCache cache(dir_.string(), 4 * (64 * 64 * 8 + 200), "0.3.0 1 2");
  cache.store("large\n", dense(128, 64, 1), 3.0);  // 2 units of room, 1.5 s a unit
  cache.store("small\n", dense(64, 64, 1), 2.0);   // 2 s a unit
  cache.store("newcomer\n", dense(64, 64, 1), 1.8);  // fits: the cache had one unit free
  ASSERT_EQ(files().size(), 3u);
  cache.store("dense\n", dense(64, 64, 1), 1.6);  // 1.6 s a unit: more than large's 1.5
  EXPECT_FALSE(cache.load("large\n"));
  EXPECT_TRUE(cache.load("small\n"));
  EXPECT_TRUE(cache.load("newcomer\n"));
  EXPECT_TRUE(cache.load("dense\n"));
  // 3 units wanted, one free: taking two would evict an entry of 1.8 s a unit for one of 1.7.
  cache.store("huge\n", dense(192, 64, 1), 5.1);
  EXPECT_FALSE(cache.load("huge\n"));
  EXPECT_TRUE(cache.load("small\n"));
  EXPECT_TRUE(cache.load("newcomer\n"));
  EXPECT_TRUE(cache.load("dense\n"));
  EXPECT_EQ(files().size(), 3u);
}

// An entry that took less time to compute than it would take to read back
// (2 GB/s) saves nothing: not stored, whatever room there is.
TEST_F(ReferenceCacheTest, AnEntryFasterToComputeThanToReadIsNotKept) {
  ReferenceCache cache(dir_.string(), 1 << 30, "0.3.0 1 2");
  cache.store("quick\n", dense(1000, 1000, 1), 0.001);  // 8 MB: 4 ms to read
  cache.store("slow\n", dense(1000, 1000, 1), 0.01);
  EXPECT_FALSE(cache.load("quick\n"));
  EXPECT_TRUE(cache.load("slow\n"));
  EXPECT_EQ(files().size(), 1u);
}

TEST_F(ReferenceCacheTest, AnEntryLargerThanTheLimitIsNotKept) {
  ReferenceCache cache(dir_.string(), 64 * 64 * 8 - 1, "0.3.0 1 2");
  cache.store("big\n", dense(64, 64, 1), 1.0);
  EXPECT_FALSE(cache.load("big\n"));
  EXPECT_TRUE(files().empty());
}

}  // namespace
}  // namespace opbench
