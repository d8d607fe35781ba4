// --versions text, release numbers, versioned backend names, and what the
// store reads from pip and the compiler: every bad input is one error line
// naming it.
#include "environments/versions.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "environments/process.h"
#include "environments/store.h"
#include "environments/versioned.h"
#include "execution/build_info.h"
#include "model/error.h"
#include "test_text.h"

namespace opbench {
namespace {

using test_text::usage_error;

TEST(Versions, Requests) {
  auto r = parse_version_requests({"torch=2.15.0,2.11.0", "mlx=0.32.4,0.31.2"});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].framework, "torch");
  EXPECT_EQ(r[0].versions, (std::vector<std::string>{"2.11.0", "2.15.0"}));  // oldest first
  EXPECT_EQ(r[1].versions, (std::vector<std::string>{"0.31.2", "0.32.4"}));
  // Both in one text, separated by spaces.
  auto both = parse_version_requests({"torch=2.11.0  mlx=0.32.4"});
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].framework, "mlx");
  EXPECT_EQ(parse_version_requests({"torch=2.16.0rc1"})[0].versions[0], "2.16.0rc1");
}

TEST(Versions, BadRequestsNameTheirText) {
  auto error = [](std::vector<std::string> texts) { return usage_error([&] { parse_version_requests(texts); }); };
  EXPECT_EQ(error({"tensorflow=2.0"}), "--versions: unknown framework 'tensorflow' (known: torch, mlx)");
  EXPECT_EQ(error({"torch"}), "--versions 'torch': expected FRAMEWORK=VERSION[,VERSION...], e.g. torch=2.11.0,2.15.0");
  EXPECT_EQ(error({"=2.0"}), "--versions '=2.0': expected FRAMEWORK=VERSION[,VERSION...], e.g. torch=2.11.0,2.15.0");
  EXPECT_EQ(error({"torch=2.11.0,,2.15.0"}), "--versions 'torch=2.11.0,,2.15.0': '' is not a release number such as 2.15.0");
  EXPECT_EQ(error({"torch=latest"}), "--versions 'torch=latest': 'latest' is not a release number such as 2.15.0");
  EXPECT_EQ(error({"torch=2.11.0;rm"}), "--versions 'torch=2.11.0;rm': '2.11.0;rm' is not a release number such as 2.15.0");
  EXPECT_EQ(error({"torch=2.11.0,2.11.0"}), "--versions 'torch=2.11.0,2.11.0' names torch 2.11.0 twice");
  EXPECT_EQ(error({"torch=2.11.0", "torch=2.15.0"}),
            "--versions names framework 'torch' twice: give its versions in one list");
  EXPECT_EQ(error({"  "}), "--versions is empty: expected FRAMEWORK=VERSION[,VERSION...]");
}

TEST(Versions, ReleaseOrder) {
  EXPECT_TRUE(version_less("0.9.1", "0.31.2"));
  EXPECT_TRUE(version_less("0.31.2", "0.32.4"));
  EXPECT_TRUE(version_less("2.9.0", "2.15.0"));
  EXPECT_TRUE(version_less("2.15", "2.15.0"));
  EXPECT_FALSE(version_less("2.15.0", "2.15.0"));
  EXPECT_FALSE(version_less("2.15.0", "2.9.0"));
  EXPECT_TRUE(version_less("2.15.0", "2.15.1"));
}

TEST(Versions, Names) {
  EXPECT_EQ(versioned_name("cpu", "torch", "2.15.0"), "cpu@torch-2.15.0");
  EXPECT_EQ(base_name("mlx_cpu@mlx-0.31.2"), "mlx_cpu");
  EXPECT_EQ(base_name("cpu"), "cpu");
  EXPECT_EQ(version_tag("mlx_cpu@mlx-0.31.2"), "mlx-0.31.2");
  EXPECT_EQ(version_tag("cpu"), "");
  EXPECT_EQ(find_framework("mlx").requirement_for("0.31.2"), "mlx[cpu]==0.31.2");
  EXPECT_EQ(find_framework("torch").requirement_for("2.15.0"), "torch==2.15.0");
}

TEST(Versions, KeyedByVersionForTheMachineLine) {
  EXPECT_EQ(versions_by_version({{"torch", "2.15.0"}, {"torch_blas", "MKL 2025"}, {"cuda", "13.0"}}, "torch", "2.15.0"),
            (std::map<std::string, std::string>{{"torch@2.15.0", "2.15.0"}, {"torch@2.15.0_blas", "MKL 2025"}, {"cuda", "13.0"}}));
}

TEST(Versions, WhatPipAndTheCompilerSay) {
  EXPECT_EQ(listed_versions("mlx-cpu (0.32.4)\nAvailable versions: 0.32.4, 0.31.2, 0.9.0\n  INSTALLED: 0.32.4\n"),
            (std::vector<std::string>{"0.32.4", "0.31.2", "0.9.0"}));
  EXPECT_TRUE(listed_versions("ERROR: No matching distribution found for torchh\n").empty());
  EXPECT_EQ(failure_line("-- Configuring\n/x/torch_ops.cpp:12:3: error: 'at::foo' has not been declared\nninja: build stopped\n"),
            "/x/torch_ops.cpp:12:3: error: 'at::foo' has not been declared");
  EXPECT_EQ(failure_line("Collecting torch\nERROR: Could not install packages due to an OSError: [Errno 28] No space left on device\n"),
            "ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device");
  EXPECT_EQ(failure_line("a\nlast words\n\n"), "last words");
  EXPECT_EQ(failure_line("ERROR: Exception:\nTraceback (most recent call last):\n  File \"x.py\"\n"
                         "OSError: [Errno 28] No space left on device\n"),
            "OSError: [Errno 28] No space left on device");
}

// MLX's build follows the program's own: the CPU build's requirement and
// package on Linux, the CUDA build's where the build's Python had it.
TEST(Versions, MlxFlavourFollowsTheBuildsOwnMlx) {
  EXPECT_EQ(mlx_flavour("mlx mlx-cpu"), "cpu");
  EXPECT_EQ(mlx_flavour(""), "cpu");  // no MLX in the build's Python (MLX_ROOT): the CPU build, as before
  EXPECT_EQ(mlx_flavour("mlx mlx-cuda-13"), "cuda13");
  EXPECT_EQ(mlx_flavour("MLX mlx_cuda_13"), "cuda13");  // as pip normalizes names
  EXPECT_EQ(mlx_flavour("mlx mlx-cuda-12"), "cuda12");
  EXPECT_EQ(mlx_flavour("mlx-cuda-13-extras mlx-lm"), "cpu");  // only the distribution itself
#ifndef __APPLE__
  const Framework cuda = mlx_framework("cuda13");
  EXPECT_EQ(cuda.requirement_for("0.32.4"), "mlx[cuda13]==0.32.4");
  EXPECT_EQ(cuda.package, "mlx-cuda-13");
  const Framework cpu = mlx_framework("cpu");
  EXPECT_EQ(cpu.requirement_for("0.32.4"), "mlx[cpu]==0.32.4");
  EXPECT_EQ(cpu.package, "mlx-cpu");
  // This build's: what its configure found in the build's Python.
  EXPECT_EQ(find_framework("mlx").package, mlx_framework(mlx_flavour(build_mlx_distributions())).package);
#endif
}

// A dependency location given to this build's configure (or found by it)
// reaches the configure command of every version's plug-in, before the
// framework's own location.
TEST(Versions, ThePluginIsConfiguredWithTheProgramsDependencyLocations) {
  const std::string given = "-Dnlohmann_json_DIR=" OPBENCH_TEST_NLOHMANN_JSON_DIR;
  const std::vector<std::string>& args = build_configure_args();
  EXPECT_NE(std::find(args.begin(), args.end(), given), args.end()) << given;
  const std::filesystem::path root = std::filesystem::temp_directory_path() / ("opbench_configure_" + std::to_string(getpid()));
  const VersionStore store({root.string(), "python3", "/src/opbench", "key", "Release",
                            {"-DSQLite3_LIBRARY=/opt/sqlite/lib/libsqlite3.so", given}});
  const std::vector<std::string> command = store.configure_command(find_framework("torch"), "2.15.0");
  std::filesystem::remove_all(root);
  auto at = [&](const std::string& arg) { return std::find(command.begin(), command.end(), arg) - command.begin(); };
  ASSERT_LT(at(given), static_cast<std::ptrdiff_t>(command.size()));
  ASSERT_LT(at("-DSQLite3_LIBRARY=/opt/sqlite/lib/libsqlite3.so"), static_cast<std::ptrdiff_t>(command.size()));
  EXPECT_EQ(command[0], "cmake");
  EXPECT_EQ(command[4], (root / "plugins/build/torch-2.15.0").string());
  EXPECT_LT(at("-DOPBENCH_WITH_TORCH=ON"), static_cast<std::ptrdiff_t>(command.size()));
  EXPECT_LT(at("-DOPBENCH_WITH_MLX=OFF"), static_cast<std::ptrdiff_t>(command.size()));
  EXPECT_EQ(command.back().rfind("-DTorch_DIR=", 0), 0u);  // the version's own, last
}

// A new build's plug-in of a version removes that version's plug-ins of
// other builds, and nothing else.
TEST(Versions, APluginOfAnotherBuildIsRemovedWhenANewOneIsBuilt) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("opbench_prune_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "build");
  const std::vector<std::string> files = {
      "mlx-0.31.2-0123456789abcdef.so",  // another build's: removed
      "mlx-0.31.2-fedcba9876543210.so",  // the new one: kept
      "mlx-0.31.2-aaaaaaaaaaaaaaaa.so",  // a third build's: removed
      "mlx-0.32.4-0123456789abcdef.so",  // another version
      "mlx-0.31.21-0123456789abcdef.so", // another version, whose name begins alike
      "torch-0.31.2-0123456789abcdef.so",
      "mlx-0.31.2-0123456789abcdef.so.partial-12",
      "describe.log"};
  for (const std::string& f : files) std::ofstream(dir / f) << "x";
  const Framework& mlx = find_framework("mlx");
  std::vector<std::string> removed = prune_plugins(dir.string(), mlx, "0.31.2", (dir / files[1]).string());
  std::sort(removed.begin(), removed.end());
  EXPECT_EQ(removed, (std::vector<std::string>{(dir / files[0]).string(), (dir / files[2]).string()}));
  for (size_t i = 0; i < files.size(); ++i) EXPECT_EQ(fs::exists(dir / files[i]), i != 0 && i != 2) << files[i];
  EXPECT_TRUE(fs::is_directory(dir / "build"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace opbench
