#pragma once
// The collectives on LibTorch: c10d's process groups (ProcessGroupGloo on the
// CPU, ProcessGroupNCCL on CUDA), met through a TCPStore at MASTER_ADDR and
// MASTER_PORT as torchrun's ranks meet. The ops are registered in
// torch_collectives.cpp like any other; this is what the generic backend
// needs besides.
#include <ATen/ATen.h>

#include <span>

namespace opbench::torch_backend {

// Each value replaced by its largest over the ranks (PreparedOp::agree_on_slowest),
// through the group of `device`'s type.
void agree_on_slowest(at::Device device, int ranks, std::span<double> values);

}  // namespace opbench::torch_backend
