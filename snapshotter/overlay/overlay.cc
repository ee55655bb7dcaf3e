#include "snapshotter/overlay/overlay.h"

#include <sys/stat.h>
#include <unistd.h>

#include "content/file_ops.h"
#include "snapshotter/fs_tree.h"

namespace snapshotter {

Result<std::unique_ptr<OverlaySnapshotter>> OverlaySnapshotter::open(const std::string& root,
                                                                     const base::Clock& clock,
                                                                     Options options) {
  TRY_ASSIGN(auto records, SnapshotRecords::open(root, clock, options.durability));
  return std::unique_ptr<OverlaySnapshotter>(
      new OverlaySnapshotter(root, std::move(records), options));
}

Result<void> OverlaySnapshotter::populate(const std::string& staging, const std::string&) {
  // The staging dir is private (0700); the snapshot's root is a normal 0755
  // directory, as an empty image's root is.
  TRY(content::make_dirs(staging + "/fs", 0755));
  TRY(content::make_dirs(staging + "/work", 0700));
  if (::chmod((staging + "/fs").c_str(), 0755) != 0)
    return content::errno_error("cannot chmod", staging + "/fs", errno);
  return {};
}

Result<uint64_t> OverlaySnapshotter::measure(const std::string& id, const std::string&) {
  return tree_size(fs_dir(id));
}

Result<MountSpec> OverlaySnapshotter::spec_of(const std::string& id) {
  TRY_ASSIGN(auto row, require(id));
  TRY_ASSIGN(auto ids, records().chain(id));
  std::vector<std::string> chain;
  chain.reserve(ids.size());
  for (const auto& i : ids) chain.push_back(fs_dir(i));
  (void)records().touch_if_stale(row.info);  // last_used only guides pruning
  return overlay::overlay_mount_spec(chain, row.info.kind, dir_of(id) + "/work");
}

Result<std::unique_ptr<MountedFs>> OverlaySnapshotter::mount(const std::string& id) {
  TRY_ASSIGN(auto spec, with_context(spec_of(id), "cannot mount snapshot " + id));
  if (spec.type == "bind" && spec.options.back() == "rw")
    return std::unique_ptr<MountedFs>(new MountedPath(spec.source, false));
  TRY_ASSIGN(std::string target, make_mount_point(mount_root()));
  auto mounted = overlay::mount_spec(spec, target, m_options.mount_api);
  if (!mounted.ok()) {
    ::rmdir(target.c_str());
    return with_context(std::move(mounted), "cannot mount snapshot " + id);
  }
  return mounted;
}

Result<std::vector<MountSpec>> OverlaySnapshotter::mounts(const std::string& id) {
  TRY_ASSIGN(auto spec, with_context(spec_of(id), "cannot describe mounts of snapshot " + id));
  return std::vector<MountSpec>{std::move(spec)};
}

Result<layer::TarSummary> OverlaySnapshotter::write_diff(const std::string& id,
                                                         layer::ByteSink& sink,
                                                         const layer::DiffOptions& options) {
  TRY_ASSIGN(auto row, require(id));
  if (row.info.kind != SnapshotKind::committed)
    return base::make_error("cannot write diff of snapshot " + id + ": it is not committed");
  return layer::write_overlay_diff(fs_dir(id), sink, options);
}

Result<std::optional<std::string>> OverlaySnapshotter::storage_dir(const std::string& id) {
  TRY_ASSIGN(auto row, require(id));
  if (row.info.kind != SnapshotKind::committed || !row.info.parent.empty())
    return std::optional<std::string>{};
  return std::optional<std::string>{fs_dir(id)};
}

Result<std::optional<std::string>> OverlaySnapshotter::upper_dir(const std::string& id) {
  TRY_ASSIGN(auto row, require(id));
  if (row.info.kind != SnapshotKind::active || row.info.parent.empty())
    return std::optional<std::string>{};
  return std::optional<std::string>{fs_dir(id)};
}

bool OverlaySnapshotter::probe(const std::string& root) {
  if (::geteuid() != 0) return false;
  content::TmpDir tmp(root + "/tmp");
  if (!content::make_dirs(root).ok() || !tmp.init().ok()) return false;
  auto scratch = tmp.create_dir("overlay-probe-");
  if (!scratch.ok()) return false;
  const std::string& base = scratch.value().path;
  bool ok = content::make_dirs(base + "/a").ok() && content::make_dirs(base + "/b").ok() &&
            content::make_dirs(base + "/m").ok();
  if (ok) {
    MountSpec spec = overlay::overlay_mount_spec({base + "/a", base + "/b"},
                                                 SnapshotKind::committed, "");
    auto mounted = overlay::mount_spec(spec, base + "/m");
    ok = mounted.ok();
  }  // the mount is gone here
  (void)content::remove_tree(base);
  return ok;
}

}  // namespace snapshotter
