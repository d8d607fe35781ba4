// opbench: times tensor ops across frameworks and devices.
#include "cli/commands.h"
#include "core/memory.h"

int main(int argc, char** argv) {
  opbench::pin_allocator_policy();  // before anything is allocated and freed
  return opbench::cli::opbench_main({argv + 1, argv + argc});
}
