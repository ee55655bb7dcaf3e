#pragma once
// Where the solver keeps what it learned: cache key → result, and, per build
// step, what the step saw last time (for --explain-cache). The real index is
// kiln.db (solver/ops/build/sqlite_cache_index.h); MemoryCacheIndex serves
// tests. Implementations are thread-safe.
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "solver/core/executor.h"

namespace solver {

// Cache records under this prefix map a layer stack's chain id to the
// snapshot it was unpacked into (solver/ops/build/image_chain.h), so images,
// builds and imported caches sharing layers share snapshots.
inline constexpr const char* k_layer_chain_prefix = "kiln.layer-chain.v1:";

// What a build step saw, stored under a step id that names its place in a
// project (not its cache key), so the next build of that step can say what
// changed.
struct StepRecord {
  std::string key;          // cache key it had
  std::string instruction;  // the Dockerfile text of the step
  std::string definition;   // the op's fields as canonical JSON, inputs excluded
  std::vector<std::string> input_keys;
  std::vector<std::string> input_names;  // display names of the inputs' steps
  std::optional<ContentKey> content;
  friend bool operator==(const StepRecord&, const StepRecord&) = default;
};

std::string serialize_step_record(const StepRecord& record);
base::Result<StepRecord> parse_step_record(std::string_view text);

// A digest over every field of `record`: equal fingerprints, equal records.
// A cached step compares fingerprints instead of reading back its last
// record, which for a large COPY lists every file.
std::string step_record_fingerprint(const StepRecord& record);

class CacheIndex {
 public:
  virtual ~CacheIndex() = default;
  virtual base::Result<std::optional<VertexResult>> lookup(const std::string& key) = 0;
  virtual base::Result<void> store(const std::string& key, const VertexResult& result) = 0;
  // Records `result` unless a result for `key` is already there (another
  // build finished the same step first); returns the one now recorded, so
  // concurrent builds of the same step converge on one result.
  virtual base::Result<VertexResult> store_first(const std::string& key, const VertexResult& result) = 0;
  virtual base::Result<std::optional<StepRecord>> last_step(const std::string& step_id) = 0;
  // step_record_fingerprint of the last record of `step_id`, if any.
  virtual base::Result<std::optional<std::string>> last_step_fingerprint(const std::string& step_id) = 0;
  virtual base::Result<void> remember_step(const std::string& step_id, const StepRecord& record) = 0;
  // Several records at once; an index that can should make it one durable
  // write (a build keeps its steps' records until its end).
  virtual base::Result<void> remember_steps(const std::vector<std::pair<std::string, StepRecord>>& records) {
    for (const auto& [step_id, record] : records) TRY(remember_step(step_id, record));
    return {};
  }
};

class MemoryCacheIndex final : public CacheIndex {
 public:
  base::Result<std::optional<VertexResult>> lookup(const std::string& key) override;
  base::Result<void> store(const std::string& key, const VertexResult& result) override;
  base::Result<VertexResult> store_first(const std::string& key, const VertexResult& result) override;
  base::Result<std::optional<StepRecord>> last_step(const std::string& step_id) override;
  base::Result<std::optional<std::string>> last_step_fingerprint(const std::string& step_id) override;
  base::Result<void> remember_step(const std::string& step_id, const StepRecord& record) override;

 private:
  std::mutex m_mutex;
  std::map<std::string, VertexResult> m_results;
  std::map<std::string, StepRecord> m_steps;
};

// The result as stored in a cache record: {"snapshot": ..., "payload": ...}.
std::string serialize_result(const VertexResult& result);
base::Result<VertexResult> parse_result(std::string_view text);

}  // namespace solver
