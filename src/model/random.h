#pragma once
// Seeded, counter-based random numbers: element i of a stream depends only on
// (seed, stream, i), so large inputs fill in parallel and still come out the
// same on every machine and thread count.
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/tensor.h"

namespace opbench {

// splitmix64's constants: its increment (2^64 / golden ratio) and the
// finaliser's two multipliers.
inline constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL, kMix1 = 0xbf58476d1ce4e5b9ULL, kMix2 = 0x94d049bb133111ebULL;

// splitmix64's finaliser: 64 well-mixed bits of z.
inline uint64_t mix(uint64_t z) {
  z += kGolden;
  z = (z ^ (z >> 30)) * kMix1;
  z = (z ^ (z >> 27)) * kMix2;
  return z ^ (z >> 31);
}

// A 64-bit hash of text, to derive an experiment's seed from its line.
uint64_t hash_text(std::string_view text, uint64_t seed);

// Standard normal values: Box-Muller, element 2k and 2k + 1 from the k-th
// 64-bit draw of the stream.
void fill_normal(HostBuffer<float>& out, uint64_t seed, uint64_t stream);
// The two standard normal values of one 64-bit draw: r cos(a) and r sin(a),
// with r = sqrt(-2 ln u1), u1 = (float(draw >> 33) + 1/2) / 2^31 in float
// arithmetic (never 0), and a = 2 pi (low 32 bits + 1/2) / 2^32.
void normal_pair(uint64_t draw, float& z_cos, float& z_sin);
// The draw of pair k of a stream: fill_normal's elements 2k and 2k + 1 are
// normal_pair(normal_draw(seed, stream, k)), bit for bit.
uint64_t normal_draw(uint64_t seed, uint64_t stream, uint64_t pair);
// Uniform values in the open interval (lo, hi).
void fill_uniform(HostBuffer<float>& out, float lo, float hi, uint64_t seed, uint64_t stream);
// 0.0 or 1.0 with equal probability.
void fill_bernoulli(HostBuffer<float>& out, uint64_t seed, uint64_t stream);
// Integers drawn uniformly from [0, limit) (the reference's [0, N-1) is limit = N-1).
void fill_index(HostBuffer<int64_t>& out, int64_t limit, uint64_t seed, uint64_t stream);

}  // namespace opbench
