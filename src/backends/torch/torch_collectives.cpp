// The collectives as a PyTorch user calls them (torch.distributed's
// all_reduce, all_gather_into_tensor, reduce_scatter_tensor, broadcast,
// all_to_all_single), through c10d's C++ process groups: the only
// translation unit that includes c10d.
//
// Each rank's input is its row of the world's input (ops/collectives.cpp);
// a result buffer the call fills is made once, untimed, as the user's code
// makes it before a loop. The check gathers every rank's result, untimed.
#include "backends/torch/torch_collectives.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef OPBENCH_HAVE_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef OPBENCH_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <map>
#include <stdexcept>

#include "backends/torch/torch_ops.h"
#include "execution/world.h"

namespace opbench::torch_backend {

namespace {

using Group = c10::intrusive_ptr<c10d::Backend>;

std::chrono::milliseconds rendezvous_timeout() {
  return std::chrono::milliseconds(static_cast<int64_t>(rendezvous_timeout_s() * 1000));
}

std::string variable(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  if (value && *value) return value;
  if (fallback) return fallback;
  throw std::runtime_error(std::string(name) + " is not set: the ranks cannot meet");
}

// The store every group of this process meets through: rank 0 serves it.
// A world of one serves itself on a port the system picks.
c10::intrusive_ptr<c10d::Store> store(const World& w) {
  static c10::intrusive_ptr<c10d::Store> made;
  if (made) return made;
  c10d::TCPStoreOptions o;
  std::string port = variable("MASTER_PORT", w.size == 1 ? "0" : nullptr);
  o.port = static_cast<uint16_t>(std::stoi(port));
  o.isServer = w.rank == 0;
  o.numWorkers = w.size;
  o.waitWorkers = true;
  o.timeout = rendezvous_timeout();
  std::string address = variable("MASTER_ADDR", w.size == 1 ? "127.0.0.1" : nullptr);
  try {
    made = c10::make_intrusive<c10d::TCPStore>(address, o);
  } catch (const std::exception& e) {
    throw std::runtime_error("rank " + std::to_string(w.rank) + " of " + std::to_string(w.size) +
                             " could not meet the others at " + address + ":" + port + " (TCPStore): " + e.what());
  }
  return made;
}

Group make_group(at::DeviceType type, const World& w) {
  auto prefixed = [&](const char* name) { return c10::make_intrusive<c10d::PrefixStore>(name, store(w)); };
  if (type == at::kCPU) {
#ifdef OPBENCH_HAVE_GLOO
    auto options = c10d::ProcessGroupGloo::Options::create_default(rendezvous_timeout());
    return c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed("gloo"), w.rank, w.size, options);
#else
    throw std::runtime_error("this opbench was built without Gloo's headers (Debian: apt install libgloo-dev), "
                             "which LibTorch's ProcessGroupGloo needs");
#endif
  }
  if (type == at::kCUDA) {
#ifdef OPBENCH_HAVE_NCCL
    auto options = c10::make_intrusive<c10d::ProcessGroupNCCL::Options>();
    options->timeout = rendezvous_timeout();
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed("nccl"), w.rank, w.size, options);
#else
    throw std::runtime_error("this opbench was built without nccl.h, which LibTorch's ProcessGroupNCCL needs");
#endif
  }
  throw std::runtime_error("LibTorch has no process group for " + c10::DeviceTypeName(type) + " in opbench");
}

// One group a device type, made at the first collective cell on it and kept
// for the process's life, as a training script keeps its process group.
c10d::Backend& group(const at::Tensor& on, int ranks) {
  static std::map<at::DeviceType, Group> groups;
  const World w = world_of(ranks);
  Group& g = groups[on.device().type()];
  if (!g) g = make_group(on.device().type(), w);
  return *g;
}

int64_t rank_of(const Experiment& e) { return world_of(e.ranks).rank; }

// The rank's own input: its row of the world's, a tensor of its own.
at::Tensor own_row(const Experiment& e, const at::Tensor& world) { return world[rank_of(e)].clone(); }

// Untimed, made once: the rank's input, then the buffer the call fills.
Tensors input_only(const Experiment& e, Tensors in) { return {own_row(e, in[0])}; }
Tensors input_and_result(const Experiment& e, int64_t elements, Tensors in) {
  at::Tensor x = own_row(e, in[0]);
  at::Tensor out = at::empty({elements}, x.options());
  return {x, out};
}
// AllGather's and AllToAll's result is the whole message; ReduceScatter's a rank's part.
Tensors message_buffer(const Experiment& e, Tensors in) { return input_and_result(e, e.dims[0][0], std::move(in)); }
Tensors part_buffer(const Experiment& e, Tensors in) { return input_and_result(e, e.dims[0][0] / e.ranks, std::move(in)); }

void finish(const c10::intrusive_ptr<c10d::Work>& work) { work->wait(); }

// dist.all_reduce(x): in place.
at::Tensor all_reduce(const Experiment& e, const Tensors& in) {
  std::vector<at::Tensor> x{in[0]};
  finish(group(in[0], e.ranks).allreduce(x));
  return in[0];
}
// dist.broadcast(x, src=0): in place.
at::Tensor broadcast(const Experiment& e, const Tensors& in) {
  std::vector<at::Tensor> x{in[0]};
  c10d::BroadcastOptions from_rank_0;
  finish(group(in[0], e.ranks).broadcast(x, from_rank_0));
  return in[0];
}
// dist.all_gather_into_tensor(out, x)
at::Tensor all_gather(const Experiment& e, const Tensors& in) {
  at::Tensor out = in[1];
  finish(group(in[0], e.ranks)._allgather_base(out, const_cast<at::Tensor&>(in[0])));
  return out;
}
// dist.reduce_scatter_tensor(out, x)
at::Tensor reduce_scatter(const Experiment& e, const Tensors& in) {
  at::Tensor out = in[1];
  finish(group(in[0], e.ranks)._reduce_scatter_base(out, const_cast<at::Tensor&>(in[0])));
  return out;
}
// dist.all_to_all_single(out, x)
at::Tensor all_to_all(const Experiment& e, const Tensors& in) {
  at::Tensor out = in[1];
  std::vector<int64_t> equal_parts;
  finish(group(in[0], e.ranks).alltoall_base(out, const_cast<at::Tensor&>(in[0]), equal_parts, equal_parts));
  return out;
}

// Untimed, for the check: every rank's result, rank by rank, as the
// reference holds the world's.
at::Tensor whole_world(const Experiment& e, const at::Tensor& mine) {
  at::Tensor x = mine.contiguous();
  at::Tensor all = at::empty({e.ranks * x.numel()}, x.options());
  finish(group(x, e.ranks)._allgather_base(all, x));
  return all.view({e.ranks, x.numel()});
}

OPBENCH_TORCH_OP("AllReduce", {.prepare = input_only, .call = all_reduce, .to_reference_layout = whole_world});
OPBENCH_TORCH_OP("AllGather", {.prepare = message_buffer, .call = all_gather, .to_reference_layout = whole_world});
OPBENCH_TORCH_OP("ReduceScatter", {.prepare = part_buffer, .call = reduce_scatter, .to_reference_layout = whole_world});
OPBENCH_TORCH_OP("Broadcast", {.prepare = input_only, .call = broadcast, .to_reference_layout = whole_world});
OPBENCH_TORCH_OP("AllToAll", {.prepare = message_buffer, .call = all_to_all, .to_reference_layout = whole_world});

}  // namespace

void agree_on_slowest(at::Device device, int ranks, std::span<double> values) {
  at::Tensor t = at::tensor(at::ArrayRef<double>(values.data(), values.size()), at::kDouble).to(device);
  std::vector<at::Tensor> x{t};
  c10d::AllreduceOptions largest;
  largest.reduceOp = c10d::ReduceOp::MAX;
  finish(group(t, ranks).allreduce(x, largest));
  at::Tensor host = x[0].to(at::kCPU);
  std::copy(host.data_ptr<double>(), host.data_ptr<double>() + values.size(), values.begin());
}

}  // namespace opbench::torch_backend
