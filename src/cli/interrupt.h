#pragma once
// SIGINT and SIGTERM during `opbench run`: the first one asks the run to stop
// (start nothing new, stop the worker, write what was measured, exit 128 +
// the signal: 130 for SIGINT, 143 for SIGTERM); a second one ends opbench at
// once, as the signal's default action would (the result file written last
// is still whole).
namespace opbench::cli {

void catch_interruptions();
// The signal that asked the run to stop, or 0.
int interruption();

}  // namespace opbench::cli
