#include "solver/ops/file/source_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "snapshotter/layer/root_fs.h"

namespace solver_ops::file {

base::Result<SourceView> SourceView::open(const SourceTree& tree) {
  SourceView view;
  int fd = ::open(tree.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return base::make_error("cannot open source directory " + tree.dir + ": " + std::strerror(errno));
  view.m_root = base::UniqueFd(fd);
  view.m_kind = tree.kind;
  if (!tree.link_dir.empty() && tree.kind == SourceKind::snapshot) {
    // Unusable: everything is copied.
    view.m_link_root = base::UniqueFd(::open(tree.link_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  bool any = false;
  for (const auto& p : tree.ignore_patterns) any = any || !p.empty();
  if (any) {
    auto m = frontend::ignore::PatternMatcher::create(tree.ignore_patterns);
    if (!m.ok()) return base::with_context(base::Result<SourceView>(std::move(m).error()), "invalid .dockerignore");
    view.m_ignore = std::move(*m);
  }
  return view;
}

VisibleFn SourceView::visible_fn() const {
  if (!m_ignore) return {};
  return [this](const std::string& rel, const struct stat& st) { return visible(rel, st); };
}

bool SourceView::visible(const std::string& rel, const struct stat& st) const {
  if (!m_ignore || rel.empty() || !m_ignore->excluded(rel)) return true;
  return S_ISDIR(st.st_mode) && m_ignore->has_exclusions() && has_visible_descendant(rel);
}

bool SourceView::has_visible_descendant(const std::string& rel) const {
  if (!m_ignore) return true;
  int fd = snapshotter::layer::open_in_root(m_root.get(), rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (fd < 0) return false;
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return false;
  }
  std::vector<std::pair<std::string, bool>> children;
  while (dirent* de = readdir(d)) {
    std::string n = de->d_name;
    if (n == "." || n == "..") continue;
    bool is_dir = de->d_type == DT_DIR;
    if (de->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = fstatat(dirfd(d), n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    }
    children.emplace_back(std::move(n), is_dir);
  }
  closedir(d);
  for (const auto& [name, is_dir] : children) {
    std::string child = join_rel(rel, name);
    if (!m_ignore->excluded(child)) return true;
    if (is_dir && !m_ignore->can_skip_excluded_dir(child) && has_visible_descendant(child)) return true;
  }
  return false;
}

}  // namespace solver_ops::file
