#pragma once
// Facts about the CUDA device that need CUDA's headers, kept in their own
// translation unit (torch_cuda_info.cpp, built only when LibTorch has CUDA).
#include <string>

namespace opbench::torch_backend {

// "NVIDIA H100 80GB HBM3 (79.1 GiB)", or "" without a CUDA device.
std::string cuda_device_name();
// The CUDA version LibTorch was built with ("13.0"), or "".
std::string cuda_version();

}  // namespace opbench::torch_backend
