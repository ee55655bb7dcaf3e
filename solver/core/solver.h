#pragma once
// solve(): runs a build graph. Every op needed for the terminal gets a cache
// key — the schema version, the op's structural digest, its inputs' keys and
// the content the executor vouches for (context files, a base image digest) —
// and is looked up before it runs. Independent ops run in parallel, at most
// `max_parallel` at a time; the first failure cancels the rest and is
// returned with the step's name and Dockerfile line.
//
// Op kinds the core treats specially: ConfigChange passes its input's result
// through (image-config edits never run and never invalidate the filesystem
// steps after them, as in BuildKit); Scratch is the empty filesystem; a
// ContextSource is never cached (reading the context is how its content is
// learned). Everything else is looked up, run on a miss, and recorded.
#include <atomic>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"
#include "solver/core/cache_index.h"
#include "solver/core/executor.h"
#include "solver/core/progress.h"
#include "solver/ir/ir.h"

namespace solver {

inline constexpr const char* k_cache_key_schema = "kiln.cache.v1";

struct SolveOptions {
  bool no_cache = false;                   // --no-cache: run every step (base images stay)
  std::set<std::string> no_cache_stages;   // --no-cache-filter: stage names, lower-cased
  // Names the project for step records (--explain-cache): the same Dockerfile
  // in the same context directory has the same scope. Never part of a key.
  std::string step_scope;
  bool explain = false;                    // compute reasons for every miss
  unsigned max_parallel = 0;               // 0 = the number of cores
  // Set from outside (Ctrl-C): running steps are told to stop, no new step
  // starts, and solve() fails with "build interrupted".
  const std::atomic<bool>* interrupted = nullptr;
};

enum class StepState { cached, ran, failed, canceled };

struct StepOutcome {
  uint32_t op = 0;
  int number = 0;            // as shown in progress, from 1
  std::string name;          // display name
  StepState state = StepState::ran;
  std::string key;
  std::vector<std::string> reasons;  // why it ran (explain); empty when cached
  double seconds = 0;
};

struct SolveResult {
  std::vector<std::optional<VertexResult>> results;  // per op; set for every op solved
  std::vector<std::string> keys;                     // per op; "" when not solved
  std::vector<StepOutcome> steps;                    // displayed steps, by number
};

// Fails with the first step error; `partial` (optional) receives what was
// solved and the outcomes so far, so the CLI can still explain.
base::Result<SolveResult> solve(const ir::Definition& def, OpExecutor& executor, CacheIndex& index,
                                ProgressSink& progress, const SolveOptions& options,
                                SolveResult* partial = nullptr);

}  // namespace solver
