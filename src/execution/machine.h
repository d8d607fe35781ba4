#pragma once
// What opbench reads from the machine it runs on.
#include "model/result.h"

namespace opbench {

Machine read_machine();
// Current UTC time, ISO 8601 ("2026-11-25T19:40:00Z").
std::string utc_now();

}  // namespace opbench
