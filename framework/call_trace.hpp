#pragma once
/// \file Internal: the per-thread record of module calls that summary() collects.
#include <vector>

#include "framework/shape.hpp"

namespace tapenet {
class Module;
}

namespace tapenet::detail {

struct ModuleCall {
  const Module* module;
  int depth;       ///< nesting level of the call
  Shape output;    ///< filled when the call returns
  int64_t macs;    ///< multiply-adds per sample, filled when the call returns
};

/// The trace Module::operator() appends to on this thread; nullptr when no summary runs.
std::vector<ModuleCall>*& call_trace();

}  // namespace tapenet::detail
