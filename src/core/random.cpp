#include "core/random.h"

#include <algorithm>
#include <cmath>

#include "core/parallel.h"

namespace opbench {

namespace {

uint64_t mix(uint64_t z) {  // splitmix64's finaliser
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// 64 random bits for element i of a stream.
uint64_t bits(uint64_t key, uint64_t i) { return mix(key ^ mix(i)); }

// A double in the open interval (0, 1) from the top 53 bits.
double unit(uint64_t b) { return ((b >> 11) + 0.5) * (1.0 / 9007199254740992.0); }

uint64_t stream_key(uint64_t seed, uint64_t stream) { return mix(seed ^ mix(stream + 0x632be59bd9b4e019ULL)); }

}  // namespace

uint64_t hash_text(std::string_view text, uint64_t seed) {
  uint64_t h = mix(seed);
  for (unsigned char c : text) h = mix(h ^ c);
  return h;
}

void fill_normal(std::vector<float>& out, uint64_t seed, uint64_t stream) {
  uint64_t key = stream_key(seed, stream);
  parallel_for(out.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {  // Box-Muller, one value per element
      double u1 = unit(bits(key, 2 * i)), u2 = unit(bits(key, 2 * i + 1));
      out[i] = static_cast<float>(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
    }
  });
}

void fill_uniform(std::vector<float>& out, float lo, float hi, uint64_t seed, uint64_t stream) {
  uint64_t key = stream_key(seed, stream);
  parallel_for(out.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      float v = static_cast<float>(lo + (hi - lo) * unit(bits(key, i)));
      // Rounding to float can land on an end point; keep the interval open.
      out[i] = std::clamp(v, std::nextafter(lo, hi), std::nextafter(hi, lo));
    }
  });
}

void fill_bernoulli(std::vector<float>& out, uint64_t seed, uint64_t stream) {
  uint64_t key = stream_key(seed, stream);
  parallel_for(out.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) out[i] = static_cast<float>(bits(key, i) >> 63);
  });
}

void fill_index(std::vector<int64_t>& out, int64_t limit, uint64_t seed, uint64_t stream) {
  uint64_t key = stream_key(seed, stream);
  parallel_for(out.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i)  // unit() rounds to 1.0 for the top 53-bit value: keep below limit
      out[i] = std::min(limit - 1, static_cast<int64_t>(unit(bits(key, i)) * static_cast<double>(limit)));
  });
}

}  // namespace opbench
