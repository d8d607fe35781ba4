// Built only when LibTorch has CUDA: the device's name and memory.
#include <ATen/cuda/CUDAContext.h>
#include <torch/cuda.h>

#include <cstdio>

#include "backends/torch/torch_device.h"

namespace opbench::torch_backend {

std::string cuda_device_name() {
  if (!torch::cuda::is_available()) return "";
  const cudaDeviceProp* p = at::cuda::getCurrentDeviceProperties();
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s (%.0f GiB)", p->name, p->totalGlobalMem / 1073741824.0);
  return buf;
}

std::string cuda_version() {
  int v = CUDA_VERSION;  // e.g. 13000
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

}  // namespace opbench::torch_backend
