#pragma once
// The collectives on MLX: mlx.core.distributed's groups (the ring backend
// over TCP on the CPU, NCCL on the GPU), met as mlx.launch's ranks meet
// (MLX_RANK and MLX_HOSTFILE; NCCL_HOST_IP, NCCL_PORT and MLX_WORLD_SIZE).
// The ops are registered in mlx_collectives.cpp like any other.
#include <mlx/device.h>

#include <span>

namespace opbench::mlx_backend {

// Each value replaced by its largest over the ranks (PreparedOp::agree_on_slowest),
// through the group of `device`.
void agree_on_slowest(const mlx::core::Device& device, int ranks, std::span<double> values);

}  // namespace opbench::mlx_backend
