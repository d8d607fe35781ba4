#pragma once
// What opbench reads from the machine it runs on.
#include "model/result.h"
#include "model/text.h"  // utc_now, which callers of read_machine stamp records with

namespace opbench {

Machine read_machine();

}  // namespace opbench
