#include "solver/ops/file/apply.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "base/unique_fd.h"
#include "snapshotter/layer/root_fs.h"
#include "solver/ops/file/copy.h"
#include "solver/ops/file/dest.h"
#include "solver/ops/file/mode_spec.h"
#include "solver/ops/file/owner.h"
#include "solver/ops/file/resolve.h"

namespace solver_ops::file {
namespace {

std::string errno_text() { return std::strerror(errno); }

base::Result<std::optional<Owner>> owner_for(int dest_root, const std::string& chown) {
  if (chown.empty()) return std::optional<Owner>();
  TRY_ASSIGN(Owner o, resolve_owner(dest_root, chown));
  return std::optional<Owner>(o);
}

// WORKDIR and friends: BuildKit's mkdir action. The path is resolved like a
// chrooted process would (symlinks followed inside the root). Without
// make_parents an existing path is fine and a missing parent is an error.
base::Result<void> do_mkdir(int root, const ir::Mkdir& m, const FileOpOptions& options) {
  TRY_ASSIGN(std::optional<Owner> owner, owner_for(root, m.chown));
  TRY_ASSIGN(Resolved r, resolve_in_root(root, m.path));
  NewDirMeta meta{m.mode & 0777, owner, options.mtime};
  if (m.make_parents) return mkdir_all(root, r.rel, meta);
  if (r.rel.empty()) return {};
  int pfd = snapshotter::layer::open_in_root(root, parent_of(r.rel), O_RDONLY | O_DIRECTORY);
  if (pfd < 0) return base::make_error("mkdir " + m.path + ": " + std::strerror(-pfd));
  base::UniqueFd parent(pfd);
  const std::string name = base_of(r.rel);
  if (mkdirat(parent.get(), name.c_str(), meta.mode) != 0) {
    if (errno == EEXIST) return {};
    return base::make_error("mkdir " + m.path + ": " + errno_text());
  }
  if (fchmodat(parent.get(), name.c_str(), meta.mode, 0) != 0)
    return base::make_error("chmod " + m.path + ": " + errno_text());
  if (owner) TRY(chown_at(parent.get(), name, *owner, m.path));
  if (options.mtime) TRY(set_fixed_time_at(parent.get(), name, *options.mtime, m.path));
  return {};
}

// Inline files (COPY <<EOF): BuildKit's mkfile action. The parent must exist;
// an existing file is truncated and rewritten.
base::Result<void> do_mkfile(int root, const ir::Mkfile& f, const FileOpOptions& options) {
  TRY_ASSIGN(Resolved r, resolve_in_root(root, f.path));
  if (r.rel.empty()) return base::make_error("mkfile " + f.path + ": is a directory");
  int pfd = snapshotter::layer::open_in_root(root, parent_of(r.rel), O_RDONLY | O_DIRECTORY);
  if (pfd < 0) return base::make_error("open " + f.path + ": " + std::strerror(-pfd));
  base::UniqueFd parent(pfd);
  const std::string name = base_of(r.rel);
  const uint32_t mode = f.mode & 0777;
  int fd = openat(parent.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  bool created = fd >= 0;
  if (fd < 0 && errno == EEXIST) fd = openat(parent.get(), name.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return base::make_error("open " + f.path + ": " + errno_text());
  base::UniqueFd file(fd);
  const char* p = f.data.data();
  size_t left = f.data.size();
  while (left > 0) {
    ssize_t n = write(file.get(), p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return base::make_error("write " + f.path + ": " + errno_text());
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (created && fchmod(file.get(), mode) != 0) return base::make_error("chmod " + f.path + ": " + errno_text());
  if (options.mtime) {
    timespec ts[2] = {{*options.mtime, 0}, {*options.mtime, 0}};
    if (futimens(file.get(), ts) != 0) return base::make_error("utime " + f.path + ": " + errno_text());
  }
  return {};
}

}  // namespace

base::Result<void> apply_file_actions(const std::string& dest_root, const ir::File& op,
                                      const std::vector<SourceTree>& inputs, const FileOpOptions& options) {
  int raw = open(dest_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (raw < 0) return base::make_error("cannot open destination " + dest_root + ": " + errno_text());
  base::UniqueFd root(raw);
  std::map<uint32_t, SourceView> views;
  base::UniqueFd reuse_root;
  if (options.reuse) {
    // Unusable (removed meanwhile): everything is copied.
    reuse_root = base::UniqueFd(open(options.reuse->dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  base::UniqueFd dest_upper;
  if (!options.dest_upper.empty()) {
    dest_upper = base::UniqueFd(open(options.dest_upper.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  for (const ir::FileAction& action : op.actions) {
    if (const auto* m = std::get_if<ir::Mkdir>(&action)) {
      TRY(do_mkdir(root.get(), *m, options));
    } else if (const auto* f = std::get_if<ir::Mkfile>(&action)) {
      TRY(do_mkfile(root.get(), *f, options));
    } else {
      const auto& c = std::get<ir::Copy>(action);
      if (c.src_input >= inputs.size())
        return base::make_error("copy reads input " + std::to_string(c.src_input) + " of " +
                                std::to_string(inputs.size()));
      // One view per input: the .dockerignore matcher is compiled once.
      auto it = views.find(c.src_input);
      if (it == views.end()) {
        TRY_ASSIGN(SourceView view, SourceView::open(inputs[c.src_input]));
        it = views.emplace(c.src_input, std::move(view)).first;
      }
      CopyParams p;
      p.action = &c;
      p.source = &it->second;
      p.dest_root = root.get();
      TRY_ASSIGN(p.owner, owner_for(root.get(), c.chown));
      if (!c.chmod.empty()) {
        TRY_ASSIGN(ModeSpec mode, ModeSpec::parse(c.chmod));
        p.mode = mode;
      }
      p.mtime = options.mtime;
      p.dest_upper = dest_upper.get();
      if (reuse_root.valid() && inputs[c.src_input].kind == SourceKind::context) {
        p.reuse_root = reuse_root.get();
        p.reuse_paths = &options.reuse->unchanged_paths;
      }
      TRY(run_copy(p));
    }
  }
  return {};
}

}  // namespace solver_ops::file
