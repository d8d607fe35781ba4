#pragma once
// The ops in LibTorch's words. Private to the torch plug-in: the only
// translation units that include ATen are this folder's.
#include <ATen/ATen.h>

#include <string_view>
#include <vector>

#include "execution/framework_ops.h"
#include "model/experiment.h"

namespace opbench::torch_backend {

using Tensors = std::vector<at::Tensor>;

struct TorchOp {
  // Untimed: turns the inputs (host layout, already on the device) into what
  // the timed call takes, e.g. channels-last to channels-first. nullptr: as is.
  Tensors (*prepare)(const Experiment&, Tensors) = nullptr;
  // Timed: one call of the op.
  at::Tensor (*call)(const Experiment&, const Tensors&) = nullptr;
  // Untimed: the result back in the reference's layout, for checking. nullptr: as is.
  at::Tensor (*to_reference_layout)(const Experiment&, const at::Tensor&) = nullptr;
};

// Every op in LibTorch's words, each registered beside its function in
// torch_ops.cpp or torch_collectives.cpp (OPBENCH_TORCH_OP), or declared
// impossible (OPBENCH_TORCH_CANNOT).
const FrameworkOps<TorchOp>& torch_ops();
// The same table, for the registrations.
FrameworkOps<TorchOp>& torch_op_table();

// Registers the function above it as LibTorch's `name`: OPBENCH_TORCH_OP("ReLU", {.call = relu}).
#define OPBENCH_TORCH_OP(name, ...) OPBENCH_FRAMEWORK_OP(::opbench::torch_backend::torch_op_table(), name, __VA_ARGS__)
// Declares that LibTorch cannot run `name`, and why: the cells say so.
#define OPBENCH_TORCH_CANNOT(name, reason) \
  OPBENCH_FRAMEWORK_CANNOT(::opbench::torch_backend::torch_op_table(), name, reason)

}  // namespace opbench::torch_backend
