#pragma once
// BuildExecutor: the work behind each op of a local build, on the
// snapshotter, the content store and the build context directories.
//  - image source: the local image's layers applied into a chain of
//    snapshots, one per layer, shared by every image with the same layers
//    (keyed by chain id, as containerd does);
//  - context source: the context directory, read in place (never copied);
//    a COPY's cache key covers the files it selects (solver/ops/context);
//  - file ops (COPY, ADD, WORKDIR's mkdir, heredoc files): a snapshot on
//    the input's, written through solver/ops/file, committed.
//  - ADD <url>: downloaded into a snapshot of its own (solver/ops/http).
//  - RUN: solver/ops/exec, in exec's sandbox; refused with an error naming
//    the step when the build has no sandbox (not root).
// ADD <git> is refused with an error naming the step until its executor
// exists.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "content/content_store.h"
#include "content/image_store.h"
#include "snapshotter/snapshotter.h"
#include "solver/core/cache_index.h"
#include "solver/core/executor.h"
#include "solver/ir/ir.h"
#include "solver/ops/context/selection.h"
#include "solver/ops/exec/exec_step.h"
#include "solver/ops/image/base_image.h"
#include "solver/ops/http/http_source.h"

namespace solver_ops::file {
struct ReuseTree;
}

namespace solver::ops::build {

struct BuildSources {
  std::map<std::string, std::string> contexts;  // context name → directory ("context" = main)
  std::optional<int64_t> source_date_epoch;     // clamps times for reproducible builds
};

// Borrowed services; they outlive the executor.
struct BuildServices {
  const content::ContentStore& blobs;
  content::ImageStore& images;
  snapshotter::Snapshotter& snapshots;
  context::ContextHasher& hasher;
  CacheIndex& index;  // also holds layer-chain records
  const base::Clock& clock;  // stamps when a step's result was made
  // RUN steps; null when this build cannot run processes (the error says why).
  solver_ops::exec_step::ExecStepRunner* runs = nullptr;
  std::string no_runs_reason{};
};

// A file op's result payload is the Unix second its snapshot was made, so a
// fully cached rebuild reproduces the image's created time (and digest).
std::optional<int64_t> result_created(const VertexResult& result);
// For a COPY --link result: the snapshot holding just its files, whose diff is
// the step's layer (the same blob whatever the base).
std::optional<std::string> link_layer_of(const VertexResult& result);

class BuildExecutor final : public OpExecutor {
 public:
  BuildExecutor(const ir::Definition& def, BuildServices services, BuildSources sources)
      : m_def(def), m_svc(services), m_sources(std::move(sources)), m_http(services.snapshots, services.index) {}

  base::Result<std::optional<ContentKey>> content_key(
      uint32_t op, const std::vector<const VertexResult*>& inputs) override;
  base::Result<VertexResult> run(uint32_t op, const std::vector<const VertexResult*>& inputs,
                                 StepContext& step) override;
  base::Result<bool> still_valid(const VertexResult& result) override;
  void discard(const VertexResult& result) override;
  std::vector<std::string> explain(const std::string& kind, const std::string& before,
                                   const std::string& after) override;

 private:
  base::Result<std::optional<ContentKey>> exec_content_key(uint32_t op, const ir::Exec& exec,
                                                           const std::vector<const VertexResult*>& inputs);
  base::Result<VertexResult> run_image(uint32_t op, const ir::ImageSource& image, StepContext& step);
  base::Result<VertexResult> run_context(const ir::ContextSource& context);
  base::Result<VertexResult> run_exec(uint32_t op, const ir::Exec& exec, const std::vector<const VertexResult*>& inputs,
                                      StepContext& step);
  base::Result<VertexResult> run_file(uint32_t op, const ir::File& file,
                                      const std::vector<const VertexResult*>& inputs, StepContext& step);
  base::Result<std::string> context_dir(const std::string& name) const;
  base::Result<std::string> apply_in_new_snapshot(const std::string& parent, uint32_t op,
                                                  const ir::File& file,
                                                  const std::vector<const VertexResult*>& inputs,
                                                  const ::solver_ops::file::ReuseTree* reuse = nullptr);
  // `layer` (a snapshot on the empty filesystem) applied on top of `base`.
  base::Result<std::string> stack(const std::string& base, const std::string& layer);

  const ir::Definition& m_def;
  BuildServices m_svc;
  BuildSources m_sources;
  std::mutex m_hasher_mutex;  // guards m_content_digests and m_images
  http::HttpSourceRunner m_http;  // ADD <url>; guards the map
  std::map<uint32_t, base::Digest> m_content_digests;  // op → its context selection digest
  std::map<uint32_t, solver::image::BaseImage> m_images;  // op → the image its key names
};

}  // namespace solver::ops::build
