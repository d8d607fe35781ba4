#include "model/peaks.h"

#include <algorithm>
#include <cmath>

namespace opbench {

double peak_share(const Peaks& peaks, FloatType dtype, double flops, double bytes, double ms) {
  double seconds = ms / 1e3, share = NAN;
  if (peaks.bandwidth_gbs > 0) share = bytes / seconds / 1e9 / peaks.bandwidth_gbs;
  auto it = peaks.gflops.find(dtype);
  if (it != peaks.gflops.end() && it->second > 0 && flops > 0) {
    double compute = flops / seconds / 1e9 / it->second;
    share = std::isnan(share) ? compute : std::max(share, compute);
  }
  return share;
}

}  // namespace opbench
