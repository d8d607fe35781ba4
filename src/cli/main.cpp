// opbench: times tensor ops across frameworks and devices.
#include "cli/commands.h"

int main(int argc, char** argv) { return opbench::cli::opbench_main({argv + 1, argv + argc}); }
