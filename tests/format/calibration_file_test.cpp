// The calibration file (format/calibration_file.h): the peaks of one machine,
// written by `opbench calibrate` and read by `opbench run`.
#include "format/calibration_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "model/error.h"

namespace opbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class CalibrationFile : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("opbench_calibration_" + std::to_string(getpid()) + "_" +
                                        testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path() const { return (dir_ / "sub" / "peaks.json").string(); }
  void write(const std::string& text) {
    fs::create_directories(dir_ / "sub");
    std::ofstream(path()) << text;
  }
  // What load_calibration throws for the file, or "" when it does not.
  std::string error_loading() {
    try {
      load_calibration(path(), machine_);
    } catch (const UsageError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
  Machine machine_{"Test CPU", 8, 1 << 30, "Linux", "testhost"};
  std::map<std::string, Peaks> peaks_ = {
      {"cpu", {41.5, {{FloatType::float32, 812.25}}}},
      {"cuda", {2900, {{FloatType::float16, 7.5e5}, {FloatType::float32, 5.1e4}}}}};
};

TEST_F(CalibrationFile, WrittenPeaksReadBackForTheSameMachine) {
  save_calibration(path(), machine_, peaks_, "2026-11-26T12:00:00Z");  // makes the folder
  std::map<std::string, Peaks> back = load_calibration(path(), machine_);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back.at("cpu").bandwidth_gbs, 41.5);
  EXPECT_EQ(back.at("cpu").gflops, peaks_.at("cpu").gflops);
  EXPECT_EQ(back.at("cuda").gflops, peaks_.at("cuda").gflops);
  json j = json::parse(std::ifstream(path()));
  EXPECT_EQ(j.at("schema"), "opbench-calibration");
  EXPECT_EQ(j.at("created"), "2026-11-26T12:00:00Z");
  EXPECT_EQ(j.at("machine").at("hostname"), "testhost");
}

// Peaks of another CPU, or of the same CPU with other cores, are not this machine's.
TEST_F(CalibrationFile, AnotherMachinesPeaksAreNotUsed) {
  save_calibration(path(), machine_, peaks_, "now");
  Machine other = machine_;
  other.cpu = "Other CPU";
  EXPECT_TRUE(load_calibration(path(), other).empty());
  other = machine_;
  other.cores = 16;
  EXPECT_TRUE(load_calibration(path(), other).empty());
}

TEST_F(CalibrationFile, NoFileIsNoPeaks) { EXPECT_TRUE(load_calibration(path(), machine_).empty()); }

TEST_F(CalibrationFile, AFileThatIsNotACalibrationIsNamed) {
  write("{\"schema\": \"opbench-result\"}");
  EXPECT_EQ(error_loading(), path() + ": not an opbench calibration file");
  write("not json at all");
  EXPECT_EQ(error_loading(), path() + ": not an opbench calibration file");
}

TEST_F(CalibrationFile, APeakOutOfRangeIsNamed) {
  json j = {{"schema", "opbench-calibration"},
            {"machine", {{"cpu", "Test CPU"}, {"cores", 8}}},
            {"peaks", {{"cpu", {{"bandwidth_gbs", -3}}}}}};
  write(j.dump());
  EXPECT_EQ(error_loading(), path() + ": peaks of 'cpu': field 'bandwidth_gbs' is out of range");
  j["peaks"] = {{"cpu", {{"gflops", {{"float16", "fast"}}}}}};
  write(j.dump());
  EXPECT_EQ(error_loading(), path() + ": peaks of 'cpu': field 'float16' has the wrong type");
  j["peaks"] = {{"cpu", {{"gflops", {{"float8", 1.0}}}}}};
  write(j.dump());
  EXPECT_EQ(error_loading(), path() + ": peaks of 'cpu': unknown dtype 'float8' (known: float32, float16, bfloat16)");
}

// In a result file the peaks are the same JSON value as in the calibration file.
TEST_F(CalibrationFile, PeaksAreJsonValuesBothWays) {
  json j = peaks_;
  EXPECT_EQ(j.at("cpu").at("bandwidth_gbs"), 41.5);
  EXPECT_EQ(j.at("cuda").at("gflops").at("float16"), 7.5e5);
  std::map<std::string, Peaks> back = peaks_from(j);
  EXPECT_EQ(back.at("cuda").bandwidth_gbs, 2900);
  EXPECT_EQ(back.at("cpu").gflops, peaks_.at("cpu").gflops);
  EXPECT_EQ(json(std::map<std::string, Peaks>{}).dump(), "{}");
}

}  // namespace
}  // namespace opbench
