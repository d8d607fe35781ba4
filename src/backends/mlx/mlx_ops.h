#pragma once
// The ops in MLX's words. Private to the MLX plug-in: the only translation
// units that include MLX are this folder's.
#include <mlx/array.h>

#include <string_view>
#include <vector>

#include "execution/framework_ops.h"
#include "model/experiment.h"
#include "model/shape.h"

namespace opbench::mlx_backend {

namespace mx = mlx::core;
using Arrays = std::vector<mx::array>;

struct MlxOp {
  // Untimed: turns the inputs (host layout, already arrays) into what the
  // timed call takes, e.g. scatter's updates in MLX's E x 1 x F form or
  // attention's mask. nullptr: as is.
  Arrays (*prepare)(const Experiment&, Arrays) = nullptr;
  // Timed: builds the lazy graph of one call; the caller evaluates it.
  // MLX already uses the reference's layout (channels last), so results need
  // no conversion back.
  mx::array (*call)(const Experiment&, const Arrays&) = nullptr;
  // >= 0: after each call the result replaces input `rebinds`, as Python's
  // `x[idx] = src` rebinds x (the plain backends; a compiled function, as
  // mx.compile traces it, leaves its caller's x as it was).
  int rebinds = -1;
  // Untimed: the result as the reference lays it out, for the check (a
  // collective's: every rank's result). nullptr: as it is.
  mx::array (*to_reference_layout)(const Experiment&, const mx::array&) = nullptr;
};

// Every op in MLX's words, each registered beside its function in
// mlx_ops.cpp or mlx_collectives.cpp (OPBENCH_MLX_OP), or declared impossible
// (OPBENCH_MLX_CANNOT).
const FrameworkOps<MlxOp>& mlx_ops();
// The same table, for the registrations.
FrameworkOps<MlxOp>& mlx_op_table();

// Registers the function above it as MLX's `name`: OPBENCH_MLX_OP("Sort", {.call = sort}).
#define OPBENCH_MLX_OP(name, ...) OPBENCH_FRAMEWORK_OP(::opbench::mlx_backend::mlx_op_table(), name, __VA_ARGS__)
// Declares that MLX cannot run `name`, and why: the cells say so.
#define OPBENCH_MLX_CANNOT(name, reason) \
  OPBENCH_FRAMEWORK_CANNOT(::opbench::mlx_backend::mlx_op_table(), name, reason)

// opbench's shape as MLX's (32-bit dimensions); throws std::runtime_error
// for a dimension MLX cannot hold.
mx::Shape mlx_shape(const Shape& shape);

}  // namespace opbench::mlx_backend
