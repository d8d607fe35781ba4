// opbench: times tensor ops across frameworks and devices.
#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "cli/commands.h"
#include "execution/backend.h"
#include "execution/worker_process.h"
#include "model/memory.h"

namespace {

// The framework plug-ins (LibTorch, MLX), built as modules into `plugins/`
// beside the program. Each is loaded with RTLD_LOCAL, as Python loads an
// extension module, so that each framework's libraries resolve their own
// symbols: linked into one program, LibTorch's MKL answered MLX's BLAS calls.
// A module registers its backends as it loads; one that cannot load leaves
// its backends out, and says why.
//
// OPBENCH_PLUGINS=<module>[:<module>...] loads those instead: the worker of
// one framework version (opbench run --versions) loads that version's
// plug-in alone, since two versions of one framework's libraries share their
// file names and cannot both load into one process; a worker loads only the
// plug-ins of the backends it runs (isolation.cpp).
void load_framework_plugins() {
  auto load = [](const std::filesystem::path& module) {
    opbench::set_loading_module(module);
    if (!dlopen(module.c_str(), RTLD_NOW | RTLD_LOCAL))
      std::fprintf(stderr, "opbench: warning: cannot load %s: %s\n", module.c_str(), dlerror());
    opbench::set_loading_module("");
  };
  std::vector<std::filesystem::path> modules;
  if (const char* chosen = std::getenv("OPBENCH_PLUGINS"); chosen && *chosen) {
    std::string list = chosen;
    for (size_t start = 0, end; start <= list.size(); start = end + 1) {
      end = std::min(list.find(':', start), list.size());
      if (end > start) modules.push_back(list.substr(start, end - start));
    }
    for (const auto& module : modules) load(module);
    return;
  }
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::canonical(opbench::this_executable(), ec).parent_path() / "plugins";
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().extension() == ".so") modules.push_back(entry.path());
  std::sort(modules.begin(), modules.end());
  for (const auto& module : modules) load(module);
  // A program copied away from its build folder leaves its frameworks behind.
  if (static_cast<long>(modules.size()) < OPBENCH_FRAMEWORK_MODULES)
    std::fprintf(stderr, "opbench: warning: this build has %d framework plug-ins but %zu are in %s: keep the "
                 "plugins folder beside the program\n", OPBENCH_FRAMEWORK_MODULES, modules.size(), dir.c_str());
}

// Standard output held whole until the end (up to 1 MiB) when it is not a
// terminal: a write that fails (a full disk) then fails at the last flush,
// whose error opbench reports, instead of midway, after which the reason
// (errno) is gone. Not in a worker, whose output is a framework's last words.
void buffer_standard_output(int argc, char** argv) {
  static char buffer[1 << 20];
  if (isatty(STDOUT_FILENO) || (argc > 1 && std::string(argv[1]) == "worker")) return;
  setvbuf(stdout, buffer, _IOFBF, sizeof buffer);
}

}  // namespace

int main(int argc, char** argv) {
  buffer_standard_output(argc, argv);  // before anything is written
  opbench::pin_allocator_policy();  // before anything is allocated and freed
  load_framework_plugins();
  return opbench::cli::opbench_main({argv + 1, argv + argc});
}
