// --versions text, release numbers, versioned backend names, and what the
// store reads from pip and the compiler: every bad input is one error line
// naming it.
#include "environments/versions.h"

#include <gtest/gtest.h>

#include "environments/process.h"
#include "environments/store.h"
#include "environments/versioned.h"
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

}  // namespace
}  // namespace opbench
