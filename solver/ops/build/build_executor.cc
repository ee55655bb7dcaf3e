#include "solver/ops/build/build_executor.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "snapshotter/layer/apply.h"
#include "base/unique_fd.h"
#include "solver/ir/serialize.h"
#include "solver/ops/build/base_image.h"
#include "solver/ops/context/copy_request.h"
#include "solver/ops/file/apply.h"

namespace solver::ops::build {

namespace {

constexpr const char* k_chain_prefix = "kiln.layer-chain.v1:";
constexpr const char* k_link_prefix = "kiln.link-layer.v1:";

// The content store's verified reader as a layer byte stream.
class BlobSource final : public snapshotter::layer::ByteSource {
 public:
  explicit BlobSource(content::BlobReader reader) : m_reader(std::move(reader)) {}
  base::Result<size_t> read(char* buf, size_t size) override { return m_reader.read(buf, size); }

 private:
  content::BlobReader m_reader;
};

// Removes an active snapshot unless it was committed: a failed step leaves
// nothing behind.
class ActiveSnapshot {
 public:
  ActiveSnapshot(snapshotter::Snapshotter& snapshots, std::string id)
      : m_snapshots(snapshots), m_id(std::move(id)) {}
  ~ActiveSnapshot() {
    if (!m_id.empty()) (void)m_snapshots.remove(m_id);
  }
  ActiveSnapshot(const ActiveSnapshot&) = delete;
  ActiveSnapshot& operator=(const ActiveSnapshot&) = delete;
  const std::string& id() const { return m_id; }
  base::Result<std::string> commit() {
    TRY_ASSIGN(std::string committed, m_snapshots.commit(m_id));
    m_id.clear();
    return committed;
  }

 private:
  snapshotter::Snapshotter& m_snapshots;
  std::string m_id;
};

// "COPY" or "ADD" as BuildKit prefixes file-op errors; "file op" for the
// others (WORKDIR's directory, heredoc files).
std::string copy_verb(const ir::File& file) {
  for (const ir::FileAction& action : file.actions)
    if (const auto* copy = std::get_if<ir::Copy>(&action)) return copy->attempt_unpack ? "ADD" : "COPY";
  return "file op";
}

base::Digest chain_id(const base::Digest& parent, const base::Digest& diff_id) {
  if (parent.empty()) return diff_id;
  return base::Sha256::of(parent.str() + " " + diff_id.str());
}

}  // namespace

std::optional<int64_t> result_created(const VertexResult& result) {
  std::string digits = result.payload.substr(0, result.payload.find(' '));
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

base::Result<std::string> BuildExecutor::context_dir(const std::string& name) const {
  auto it = m_sources.contexts.find(name);
  if (it == m_sources.contexts.end())
    return base::make_error("no build context named \"" + name + "\"");
  return it->second;
}

base::Result<std::optional<ContentKey>> BuildExecutor::content_key(
    uint32_t op, const std::vector<const VertexResult*>& inputs) {
  const ir::Op& o = m_def.ops[op];
  if (const auto* image = std::get_if<ir::ImageSource>(&o)) {
    TRY_ASSIGN(solver::image::BaseImage base, resolve_local_image(m_svc.blobs, m_svc.images, image->ref,
                                                                  image->platform));
    {
      // run_image unpacks exactly the image this key was made from.
      std::lock_guard lock(m_hasher_mutex);
      m_images[op] = base;
    }
    return std::optional<ContentKey>{
        ContentKey{base.manifest.digest, "image", base.manifest.digest.str()}};
  }
  if (const auto* http = std::get_if<ir::HttpSource>(&o)) {
    TRY_ASSIGN(ContentKey key, m_http.content_key(op, *http));
    return std::optional<ContentKey>{std::move(key)};
  }
  const auto* file = std::get_if<ir::File>(&o);
  if (!file) return std::optional<ContentKey>{};
  base::Hasher key("kiln.file-sources.v1");
  context::Selection merged;
  bool any = false;
  for (const ir::FileAction& action : file->actions) {
    const auto* copy = std::get_if<ir::Copy>(&action);
    if (!copy) continue;
    const ir::Input& in = m_def.inputs[op].at(copy->src_input);
    const auto* ctx = std::get_if<ir::ContextSource>(&m_def.ops[in.op]);
    if (!ctx) continue;
    context::SelectRequest request = context::request_for_copy(*copy, ctx->exclude_patterns);
    const std::string& dir = inputs.at(copy->src_input)->payload;
    context::Selection selection;
    {
      std::lock_guard lock(m_hasher_mutex);
      TRY_ASSIGN(selection, m_svc.hasher.select(dir, request));
    }
    key.digest(selection.digest);
    {
      std::lock_guard lock(m_hasher_mutex);
      m_content_digests[op] = selection.digest;
    }
    merged.entries.insert(merged.entries.end(), selection.entries.begin(), selection.entries.end());
    any = true;
  }
  if (!any) return std::optional<ContentKey>{};
  std::sort(merged.entries.begin(), merged.entries.end(),
            [](const context::SelectedEntry& a, const context::SelectedEntry& b) {
              return context::path_less(a.path, b.path);
            });
  merged.entries.erase(std::unique(merged.entries.begin(), merged.entries.end(),
                                   [](const context::SelectedEntry& a,
                                      const context::SelectedEntry& b) { return a.path == b.path; }),
                       merged.entries.end());
  merged.digest = context::selection_digest(merged.entries);
  return std::optional<ContentKey>{
      ContentKey{key.finish(), "files", context::serialize_selection(merged)}};
}

base::Result<VertexResult> BuildExecutor::run(uint32_t op,
                                              const std::vector<const VertexResult*>& inputs,
                                              StepContext& step) {
  const ir::Op& o = m_def.ops[op];
  if (const auto* image = std::get_if<ir::ImageSource>(&o)) return run_image(op, *image, step);
  if (const auto* ctx = std::get_if<ir::ContextSource>(&o)) return run_context(*ctx);
  if (const auto* file = std::get_if<ir::File>(&o)) return run_file(op, *file, inputs);
  if (std::holds_alternative<ir::Exec>(o))
    return base::make_error("RUN is not supported by this kiln yet");
  if (const auto* http = std::get_if<ir::HttpSource>(&o)) return m_http.run(op, *http, step);
  if (std::holds_alternative<ir::GitSource>(o))
    return base::make_error("ADD of a git repository is not supported by this kiln yet");
  return base::make_error(std::string("cannot run an op of kind ") + ir::op_kind(o));
}

base::Result<VertexResult> BuildExecutor::run_image(uint32_t op, const ir::ImageSource& image,
                                                    StepContext& step) {
  solver::image::BaseImage base;
  {
    std::lock_guard lock(m_hasher_mutex);
    auto it = m_images.find(op);
    if (it == m_images.end()) return base::make_error("image " + image.ref + " was not resolved");
    base = it->second;
  }
  const auto& diff_ids = base.config.rootfs.diff_ids;
  if (diff_ids.size() != base.layers.size()) {
    return base::make_error("image " + image.ref + ": config lists " +
                            std::to_string(diff_ids.size()) + " diff_ids for " +
                            std::to_string(base.layers.size()) + " layers");
  }
  std::string parent;
  base::Digest chain;
  for (size_t i = 0; i < base.layers.size(); ++i) {
    chain = chain_id(chain, diff_ids[i]);
    std::string record_key = k_chain_prefix + chain.str();
    TRY_ASSIGN(auto known, m_svc.index.lookup(record_key));
    if (known) {
      TRY_ASSIGN(bool valid, still_valid(*known));
      if (valid) {
        parent = known->snapshot;
        continue;
      }
    }
    step.log(1, "unpacking layer " + base.layers[i].digest.str() + "\n");
    TRY_ASSIGN(std::string active_id, m_svc.snapshots.prepare(parent));
    ActiveSnapshot active(m_svc.snapshots, active_id);
    {
      TRY_ASSIGN(auto mounted, m_svc.snapshots.mount(active.id()));
      TRY_ASSIGN(auto reader, m_svc.blobs.open_reader(base.layers[i].digest));
      BlobSource source(std::move(reader));
      TRY_ASSIGN(auto applied, snapshotter::layer::apply_layer(mounted->path(), source));
      if (applied.diff_id != diff_ids[i]) {
        return base::make_error("layer " + base.layers[i].digest.str() + " of " + image.ref +
                                " has diff_id " + applied.diff_id.str() + ", config says " +
                                diff_ids[i].str());
      }
    }
    TRY_ASSIGN(parent, active.commit());
    TRY(m_svc.index.store(record_key, VertexResult{parent, ""}));
  }
  return VertexResult{parent, base.manifest.digest.str()};
}

base::Result<VertexResult> BuildExecutor::run_context(const ir::ContextSource& context) {
  TRY_ASSIGN(std::string dir, context_dir(context.name));
  return VertexResult{"", dir};
}

base::Result<std::string> BuildExecutor::apply_in_new_snapshot(
    const std::string& parent, uint32_t op, const ir::File& file,
    const std::vector<const VertexResult*>& inputs) {
  TRY_ASSIGN(std::string active_id, m_svc.snapshots.prepare(parent));
  ActiveSnapshot active(m_svc.snapshots, active_id);
  {
    TRY_ASSIGN(auto root, m_svc.snapshots.mount(active.id()));
    std::vector<std::unique_ptr<snapshotter::MountedFs>> views;
    std::optional<std::string> empty_dir;
    std::vector<::solver_ops::file::SourceTree> trees;
    for (size_t i = 0; i < inputs.size(); ++i) {
      ::solver_ops::file::SourceTree tree;
      const ir::Input& in = m_def.inputs[op][i];
      if (const auto* ctx = std::get_if<ir::ContextSource>(&m_def.ops[in.op])) {
        tree.dir = inputs[i]->payload;
        tree.kind = ::solver_ops::file::SourceKind::context;
        tree.ignore_patterns = ctx->exclude_patterns;
      } else if (i == 0) {
        tree.dir = root->path();
      } else if (inputs[i]->snapshot.empty()) {
        // The empty filesystem (a stage FROM scratch with nothing in it yet).
        if (!empty_dir) {
          TRY_ASSIGN(std::string empty_id, m_svc.snapshots.prepare(""));
          empty_dir = empty_id;
        }
        TRY_ASSIGN(auto view, m_svc.snapshots.mount(*empty_dir));
        tree.dir = view->path();
        views.push_back(std::move(view));
      } else {
        TRY_ASSIGN(auto view, m_svc.snapshots.mount(inputs[i]->snapshot));
        tree.dir = view->path();
        views.push_back(std::move(view));
      }
      trees.push_back(std::move(tree));
    }
    ::solver_ops::file::FileOpOptions options;
    options.mtime = m_sources.source_date_epoch;
    auto applied = ::solver_ops::file::apply_file_actions(root->path(), file, trees, options);
    views.clear();
    if (empty_dir) (void)m_svc.snapshots.remove(*empty_dir);
    if (!applied.ok()) {
      base::Error e = applied.error();
      e.message = copy_verb(file) + " failed: " + e.message;
      return e;
    }
  }
  return active.commit();
}

base::Result<std::string> BuildExecutor::stack(const std::string& base, const std::string& layer) {
  TRY_ASSIGN(std::string active_id, m_svc.snapshots.prepare(base));
  ActiveSnapshot active(m_svc.snapshots, active_id);
  {
    TRY_ASSIGN(auto root, m_svc.snapshots.mount(active.id()));
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return base::make_error("cannot create a pipe for --link");
    base::UniqueFd read_end(fds[0]);
    base::UniqueFd write_end(fds[1]);
    // The diff streams through the pipe into apply, never held whole.
    base::Result<snapshotter::layer::TarSummary> written = base::make_error("not written");
    std::thread writer([&] {
      snapshotter::layer::FdSink sink(write_end.get());
      written = m_svc.snapshots.write_diff(layer, sink, {});
      write_end.reset();
    });
    snapshotter::layer::FdSource source(read_end.get());
    auto applied = snapshotter::layer::apply_layer(root->path(), source);
    read_end.reset();  // unblocks the writer if apply stopped early
    writer.join();
    TRY(written);
    TRY(applied);
  }
  return active.commit();
}

base::Result<VertexResult> BuildExecutor::run_file(uint32_t op, const ir::File& file,
                                                   const std::vector<const VertexResult*>& inputs) {
  std::string created = std::to_string(m_svc.clock.now_unix_seconds());
  if (file.link == ir::Link::no) {
    TRY_ASSIGN(std::string committed, apply_in_new_snapshot(inputs.at(0)->snapshot, op, file, inputs));
    return VertexResult{committed, created};
  }
  // COPY --link: the files go into a snapshot of their own on the empty
  // filesystem, keyed without the base, so a changed base reuses it; the
  // step's result is that layer stacked on the base.
  base::Hasher key("kiln.link-layer.v1");
  key.str(ir::op_fields_json(m_def.ops[op]).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
  {
    std::lock_guard lock(m_hasher_mutex);
    auto it = m_content_digests.find(op);
    key.str(it == m_content_digests.end() ? std::string() : it->second.str());
  }
  for (size_t i = 1; i < inputs.size(); ++i) {
    bool context = std::holds_alternative<ir::ContextSource>(m_def.ops[m_def.inputs[op][i].op]);
    key.str(context ? std::string("context") : inputs[i]->snapshot);
  }
  std::string record_key = std::string(k_link_prefix) + key.finish().str();
  std::string layer;
  TRY_ASSIGN(auto known, m_svc.index.lookup(record_key));
  if (known) {
    TRY_ASSIGN(bool valid, still_valid(*known));
    if (valid) layer = known->snapshot;
  }
  if (layer.empty()) {
    TRY_ASSIGN(layer, apply_in_new_snapshot("", op, file, inputs));
    TRY(m_svc.index.store(record_key, VertexResult{layer, ""}));
  }
  std::string stacked = layer;
  if (!inputs.at(0)->snapshot.empty()) {
    TRY_ASSIGN(stacked, stack(inputs.at(0)->snapshot, layer));
  }
  return VertexResult{stacked, created + " link=" + layer};
}

std::optional<std::string> link_layer_of(const VertexResult& result) {
  size_t at = result.payload.find(" link=");
  if (at == std::string::npos) return std::nullopt;
  return result.payload.substr(at + 6);
}

void BuildExecutor::discard(const VertexResult& result) {
  // Only the step's own snapshot: a --link layer stays, recorded for reuse.
  if (!result.snapshot.empty() && link_layer_of(result) != result.snapshot)
    (void)m_svc.snapshots.remove(result.snapshot);
}

base::Result<bool> BuildExecutor::still_valid(const VertexResult& result) {
  if (result.snapshot.empty()) return true;
  TRY_ASSIGN(auto info, m_svc.snapshots.stat(result.snapshot));
  return info.has_value() && info->kind == snapshotter::SnapshotKind::committed;
}

std::vector<std::string> BuildExecutor::explain(const std::string& kind, const std::string& before,
                                                const std::string& after) {
  if (kind == "image") return {"base image changed: " + before + " -> " + after};
  if (kind == "http") return http::HttpSourceRunner::explain(before, after);
  if (kind != "files") return {};
  auto a = context::parse_selection(before);
  auto b = context::parse_selection(after);
  if (!a.ok() || !b.ok()) return {};
  return context::explain_selection_change(*a, *b);
}

}  // namespace solver::ops::build
