// Which plug-in module registered a backend: what a worker loads.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "execution/backend.h"

namespace opbench {
namespace {

// Backends registered while a module loads belong to it, each module named
// once and in loading order; a backend registered outside any (built into
// the program) and an unknown one need none.
TEST(BackendModules, EachBackendKnowsTheModuleThatRegisteredIt) {
  auto none = [] { return std::unique_ptr<Backend>(); };
  set_loading_module("/plugins/first.so");
  register_backend("registry_test_a", none);
  register_backend("registry_test_b", none);
  set_loading_module("/plugins/second.so");
  register_backend("registry_test_c", none);
  set_loading_module("");
  register_backend("registry_test_builtin", none);

  EXPECT_EQ(modules_of({"registry_test_a"}), std::vector<std::string>{"/plugins/first.so"});
  EXPECT_EQ(modules_of({"registry_test_c", "registry_test_b", "registry_test_a"}),
            (std::vector<std::string>{"/plugins/first.so", "/plugins/second.so"}));
  EXPECT_TRUE(modules_of({"registry_test_builtin"}).empty());
  EXPECT_TRUE(modules_of({"no_such_backend"}).empty());
  EXPECT_EQ(modules_of({"registry_test_builtin", "registry_test_c"}), std::vector<std::string>{"/plugins/second.so"});
}

}  // namespace
}  // namespace opbench
