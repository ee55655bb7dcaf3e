#pragma once
// The bridge from the build graph: which SelectRequest keys one ir::Copy
// action that reads the local build context. Pure; thread-safe.

#include <string>
#include <vector>

#include "solver/ir/ir.h"
#include "solver/ops/context/selection.h"

namespace solver::ops::context {

// `ignore_patterns` are the context source's .dockerignore patterns
// (ir::ContextSource::exclude_patterns), which decide what exists in the
// context at all.
SelectRequest request_for_copy(const ir::Copy& copy, std::vector<std::string> ignore_patterns);

}  // namespace solver::ops::context
