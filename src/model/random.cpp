#include "model/random.h"

#include <algorithm>
#include <bit>
#include <cmath>

#include "model/parallel.h"

namespace opbench {

namespace {

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

// Standard normal values by Box-Muller, both values of a pair from one
// 64-bit draw (splitmix64's output for the pair's counter): the radius
// sqrt(-2 ln u1) from its high half, the angle 2 pi u2 from its low half. The
// logarithm, sine and cosine are polynomials written here, in float, rather
// than the C library's: the values are the same bits whatever the libm or
// the machine (this file is built without fused multiply-adds, which would
// round differently where a target has them), and a block of pairs becomes
// vector code, a few nanoseconds a value where libm's double functions took
// a hundred (the default suite draws about three billion). Accuracy: a few
// float ulps; |z| < 6.7, since u1 >= 2^-32.
namespace {

constexpr size_t kBlock = 64;  // pairs drawn, then transformed, together

uint64_t pair_draw(uint64_t key, uint64_t pair) { return mix(key + pair * kGolden); }

// ln(u) for u in (0, 1]: the exponent, and an odd series in
// s = (m - 1) / (m + 1) for the mantissa m in [sqrt(1/2), sqrt(2)).
float log_unit(float u) {
  const uint32_t u_bits = std::bit_cast<uint32_t>(u);
  const uint32_t low = (u_bits & 0x7fffffu) < 0x3504f3u;  // mantissa below sqrt(2) - 1: double it
  const float m = std::bit_cast<float>((u_bits & 0x7fffffu) | ((0x7eu + low) << 23));
  const float exponent = static_cast<float>(static_cast<int32_t>(u_bits >> 23) - 126 - static_cast<int32_t>(low));
  const float s = (m - 1.0f) / (m + 1.0f), s2 = s * s;
  const float series = s * (2.0f + s2 * (0.666666667f + s2 * (0.4f + s2 * (0.285714286f + s2 * 0.222222222f))));
  return exponent * 0.693147180559945309f + series;
}

float pick(float if_zero, float if_one, uint32_t bit) {
  const uint32_t mask = 0u - bit;
  return std::bit_cast<float>((std::bit_cast<uint32_t>(if_zero) & ~mask) | (std::bit_cast<uint32_t>(if_one) & mask));
}
float with_sign(float x, uint32_t negative) { return std::bit_cast<float>(std::bit_cast<uint32_t>(x) ^ (negative << 31)); }

// The angle's top two bits pick the quarter turn q, the other 30 an angle x
// in [-pi/4, pi/4) about the quarter's middle; no branches (the quarter is
// random, a mispredicted branch would cost more than the polynomials).
// Always inlined: called out of line, a block's pairs run one at a time in
// scalar code (8 ns a value on one core); inlined, the block is vector code.
[[gnu::always_inline]] inline void transform_pair(uint64_t draw, float& z_cos, float& z_sin) {
  constexpr float kQuarter = 1.57079632679489662f, kHalfRoot2 = 0.707106781186547524f;
  const uint32_t high = static_cast<uint32_t>(draw >> 32), low = static_cast<uint32_t>(draw);
  // u1 in (0, 1]: 31 of the high bits, never 0, as a float.
  const float u1 = (static_cast<float>(static_cast<int32_t>(high >> 1)) + 0.5f) * (1.0f / 2147483648.0f);
  const float r = std::sqrt(-2.0f * log_unit(u1));
  const float x = (static_cast<float>(static_cast<int32_t>(low & 0x3fffffffu)) + 0.5f) * (kQuarter / 1073741824.0f) -
                  0.5f * kQuarter;
  const float x2 = x * x;
  const float sin_x = x * (1.0f - x2 * (1.0f / 6 - x2 * (1.0f / 120 - x2 * (1.0f / 5040 - x2 * (1.0f / 362880)))));
  const float cos_x =
      1.0f - x2 * (0.5f - x2 * (1.0f / 24 - x2 * (1.0f / 720 - x2 * (1.0f / 40320 - x2 * (1.0f / 3628800)))));
  // The angle is q quarter turns + pi/4 + x; a quarter turn maps (cos, sin) to (-sin, cos).
  const float c = (cos_x - sin_x) * kHalfRoot2, s = (cos_x + sin_x) * kHalfRoot2;
  const uint32_t q = low >> 30, odd = q & 1;
  z_cos = r * with_sign(pick(c, s, odd), (q ^ (q >> 1)) & 1);
  z_sin = r * with_sign(pick(s, c, odd), q >> 1);
}

// Pairs [first, first + count) of a stream into values (n of them in all).
// Built for AVX2 too where the machine has it (twice the vector width; the
// same bits, as no fused multiply-add is used).
[[gnu::target_clones("avx2", "default")]] void normal_block(uint64_t key, size_t first, size_t count, float* values,
                                                            size_t n) {
  uint64_t draws[kBlock];
  float z_cos[kBlock], z_sin[kBlock];
  for (size_t k = 0; k < kBlock; ++k) draws[k] = pair_draw(key, first + k);
  for (size_t k = 0; k < kBlock; ++k) transform_pair(draws[k], z_cos[k], z_sin[k]);
  float* out = values + 2 * first;
  const size_t whole = std::min(count, (n - 2 * first) / 2);  // pairs with both values inside
  for (size_t k = 0; k < whole; ++k) {
    out[2 * k] = z_cos[k];
    out[2 * k + 1] = z_sin[k];
  }
  if (whole < count) out[2 * whole] = z_cos[whole];  // an odd n's last value
}

}  // namespace

void normal_pair(uint64_t draw, float& z_cos, float& z_sin) { transform_pair(draw, z_cos, z_sin); }

uint64_t normal_draw(uint64_t seed, uint64_t stream, uint64_t pair) { return pair_draw(stream_key(seed, stream), pair); }

void fill_normal(HostBuffer<float>& out, uint64_t seed, uint64_t stream) {
  const uint64_t key = stream_key(seed, stream);
  const size_t n = out.size(), pairs = (n + 1) / 2;
  float* values = out.data();
  parallel_for((pairs + kBlock - 1) / kBlock, [&](size_t b, size_t e) {
    for (size_t block = b; block < e; ++block)
      normal_block(key, block * kBlock, std::min(kBlock, pairs - block * kBlock), values, n);
  }, size_t{1} << 13);
}

void fill_uniform(HostBuffer<float>& out, float lo, float hi, uint64_t seed, uint64_t stream) {
  uint64_t key = stream_key(seed, stream);
  parallel_for(out.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) {
      float v = static_cast<float>(lo + (hi - lo) * unit(bits(key, i)));
      // Rounding to float can land on an end point; keep the interval open.
      out[i] = std::clamp(v, std::nextafter(lo, hi), std::nextafter(hi, lo));
    }
  });
}

void fill_bernoulli(HostBuffer<float>& out, uint64_t seed, uint64_t stream) {
  uint64_t key = stream_key(seed, stream);
  parallel_for(out.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) out[i] = static_cast<float>(bits(key, i) >> 63);
  });
}

void fill_index(HostBuffer<int64_t>& out, int64_t limit, uint64_t seed, uint64_t stream) {
  uint64_t key = stream_key(seed, stream);
  parallel_for(out.size(), [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i)  // unit() rounds to 1.0 for the top 53-bit value: keep below limit
      out[i] = std::min(limit - 1, static_cast<int64_t>(unit(bits(key, i)) * static_cast<double>(limit)));
  });
}

}  // namespace opbench
