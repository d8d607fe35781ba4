#include "model/reference.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "model/ops.h"

namespace opbench::reference {

RefTensor zeros(Shape shape) {
  const int64_t count = element_count(shape);
  return {std::move(shape), HostBuffer<double>(count, 0.0), {}};
}

RefTensor output_of(const Experiment& e) { return zeros(e.spec().output_shape(e)); }

int64_t offset(const Shape& shape, std::initializer_list<int64_t> index) {
  int64_t at = 0;
  size_t d = 0;
  for (int64_t i : index) at = at * shape[d++] + i;
  return at;
}

std::vector<int64_t> unravel(const Shape& shape, int64_t flat) {
  std::vector<int64_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

int64_t broadcast_offset(const Shape& shape, const std::vector<int64_t>& index) {
  int64_t at = 0;
  size_t skip = index.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) at = at * shape[d] + (shape[d] == 1 ? 0 : index[d + skip]);
  return at;
}

std::vector<double> read_lane(const HostTensor& x, const Lanes& lanes, int64_t lane) {
  std::vector<double> values(lanes.length);
  for (int64_t k = 0; k < lanes.length; ++k) values[k] = x.at(lanes.at(lane, k));
  return values;
}

void write_lane(RefTensor& out, const Lanes& lanes, int64_t lane, const std::vector<double>& values) {
  for (int64_t k = 0; k < lanes.length; ++k) out.values[lanes.at(lane, k)] = values[k];
}

int64_t axis_of(const Experiment& e, const HostTensor& x) { return normalized_axis(e, x.shape.size()); }

double total(const std::vector<double>& values) { return std::accumulate(values.begin(), values.end(), 0.0); }

std::vector<double> softmax_of(std::vector<double> values) {
  const double top = *std::max_element(values.begin(), values.end());
  for (double& v : values) v = std::exp(v - top);
  const double sum = total(values);
  for (double& v : values) v /= sum;
  return values;
}

void multiply(const HostTensor& a, int64_t a_start, const HostTensor& b, int64_t b_start, int64_t m, int64_t k, int64_t n,
              RefTensor& out, int64_t out_start) {
  for_each_index(m, static_cast<double>(n) * k, [&](int64_t i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0.0;
      for (int64_t p = 0; p < k; ++p) acc += a.at(a_start + i * k + p) * b.at(b_start + p * n + j);
      out.values[out_start + i * n + j] = acc;
    }
  });
}

}  // namespace opbench::reference
