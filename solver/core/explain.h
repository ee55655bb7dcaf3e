#pragma once
// --explain-cache: why a step ran instead of coming from the cache. The
// solver remembers, per step of a project, what the step saw (StepRecord);
// on a miss the new record is compared with the last one and each difference
// becomes one line a user can act on: the instruction text, a build arg or
// environment variable, a changed file in the context, the base image digest,
// or the step before it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "solver/core/cache_index.h"
#include "solver/core/executor.h"
#include "solver/ir/ir.h"

namespace solver {

// The op's kind and fields as canonical JSON (inputs and side tables left out).
std::string op_definition_json(const ir::Definition& def, uint32_t op);

// `lookups_allowed` false: the step ran because --no-cache or
// --no-cache-filter said so.
std::vector<std::string> explain_miss(const std::optional<StepRecord>& before,
                                      const StepRecord& now, OpExecutor& executor,
                                      bool lookups_allowed);

}  // namespace solver
