// The collectives: AllReduce (sum), AllGather, ReduceScatter (sum),
// Broadcast (from rank 0) and AllToAll over the frameworks' own distributed
// runtimes, one worker process a rank (execution/isolation.h).
//
// dim1 is the message size in elements as nccl-tests counts it ("size"): the
// larger of a rank's two buffers (AllGather's result, ReduceScatter's input,
// AllToAll's either). Rank r's input is row r of the input x, shaped
// [ranks, input elements] and drawn from stream r of the experiment's seed
// (which make_inputs derives from the seed and the line); the reference is the whole world's result, row r
// rank r's, and each rank's backend gathers every rank's result for the check
// (so every rank checks them all).
#include "model/ops/unit.h"

namespace opbench {
namespace {

using namespace op_unit;
using namespace reference;

int64_t size_of(const Experiment& e) { return e.dims[0][0]; }
int64_t ranks_of(const Experiment& e) { return e.ranks; }
// A rank's share of dim1: what it sends to, or receives from, each rank.
int64_t part_of(const Experiment& e) { return size_of(e) / ranks_of(e); }

void one_message(const Experiment& e) {
  if (e.dims[0].size() != 1) bad(dim_text(e, 0) + " must be one size in elements (a message), not a shape");
}

// AllGather, ReduceScatter and AllToAll split the message into one part per
// rank: nccl-tests rounds the size down, which would time another size
// than the line says.
void divisible_message(const Experiment& e) {
  one_message(e);
  if (size_of(e) % ranks_of(e) != 0)
    bad(dim_text(e, 0) + " does not split into " + std::to_string(ranks_of(e)) + " equal parts, one per rank");
}

// A rank's buffer: the whole message (dim1) or one rank's part of it.
enum class Buffer { message, part };

template <Buffer b>
int64_t elements(const Experiment& e) {
  return b == Buffer::message ? size_of(e) : part_of(e);
}

template <Buffer out>
Shape world_output(const Experiment& e) {
  return {ranks_of(e), elements<out>(e)};
}

template <Buffer in>
std::vector<HostTensor> rank_inputs(const Experiment& e, uint64_t seed) {
  const int64_t n = elements<in>(e);
  HostTensor x = float_input("x", {ranks_of(e), n});
  for (int64_t r = 0; r < ranks_of(e); ++r) {
    HostTensor row = normal("x", {n}, seed, static_cast<uint64_t>(r));
    std::copy(row.f32.begin(), row.f32.end(), x.f32.begin() + r * n);
  }
  return {std::move(x)};
}

// The world's result, element (r, i) from `element(r, i)`, on all cores.
template <class F>
RefTensor world_result(const Experiment& e, F element) {
  RefTensor out = zeros(e.spec().output_shape(e));
  const int64_t n = out.shape[1];
  for_each_index(ranks_of(e) * n, static_cast<double>(ranks_of(e)), [&](int64_t k) { out.values[k] = element(k / n, k % n); });
  return out;
}

// x[k][i] of rank k's input.
double input_at(const Inputs& in, int64_t k, int64_t i) { return in[0].f32[k * in[0].shape[1] + i]; }

double sum_over_ranks(const Inputs& in, int64_t i) {
  double acc = 0;
  for (int64_t k = 0; k < in[0].shape[0]; ++k) acc += input_at(in, k, i);
  return acc;
}

RefTensor all_reduce(const Experiment& e, const Inputs& in) {
  return world_result(e, [&](int64_t, int64_t i) { return sum_over_ranks(in, i); });
}
RefTensor broadcast(const Experiment& e, const Inputs& in) {
  return world_result(e, [&](int64_t, int64_t i) { return input_at(in, 0, i); });
}
// Part k of every rank's result is rank k's input.
RefTensor all_gather(const Experiment& e, const Inputs& in) {
  const int64_t p = part_of(e);
  return world_result(e, [&](int64_t, int64_t i) { return input_at(in, i / p, i % p); });
}
// Rank r gets the sum over ranks of part r of their inputs.
RefTensor reduce_scatter(const Experiment& e, const Inputs& in) {
  const int64_t p = part_of(e);
  return world_result(e, [&](int64_t r, int64_t i) { return sum_over_ranks(in, r * p + i); });
}
// Part k of rank r's result is part r of rank k's input.
RefTensor all_to_all(const Experiment& e, const Inputs& in) {
  const int64_t p = part_of(e);
  return world_result(e, [&](int64_t r, int64_t i) { return input_at(in, i / p, r * p + i % p); });
}

// nccl-tests' bus bandwidth factors (its doc/PERFORMANCE.md): what each rank's
// link carries, relative to the message, in the best algorithm.
double all_reduce_factor(const Experiment& e) { return 2.0 * (ranks_of(e) - 1) / ranks_of(e); }
double share_factor(const Experiment& e) { return static_cast<double>(ranks_of(e) - 1) / ranks_of(e); }
double whole_message(const Experiment&) { return 1.0; }

// The message, once: the bytes that algorithm bandwidth divides by.
double message_bytes(const Experiment& e) { return size_of(e) * dtype_bytes(e.dtype); }
// Every rank's input is made in every rank's process (the check covers them all).
template <Buffer in>
double world_input_bytes(const Experiment& e) {
  return static_cast<double>(ranks_of(e)) * elements<in>(e) * 4;
}
// Additions: each element of the reduced result sums one value per rank.
template <Buffer out>
double reduce_flops(const Experiment& e) {
  return static_cast<double>(elements<out>(e)) * (ranks_of(e) - 1);
}

constexpr const char* kNoGradient = "a collective is timed forward only";

// A collective whose rank takes buffer `in` and gives buffer `out`.
template <Buffer in, Buffer out>
OpSpec collective(const char* name, const char* summary, void (*check_shapes)(const Experiment&),
                  RefTensor (*reference)(const Experiment&, const Inputs&), double (*factor)(const Experiment&),
                  bool sums, std::vector<std::string> quick) {
  OpSpec op;
  op.name = name;
  op.summary = summary;
  op.collective = true;
  op.check_shapes = check_shapes;
  op.make_inputs = rank_inputs<in>;
  op.output_shape = world_output<out>;
  op.reference = reference;
  op.no_gradient = kNoGradient;
  op.computes_values = sums;  // the others copy: any difference is wrong
  op.flops = sums ? reduce_flops<out> : no_flops;
  op.bytes_moved = message_bytes;
  op.input_memory = world_input_bytes<in>;
  op.bus_factor = factor;
  op.quick = std::move(quick);
  return op;
}

}  // namespace
}  // namespace opbench

OPBENCH_OP_UNIT(collectives) {
  using namespace opbench;
  using enum Buffer;
  return {
      collective<message, message>("AllReduce", "sum over the ranks, on every rank", one_message, all_reduce, all_reduce_factor, true,
                 {"AllReduce dim1=2 ranks=2", "AllReduce dim1=100003 ranks=2"}),
      collective<part, message>("AllGather", "every rank's x, joined in rank order, on every rank", divisible_message, all_gather,
                 share_factor, false, {"AllGather dim1=4 ranks=2", "AllGather dim1=200000 ranks=2"}),
      collective<message, part>("ReduceScatter", "part r of the sum over the ranks, on rank r", divisible_message, reduce_scatter,
                 share_factor, true, {"ReduceScatter dim1=4 ranks=2", "ReduceScatter dim1=200000 ranks=2"}),
      collective<message, message>("Broadcast", "rank 0's x, on every rank", one_message, broadcast, whole_message, false,
                 {"Broadcast dim1=2 ranks=2", "Broadcast dim1=100003 ranks=2"}),
      collective<message, message>("AllToAll", "part k of rank r's result is part r of rank k's x", divisible_message, all_to_all,
                 share_factor, false, {"AllToAll dim1=4 ranks=2", "AllToAll dim1=200000 ranks=2"}),
  };
}
