#include "solver/ops/build/build_executor.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <nlohmann/json.hpp>

#include "snapshotter/active_snapshot.h"
#include "snapshotter/layer/apply.h"
#include "base/unique_fd.h"
#include "solver/ir/serialize.h"
#include "solver/ops/build/base_image.h"
#include "solver/ops/build/image_chain.h"
#include "solver/ops/context/copy_request.h"
#include "solver/ops/file/apply.h"

namespace solver::ops::build {

namespace {

constexpr const char* k_link_prefix = "kiln.link-layer.v1:";

// "COPY" or "ADD" as BuildKit prefixes file-op errors; "file op" for the
// others (WORKDIR's directory, heredoc files).
std::string copy_verb(const ir::File& file) {
  for (const ir::FileAction& action : file.actions)
    if (const auto* copy = std::get_if<ir::Copy>(&action)) return copy->attempt_unpack ? "ADD" : "COPY";
  return "file op";
}

// Copies only (no inline files, no archive extraction): files it writes
// are only ever replaced, never edited in place, so they may be hard links
// to files of committed snapshots.
bool plain_copies(const ir::File& file) {
  for (const ir::FileAction& action : file.actions) {
    const auto* copy = std::get_if<ir::Copy>(&action);
    if (!copy || copy->attempt_unpack) return false;
  }
  return true;
}

// For a rerun of a step made only of plain copies whose context files
// changed: the previous result, to hard-link the unchanged files from
// (FileOpOptions::reuse). Best effort: anything unusable means a full copy.
std::optional<::solver_ops::file::ReuseTree> previous_tree(snapshotter::Snapshotter& snapshots,
                                                           const ir::File& file, StepContext& step) {
  if (!plain_copies(file)) return std::nullopt;
  auto previous = step.previous_run();
  if (!previous.ok() || !*previous || (*previous)->content.kind != "files") return std::nullopt;
  auto dir = snapshots.storage_dir((*previous)->result.snapshot);
  if (!dir.ok() || !*dir) return std::nullopt;
  auto before = context::parse_selection((*previous)->content.detail.get());
  auto now = context::parse_selection((*previous)->current.detail.get());
  if (!before.ok() || !now.ok()) return std::nullopt;
  return ::solver_ops::file::ReuseTree{**dir, context::unchanged_files(*before, *now)};
}

// A files key's detail: the selection, serialized only when a record of it
// is written or explained (a cached step never needs it).
LazyDetail selection_detail(context::Selection selection) {
  auto kept = std::make_shared<const context::Selection>(std::move(selection));
  return LazyDetail::deferred([kept] { return context::serialize_selection(*kept); });
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
  if (const auto* exec = std::get_if<ir::Exec>(&o)) return exec_content_key(op, *exec, inputs);
  const auto* file = std::get_if<ir::File>(&o);
  if (!file) return std::optional<ContentKey>{};
  base::Hasher key("kiln.file-sources.v1");
  context::Selection merged;
  int selections = 0;
  for (const ir::FileAction& action : file->actions) {
    const auto* copy = std::get_if<ir::Copy>(&action);
    if (!copy) continue;
    const ir::Input& in = m_def.inputs[op].at(copy->src_input);
    const auto* ctx = std::get_if<ir::ContextSource>(&m_def.ops[in.op]);
    if (!ctx) continue;
    context::SelectRequest request = context::request_for_copy(*copy, ctx->exclude_patterns);
    const std::string& dir = inputs.at(copy->src_input)->payload;
    // select() is thread-safe: the COPYs of independent steps walk and hash at once.
    TRY_ASSIGN(context::Selection selection, m_svc.hasher.select(dir, request));
    key.digest(selection.digest);
    {
      std::lock_guard lock(m_hasher_mutex);
      m_content_digests[op] = selection.digest;
    }
    if (selections++ == 0) {
      merged = std::move(selection);  // sorted, unique and digested already
    } else {
      merged.entries.insert(merged.entries.end(), selection.entries.begin(), selection.entries.end());
    }
  }
  if (selections == 0) return std::optional<ContentKey>{};
  if (selections == 1) {
    return std::optional<ContentKey>{
        ContentKey{key.finish(), "files", selection_detail(std::move(merged))}};
  }
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
      ContentKey{key.finish(), "files", selection_detail(std::move(merged))}};
}

// A RUN step that bind-mounts part of the build context depends on those
// files as a COPY of them would.
base::Result<std::optional<ContentKey>> BuildExecutor::exec_content_key(
    uint32_t op, const ir::Exec& exec, const std::vector<const VertexResult*>& inputs) {
  base::Hasher key("kiln.exec-context-mounts.v1");
  context::Selection merged;
  int selections = 0;
  for (const ir::Mount& mount : exec.mounts) {
    if (!mount.input) continue;
    const ir::Input& in = m_def.inputs[op].at(*mount.input);
    const auto* ctx = std::get_if<ir::ContextSource>(&m_def.ops[in.op]);
    if (!ctx) continue;
    context::SelectRequest request;
    request.sources = {mount.source.empty() || mount.source[0] != '/' ? "/" + mount.source : mount.source};
    request.ignore_patterns = ctx->exclude_patterns;
    request.allow_wildcard = false;
    request.follow_symlinks = true;
    TRY_ASSIGN(context::Selection selection, m_svc.hasher.select(inputs.at(*mount.input)->payload, request));
    key.str(mount.target).digest(selection.digest);
    if (selections++ == 0) merged = std::move(selection);
  }
  if (selections == 0) return std::optional<ContentKey>{};
  // --explain-cache can name the changed files of the first mount.
  return std::optional<ContentKey>{ContentKey{key.finish(), "files", selection_detail(std::move(merged))}};
}

base::Result<VertexResult> BuildExecutor::run(uint32_t op,
                                              const std::vector<const VertexResult*>& inputs,
                                              StepContext& step) {
  const ir::Op& o = m_def.ops[op];
  if (const auto* image = std::get_if<ir::ImageSource>(&o)) return run_image(op, *image, step);
  if (const auto* ctx = std::get_if<ir::ContextSource>(&o)) return run_context(*ctx);
  if (const auto* file = std::get_if<ir::File>(&o)) return run_file(op, *file, inputs, step);
  if (const auto* exec = std::get_if<ir::Exec>(&o)) return run_exec(op, *exec, inputs, step);
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
  TRY_ASSIGN(std::string parent,
             unpack_image_chain(m_svc.blobs, m_svc.snapshots, m_svc.index, base, image.ref,
                                [&](std::string_view line) { step.log(1, line); }));
  return VertexResult{parent, base.manifest.digest.str()};
}

base::Result<VertexResult> BuildExecutor::run_context(const ir::ContextSource& context) {
  TRY_ASSIGN(std::string dir, context_dir(context.name));
  return VertexResult{"", dir};
}

base::Result<VertexResult> BuildExecutor::run_exec(uint32_t op, const ir::Exec& exec,
                                                   const std::vector<const VertexResult*>& inputs,
                                                   StepContext& step) {
  if (!m_svc.runs) return base::make_error("cannot run RUN steps: " + m_svc.no_runs_reason);
  std::string created = std::to_string(m_svc.clock.now_unix_seconds());
  std::vector<solver_ops::exec_step::MountInput> mount_inputs;
  for (size_t i = 0; i < inputs.size(); ++i) {
    bool context = std::holds_alternative<ir::ContextSource>(m_def.ops[m_def.inputs[op][i].op]);
    mount_inputs.push_back(context ? solver_ops::exec_step::MountInput{"", inputs[i]->payload}
                                   : solver_ops::exec_step::MountInput{inputs[i]->snapshot, ""});
  }
  TRY_ASSIGN(std::string committed, m_svc.runs->run(exec, mount_inputs, step));
  return VertexResult{committed, created};
}

base::Result<std::string> BuildExecutor::apply_in_new_snapshot(
    const std::string& parent, uint32_t op, const ir::File& file,
    const std::vector<const VertexResult*>& inputs, const ::solver_ops::file::ReuseTree* reuse) {
  TRY_ASSIGN(std::string active_id, m_svc.snapshots.prepare(parent));
  snapshotter::ActiveSnapshot active(m_svc.snapshots, active_id);
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
        // COPY --from: files copied unchanged are hard-linked where possible.
        if (plain_copies(file)) {
          auto storage = m_svc.snapshots.storage_dir(inputs[i]->snapshot);
          if (storage.ok() && *storage) tree.link_dir = **storage;
        }
      }
      trees.push_back(std::move(tree));
    }
    ::solver_ops::file::FileOpOptions options;
    options.mtime = m_sources.source_date_epoch;
    options.reuse = reuse;
    if (plain_copies(file)) {
      auto upper = m_svc.snapshots.upper_dir(active.id());
      if (upper.ok() && *upper) options.dest_upper = **upper;
    }
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
  snapshotter::ActiveSnapshot active(m_svc.snapshots, active_id);
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
                                                   const std::vector<const VertexResult*>& inputs,
                                                   StepContext& step) {
  std::string created = std::to_string(m_svc.clock.now_unix_seconds());
  if (file.link == ir::Link::no) {
    std::optional<::solver_ops::file::ReuseTree> reuse = previous_tree(m_svc.snapshots, file, step);
    TRY_ASSIGN(std::string committed, apply_in_new_snapshot(inputs.at(0)->snapshot, op, file, inputs,
                                                            reuse ? &*reuse : nullptr));
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
    key.str(it == m_content_digests.end() ? base::Digest() : it->second);
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
  return snapshotter::usable_committed(m_svc.snapshots, result.snapshot);
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
