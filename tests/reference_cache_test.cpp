// The reference cache's files: what is stored reads back exactly, under its
// own key only; a damaged file is a miss and is removed; the folder stays
// within its size, the least recently used entries going first.
#include "format/reference_cache.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/experiment.h"

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
}

TEST_F(ReferenceCacheTest, WhatIsStoredReadsBackExactlyUnderItsKeyOnly) {
  ReferenceCache cache(dir_.string(), 1 << 20);
  RefTensor sampled;
  sampled.shape = {1000, 1000};
  sampled.positions = {0, 17, 999999};
  sampled.values = {1.0 / 3.0, -2.5e-300, 7e300};
  cache.store("line=A\n", dense(3, 4, 0.5));
  cache.store("line=B\n", sampled);
  expect_equal(*cache.load("line=A\n"), dense(3, 4, 0.5));
  expect_equal(*cache.load("line=B\n"), sampled);
  EXPECT_FALSE(cache.load("line=C\n"));
}

TEST_F(ReferenceCacheTest, TheKeyHoldsEverythingTheReferenceDependsOn) {
  Experiment e = parse_experiment("Sum dim1=8x8 axis=0");
  std::string key = ReferenceCache::key(e, 7, "0.3.0 123 456");
  EXPECT_NE(key, ReferenceCache::key(e, 8, "0.3.0 123 456"));            // the seed
  EXPECT_NE(key, ReferenceCache::key(e, 7, "0.3.0 123 457"));            // the build
  EXPECT_NE(key, ReferenceCache::key(parse_experiment("Sum dim1=8x8 axis=1"), 7, "0.3.0 123 456"));  // the line
  Experiment half = e;
  half.dtype = "float16";
  EXPECT_NE(key, ReferenceCache::key(half, 7, "0.3.0 123 456"));  // the dtype
}

TEST_F(ReferenceCacheTest, ADamagedFileIsAMissAndIsRemoved) {
  ReferenceCache cache(dir_.string(), 1 << 20);
  for (int damage = 0; damage < 4; ++damage) {
    cache.store("k\n", dense(8, 8, 1));
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

TEST_F(ReferenceCacheTest, StaysWithinItsSizeDroppingTheLeastRecentlyUsed) {
  // Entries of 64 x 64 doubles (32 KiB and a header); room for three.
  ReferenceCache cache(dir_.string(), 3 * (64 * 64 * 8 + 200));
  cache.store("first\n", dense(64, 64, 1));
  cache.store("second\n", dense(64, 64, 2));
  cache.store("third\n", dense(64, 64, 3));
  ASSERT_TRUE(cache.load("first\n"));  // used: now the second is the oldest
  cache.store("fourth\n", dense(64, 64, 4));
  EXPECT_EQ(files().size(), 3u);
  EXPECT_TRUE(cache.load("first\n"));
  EXPECT_FALSE(cache.load("second\n"));
  EXPECT_TRUE(cache.load("third\n"));
  EXPECT_TRUE(cache.load("fourth\n"));
}

TEST_F(ReferenceCacheTest, AnEntryLargerThanHalfTheLimitIsNotKept) {
  ReferenceCache cache(dir_.string(), 2 * 64 * 64 * 8 - 1);
  cache.store("big\n", dense(64, 64, 1));
  EXPECT_FALSE(cache.load("big\n"));
  EXPECT_TRUE(files().empty());
}

}  // namespace
}  // namespace opbench
