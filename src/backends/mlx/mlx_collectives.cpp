// The collectives as an MLX user calls them (mx.distributed.all_sum,
// all_gather, sum_scatter): the only translation unit that includes MLX's
// distributed API. MLX 0.32 has no broadcast and no all-to-all; those cells
// say so.
//
// Each rank's input is its row of the world's input (ops/collectives.cpp);
// the check gathers every rank's result, untimed.
#include "backends/mlx/mlx_collectives.h"

#include <mlx/distributed/distributed.h>
#include <mlx/distributed/ops.h>
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "backends/mlx/mlx_ops.h"
#include "execution/world.h"

namespace opbench::mlx_backend {

namespace {

namespace dist = mx::distributed;

// One group a device, made at the first collective cell on it and kept for
// the process's life: MLX's ring backend on the CPU, NCCL on the GPU. A
// world of one is MLX's singleton group, whose collectives copy.
dist::Group group(const mx::Device& device, int ranks) {
  static std::map<mx::Device::DeviceType, dist::Group> groups;
  const World w = world_of(ranks);
  auto it = groups.find(device.type);
  if (it != groups.end()) return it->second;
  const std::string backend = device == mx::Device::gpu ? "nccl" : "ring";
  if (!dist::is_available(backend))
    throw std::runtime_error("this MLX has no '" + backend + "' distributed backend");
  dist::Group g = dist::init(/*strict=*/w.size > 1, backend);
  if (g.size() != w.size || g.rank() != w.rank)
    throw std::runtime_error("MLX's " + backend + " group is rank " + std::to_string(g.rank()) + " of " +
                             std::to_string(g.size()) + ", but this process is rank " + std::to_string(w.rank) +
                             " of " + std::to_string(w.size));
  return groups.emplace(device.type, g).first->second;
}

dist::Group group_of(const Experiment& e) { return group(mx::default_device(), e.ranks); }

// Untimed: the rank's own input, its row of the world's.
Arrays own_row(const Experiment& e, Arrays in) {
  return {mx::take(in[0], world_of(e.ranks).rank, 0)};
}

mx::array all_sum(const Experiment& e, const Arrays& in) { return dist::all_sum(in[0], group_of(e)); }
mx::array all_gather(const Experiment& e, const Arrays& in) { return dist::all_gather(in[0], group_of(e)); }
mx::array sum_scatter(const Experiment& e, const Arrays& in) { return dist::sum_scatter(in[0], group_of(e)); }

// Untimed, for the check: every rank's result, rank by rank.
mx::array whole_world(const Experiment& e, const mx::array& mine) {
  return mx::reshape(dist::all_gather(mine, group_of(e)), {e.ranks, static_cast<int>(mine.size())});
}

OPBENCH_MLX_OP("AllReduce", {.prepare = own_row, .call = all_sum, .to_reference_layout = whole_world});
OPBENCH_MLX_OP("AllGather", {.prepare = own_row, .call = all_gather, .to_reference_layout = whole_world});
OPBENCH_MLX_OP("ReduceScatter", {.prepare = own_row, .call = sum_scatter, .to_reference_layout = whole_world});
OPBENCH_MLX_CANNOT("Broadcast", "MLX's distributed API has no broadcast (all_sum, all_gather, sum_scatter, send, recv)");
OPBENCH_MLX_CANNOT("AllToAll", "MLX's distributed API has no all-to-all (all_sum, all_gather, sum_scatter, send, recv)");

}  // namespace

// Every rank's values gathered (all_gather is in every MLX backend; float64
// is not on the GPU), then the largest of each taken alike on every rank.
// Each double travels as two floats, its float rounding and what that left
// out, so that a time keeps about 48 bits.
void agree_on_slowest(const mx::Device& device, int ranks, std::span<double> values) {
  const int k = static_cast<int>(values.size());
  std::vector<float> split;
  for (double v : values) {
    float high = static_cast<float>(v);
    split.push_back(high);
    split.push_back(static_cast<float>(v - high));
  }
  mx::array all = dist::all_gather(mx::array(split.data(), {2 * k}, mx::float32), group(device, ranks));
  mx::eval(all);
  const float* v = all.data<float>();
  for (int i = 0; i < k; ++i) {
    double largest = -INFINITY;
    for (int r = 0; r < ranks; ++r)
      largest = std::max(largest, static_cast<double>(v[2 * (r * k + i)]) + v[2 * (r * k + i) + 1]);
    values[i] = largest;
  }
}

}  // namespace opbench::mlx_backend
