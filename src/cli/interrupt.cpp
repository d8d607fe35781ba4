#include "cli/interrupt.h"

#include <signal.h>

namespace opbench::cli {

namespace {

volatile sig_atomic_t received = 0;

void on_signal(int sig) {
  if (!received) received = sig;
}

}  // namespace

void catch_interruptions() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: a wait on the worker wakes up at once. SA_RESETHAND: the
  // next signal of the same kind takes its default action.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

int interruption() { return received; }

}  // namespace opbench::cli
