#pragma once
// The seam between the solver core and the work behind each op. The core
// decides what runs (cache keys, lookups, scheduling, cancellation); an
// OpExecutor (solver/ops/build/) does the work with snapshots, files and the
// content store. Results are plain strings so the core never learns what a
// snapshot or an image is.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "solver/core/progress.h"

namespace solver {

// What an op produced: a committed snapshot id ("" = the empty filesystem)
// and op-specific data the executor interprets (an image's manifest digest,
// a context directory).
struct VertexResult {
  std::string snapshot;
  std::string payload;
  friend bool operator==(const VertexResult&, const VertexResult&) = default;
};

// Bytes made on first use and then kept, shared by every copy. A COPY of a
// large context describes every file it read; a cached step never needs that
// description, so the executor hands over how to make it instead.
// Thread-safe.
class LazyDetail {
 public:
  LazyDetail() = default;
  // Implicit, so that ContentKey{digest, kind, "bytes"} reads naturally.
  LazyDetail(std::string bytes);
  LazyDetail(const char* bytes) : LazyDetail(std::string(bytes)) {}
  static LazyDetail deferred(std::function<std::string()> make);

  const std::string& get() const;
  friend bool operator==(const LazyDetail& a, const LazyDetail& b) { return a.get() == b.get(); }

 private:
  struct State {
    std::once_flag once;
    std::function<std::string()> make;
    std::string bytes;
  };
  std::shared_ptr<State> m_state;
};

// The part of a cache key that the graph's structure cannot say: the content
// of the context files a COPY selects, the digest an image name resolves to.
// `detail` is a compact description of that content kept for
// --explain-cache; `explain` turns two details into reasons. The executor
// derives both from the same content, so for one op, equal digests mean
// equal details (step records are compared by digest alone).
struct ContentKey {
  base::Digest digest;
  std::string kind;   // "files", "image"
  LazyDetail detail;  // serialized by the executor; never part of the key
  friend bool operator==(const ContentKey&, const ContentKey&) = default;
};

// The result the last build of the same step made, when that step had the
// same definition and inputs and only the content it read (ContentKey)
// differed: an executor may reuse the unchanged part of it.
struct PreviousRun {
  VertexResult result;  // still valid when handed out
  ContentKey content;   // what it read then
  ContentKey current;   // what this run reads
};

// Handed to run(): where a running op reports output and learns of
// cancellation.
class StepContext {
 public:
  virtual ~StepContext() = default;
  virtual void log(int stream, std::string_view data) = 0;
  virtual bool canceled() const = 0;
  // Looked up on demand; nullopt when there is none (or no step records).
  virtual base::Result<std::optional<PreviousRun>> previous_run() { return std::optional<PreviousRun>{}; }
};

class OpExecutor {
 public:
  virtual ~OpExecutor() = default;
  // Called once the inputs are solved; nullopt when inputs and definition
  // say everything.
  virtual base::Result<std::optional<ContentKey>> content_key(
      uint32_t op, const std::vector<const VertexResult*>& inputs) = 0;
  virtual base::Result<VertexResult> run(uint32_t op, const std::vector<const VertexResult*>& inputs,
                                         StepContext& step) = 0;
  // A cached result may refer to a snapshot that was pruned since.
  virtual base::Result<bool> still_valid(const VertexResult& result) = 0;
  // A result nobody will use (another build recorded the same step first).
  virtual void discard(const VertexResult& /*result*/) {}
  // Reasons why `before` and `after` (two ContentKey details of one kind)
  // differ, one human line each.
  virtual std::vector<std::string> explain(const std::string& kind, const std::string& before,
                                           const std::string& after) = 0;
};

}  // namespace solver
