// libFuzzer target: the opbench command line as a whole, options and files
// together. The input is a file's text, then "\n@@@\n", then the arguments,
// one a line. The file is written as suite.txt and as result.json in a
// folder of the fuzzer's own; a valid result, good.json, is there too, so
// that report, compare and run --resume get past reading. Nothing is timed:
// this build has no backend (the test backends stay hidden), so run stops
// at choosing them, after parsing and checking everything else.
//
// Left out: arguments with a '/' (every file stays in the fuzzer's folder),
// the commands worker (reads its stdin) and calibrate (would measure), and
// --filter: std::regex takes exponential time on some patterns, a cost the
// user's own pattern puts on the user's own run.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <streambuf>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "format/json.h"

namespace {

namespace fs = std::filesystem;

// The fuzzer's folder, and where libFuzzer keeps its corpus (relative paths):
// each input runs in the first, then returns to the second.
std::string folder, start;

// Swallows what the commands print: the fuzzer needs no terminal.
class Discard : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

void write(const std::string& name, const std::string& text) { std::ofstream(name, std::ios::binary) << text; }

// A whole result file of one experiment on one backend.
std::string good_result() {
  opbench::RunRecord r;
  r.suite = "custom";
  r.machine = {"fuzz CPU", 2, 1ull << 30, "Linux", "fuzz"};
  r.backends = {{{"cpu", 50, "torch framework with cpu backend", {}}, ""}};
  r.plan = {"ReLU dim1=8", "Sum dim1=4x4 axis=0"};
  opbench::Cell c;
  c.backend = "cpu";
  c.samples_ms = {0.5, 1.0, 1.5};
  c.stats = {1.0, 1.0, 0.5, 1.5, 0.5, 0.29, 3};
  r.experiments = {{"ReLU", "ReLU / dim=8", "ReLU dim1=8", {c}}};
  return opbench::to_json(r);
}

bool allowed(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "worker" || args[0] == "calibrate")) return false;
  for (const std::string& a : args)
    if (a.find('/') != std::string::npos || a.rfind("--filter", 0) == 0) return false;
  return true;
}

// Leaves the folder as the start left it: the commands may write into it.
void clean(const std::vector<std::string>& keep) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(".", ec)) {
    std::string name = entry.path().filename().string();
    if (std::find(keep.begin(), keep.end(), name) == keep.end()) fs::remove_all(entry.path(), ec);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static Discard discard;
  std::cout.rdbuf(&discard);
  std::cerr.rdbuf(&discard);
  unsetenv("OPBENCH_TEST_BACKENDS");
  setenv("PATH", "", 1);  // no rsvg-convert or ImageMagick for the charts
  setenv("HOME", ".", 1);  // no calibration file of this machine
  start = fs::current_path().string();
  folder = (fs::temp_directory_path() / "opbench_fuzz_cli_XXXXXX").string();
  if (!mkdtemp(folder.data())) std::abort();
  std::atexit([] {
    std::error_code ec;
    fs::remove_all(folder, ec);
  });
  write(folder + "/good.json", good_result());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  size_t cut = input.find("\n@@@\n");
  if (cut == std::string::npos) return 0;
  std::vector<std::string> args;
  for (size_t start = cut + 5; start <= input.size();) {
    size_t end = input.find('\n', start);
    if (end == std::string::npos) end = input.size();
    args.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  if (!allowed(args)) return 0;
  if (chdir(folder.c_str()) != 0) std::abort();
  write("suite.txt", input.substr(0, cut));
  write("result.json", input.substr(0, cut));
  std::cout.clear();
  opbench::cli::opbench_main(args);
  clean({"good.json", "suite.txt", "result.json"});
  if (chdir(start.c_str()) != 0) std::abort();
  return 0;
}
