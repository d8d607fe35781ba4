#pragma once
// A framework plug-in's table of ops: each op's function in the framework's
// words, registered beside it, or a declaration, with its reason, that the
// framework cannot run the op. Instantiated by each plug-in for its own entry
// type (backends/torch/torch_ops.h's TorchOp, backends/mlx/mlx_ops.h's
// MlxOp), so each framework keeps its table in its own symbol scope.
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

#include "execution/backend.h"

namespace opbench {

template <class Entry>
class FrameworkOps {
 public:
  // `framework` names the framework and its version in messages: "LibTorch 2.11.0".
  explicit FrameworkOps(std::string framework) : framework_(std::move(framework)) {}

  bool add(const std::string& op, Entry entry) {
    entries_.emplace(op, entry);
    return true;
  }
  bool cannot(const std::string& op, std::string reason) {
    cannot_.emplace(op, std::move(reason));
    return true;
  }

  OpSupport support(std::string_view op) const {
    if (entries_.count(op)) return {true, ""};
    auto why = cannot_.find(op);
    return {false, why == cannot_.end() ? "" : why->second};
  }

  // The op's entry, looked up once when a cell is prepared. Throws
  // std::runtime_error with the declared reason, or saying that opbench has
  // no such op for this framework.
  const Entry& require(std::string_view op) const {
    if (auto it = entries_.find(op); it != entries_.end()) return it->second;
    auto why = cannot_.find(op);
    if (why != cannot_.end())
      throw std::runtime_error(framework_ + " cannot run " + std::string(op) + ": " + why->second);
    throw std::runtime_error(framework_ + " has no " + std::string(op) + " in opbench");
  }

 private:
  std::string framework_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> cannot_;
};

}  // namespace opbench

// Registers `entry` (braces: the framework's entry type) as the framework's
// implementation of op `name`, from the line below the function.
#define OPBENCH_FRAMEWORK_OP(table, name, ...) \
  static const bool OPBENCH_CONCAT(opbench_framework_op_, __LINE__) = (table).add(name, __VA_ARGS__)
// Declares that the framework cannot run op `name`, and why.
#define OPBENCH_FRAMEWORK_CANNOT(table, name, reason) \
  static const bool OPBENCH_CONCAT(opbench_framework_cannot_, __LINE__) = (table).cannot(name, reason)
