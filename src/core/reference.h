#pragma once
// Independent reference results: naive loops in double precision over the
// host inputs, written from the definitions in docs/ops.md and sharing no
// code with any framework. Slow by design; tests use small shapes.
#include <vector>

#include "core/experiment.h"
#include "core/tensor.h"

namespace opbench::reference {

using Inputs = std::vector<HostTensor>;

RefTensor argmax(const Experiment&, const Inputs&);
RefTensor bce(const Experiment&, const Inputs&);
RefTensor concat(const Experiment&, const Inputs&);
RefTensor conv1d(const Experiment&, const Inputs&);
RefTensor conv2d(const Experiment&, const Inputs&);
RefTensor gather(const Experiment&, const Inputs&);
RefTensor layer_norm(const Experiment&, const Inputs&);
RefTensor leaky_relu(const Experiment&, const Inputs&);
RefTensor linear(const Experiment&, const Inputs&);
RefTensor matmul(const Experiment&, const Inputs&);
RefTensor prelu(const Experiment&, const Inputs&);
RefTensor relu(const Experiment&, const Inputs&);
RefTensor scaled_dot_product_attention(const Experiment&, const Inputs&);
// Scatter's result depends on which duplicate index wins; the reference
// gives the last writer, and check.h accepts any candidate.
RefTensor scatter(const Experiment&, const Inputs&);
RefTensor scatter_sum(const Experiment&, const Inputs&);
RefTensor scatter_max(const Experiment&, const Inputs&);
RefTensor selu(const Experiment&, const Inputs&);
RefTensor sigmoid(const Experiment&, const Inputs&);
RefTensor softmax(const Experiment&, const Inputs&);
RefTensor softplus(const Experiment&, const Inputs&);
RefTensor sort(const Experiment&, const Inputs&);
RefTensor sum(const Experiment&, const Inputs&);
RefTensor sum_all(const Experiment&, const Inputs&);
// The calibration op: the input itself.
RefTensor copy(const Experiment&, const Inputs&);

}  // namespace opbench::reference

namespace opbench::reference {

// One element (flat row-major index of the result) of the ops whose full
// reference is too costly on large shapes.
double matmul_at(const Experiment&, const Inputs&, int64_t flat);
double linear_at(const Experiment&, const Inputs&, int64_t flat);
double convolution_at(const Experiment&, const Inputs&, int64_t flat);
double attention_at(const Experiment&, const Inputs&, int64_t flat);

}  // namespace opbench::reference
