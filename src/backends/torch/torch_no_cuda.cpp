// Built when LibTorch has no CUDA: there is no CUDA device to describe.
#include "backends/torch/torch_device.h"

namespace opbench::torch_backend {

std::string cuda_device_name() { return ""; }
std::string cuda_version() { return ""; }

}  // namespace opbench::torch_backend
