#pragma once
// Seeded, counter-based random numbers: element i of a stream depends only on
// (seed, stream, i), so large inputs fill in parallel and still come out the
// same on every machine and thread count.
#include <cstdint>
#include <string_view>
#include <vector>

namespace opbench {

// A 64-bit hash of text, to derive an experiment's seed from its line.
uint64_t hash_text(std::string_view text, uint64_t seed);

// Standard normal values.
void fill_normal(std::vector<float>& out, uint64_t seed, uint64_t stream);
// Uniform values in the open interval (lo, hi).
void fill_uniform(std::vector<float>& out, float lo, float hi, uint64_t seed, uint64_t stream);
// 0.0 or 1.0 with equal probability.
void fill_bernoulli(std::vector<float>& out, uint64_t seed, uint64_t stream);
// Integers drawn uniformly from [0, limit) (the reference's [0, N-1) is limit = N-1).
void fill_index(std::vector<int64_t>& out, int64_t limit, uint64_t seed, uint64_t stream);

}  // namespace opbench
