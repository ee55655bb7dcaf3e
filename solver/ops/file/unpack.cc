#include "solver/ops/file/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "base/unique_fd.h"
#include "frontend/ignore/go_path.h"
#include "snapshotter/layer/apply.h"
#include "snapshotter/layer/root_fs.h"
#include "solver/ops/file/dest.h"
#include "solver/ops/file/resolve.h"

namespace solver_ops::file {
namespace {

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

std::string errno_text() { return std::strerror(errno); }

// A reader for tar streams, plain or compressed with one of the formats
// docker's ADD understands. The content decides, never the file name.
base::Result<ArchivePtr> open_reader(int fd) {
  if (lseek(fd, 0, SEEK_SET) != 0) return base::make_error("cannot rewind archive: " + errno_text());
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_filter_gzip(a.get());
  archive_read_support_filter_bzip2(a.get());
  archive_read_support_filter_xz(a.get());
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_fd(a.get(), fd, 64 * 1024) != ARCHIVE_OK) {
    const char* msg = archive_error_string(a.get());
    return base::make_error(std::string("invalid archive: ") + (msg ? msg : "unknown error"));
  }
  return a;
}

// The entry's name cleaned as if the destination were "/" (Go's
// filepath.Clean of "/" + name, without the leading slash); "" for the
// root. docker and BuildKit extract ADD archives chrooted into the
// destination, so "../x" and "a/../../x" land at "x", never outside.
std::string clean_entry(std::string_view raw) {
  std::string name = frontend::ignore::clean_path("/" + std::string(raw));
  size_t start = name.find_first_not_of('/');
  return start == std::string::npos ? std::string() : name.substr(start);
}

struct DirTimes {
  std::string rel;
  timespec times[2];
};

class Extractor {
 public:
  Extractor(int root, const ExtractOptions& options)
      : m_root(root), m_options(options), m_same_owner(geteuid() == 0) {}

  base::Result<void> run(archive* a) {
    for (;;) {
      archive_entry* e = nullptr;
      int r = archive_read_next_header(a, &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return read_error(a);
      TRY(entry(a, e));
    }
    // Deepest last-created first, so children never disturb a parent's times.
    for (auto it = m_dirs.rbegin(); it != m_dirs.rend(); ++it) {
      int fd = snapshotter::layer::open_in_root(m_root, it->rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (fd < 0) continue;
      base::UniqueFd dir(fd);
      if (futimens(dir.get(), it->times) != 0)
        return base::make_error("cannot set times of " + display_path(it->rel) + ": " + errno_text());
    }
    return {};
  }

 private:
  static base::Error read_error(archive* a) {
    const char* msg = archive_error_string(a);
    return base::make_error(std::string("invalid archive: ") + (msg ? msg : "unknown error"));
  }

  Owner owner_of(archive_entry* e) const {
    if (m_options.owner) return *m_options.owner;
    return {static_cast<uint32_t>(archive_entry_uid(e)), static_cast<uint32_t>(archive_entry_gid(e))};
  }

  base::Result<std::string> resolve(const std::string& name, FollowFinal follow) {
    ResolveOptions o;
    o.follow_final = follow;
    o.escape = Escape::clamp;  // as in a chroot: ".." at the root stays there
    TRY_ASSIGN(Resolved r, resolve_in_root(m_root, name, o));
    return r.rel;
  }

  // Creates the parents an entry implies (0755, root-owned as in BuildKit)
  // and returns the open parent directory.
  base::Result<base::UniqueFd> parent_dir(const std::string& rel) {
    std::string parent = parent_of(rel);
    std::string done;
    int first = dup(m_root);
    if (first < 0) return base::make_error("cannot dup root: " + errno_text());
    base::UniqueFd cur(first);
    for (size_t start = 0; start < parent.size();) {
      size_t slash = parent.find('/', start);
      if (slash == std::string::npos) slash = parent.size();
      std::string comp = parent.substr(start, slash - start);
      start = slash + 1;
      done = join_rel(done, comp);
      bool created = mkdirat(cur.get(), comp.c_str(), 0755) == 0;
      if (!created && errno != EEXIST) return base::make_error("mkdir " + display_path(done) + ": " + errno_text());
      int fd = openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return base::make_error("mkdir " + display_path(done) + ": not a directory");
      base::UniqueFd next(fd);
      if (created) {
        if (m_same_owner) TRY(chown_at(cur.get(), comp, Owner{0, 0}, display_path(done)));
        if (fchmod(next.get(), 0755) != 0) return base::make_error("chmod " + display_path(done) + ": " + errno_text());
      }
      cur = std::move(next);
    }
    return cur;
  }

  base::Result<void> entry(archive* a, archive_entry* e) {
    const char* raw = archive_entry_pathname(e);
    if (raw == nullptr) return base::make_error("archive entry without a name");
    std::string name = clean_entry(raw);
    if (name.empty()) return {};
    const auto type = archive_entry_filetype(e);
    const char* hardlink = archive_entry_hardlink(e);
    const bool is_dir = hardlink == nullptr && type == AE_IFDIR;
    TRY_ASSIGN(std::string rel, resolve(name, is_dir ? FollowFinal::yes : FollowFinal::no));
    if (rel.empty()) return {};
    TRY_ASSIGN(base::UniqueFd parent, parent_dir(rel));
    const std::string base = base_of(rel);
    const char* b = base.c_str();
    const std::string shown = display_path(rel);

    struct stat existing {};
    if (fstatat(parent.get(), b, &existing, AT_SYMLINK_NOFOLLOW) == 0 && !(S_ISDIR(existing.st_mode) && is_dir))
      TRY(snapshotter::layer::remove_all_at(parent.get(), base, rel));

    const uint32_t mode = archive_entry_perm(e) & 07777;
    timespec mtime{archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
    timespec atime = mtime;
    if (archive_entry_atime_is_set(e)) {
      timespec at{archive_entry_atime(e), archive_entry_atime_nsec(e)};
      if (at.tv_sec > mtime.tv_sec || (at.tv_sec == mtime.tv_sec && at.tv_nsec > mtime.tv_nsec)) atime = at;
    }
    if (mtime.tv_sec < 0) mtime = atime = timespec{0, 0};
    timespec times[2] = {atime, mtime};

    if (hardlink != nullptr) {
      std::string target_name = clean_entry(hardlink);
      if (target_name.empty()) return base::make_error("archive hardlink \"" + std::string(raw) + "\" targets extraction root");
      TRY_ASSIGN(std::string target, resolve(target_name, FollowFinal::no));
      int tp = snapshotter::layer::open_in_root(m_root, parent_of(target), O_PATH | O_DIRECTORY);
      if (tp < 0) return base::make_error("archive hardlink \"" + std::string(raw) + "\": target not found");
      base::UniqueFd tparent(tp);
      if (linkat(tparent.get(), base_of(target).c_str(), parent.get(), b, 0) != 0)
        return base::make_error("cannot link " + shown + ": " + errno_text());
      if (m_same_owner) TRY(chown_at(parent.get(), base, owner_of(e), shown));
      struct stat st {};
      if (fstatat(parent.get(), b, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISLNK(st.st_mode)) {
        if (fchmodat(parent.get(), b, mode, 0) != 0) return base::make_error("cannot chmod " + shown + ": " + errno_text());
        if (utimensat(parent.get(), b, times, AT_SYMLINK_NOFOLLOW) != 0)
          return base::make_error("cannot set times of " + shown + ": " + errno_text());
      }
      return {};
    }
    switch (type) {
      case AE_IFDIR: {
        if (mkdirat(parent.get(), b, 0700) != 0 && errno != EEXIST)
          return base::make_error("mkdir " + shown + ": " + errno_text());
        if (m_same_owner) TRY(chown_at(parent.get(), base, owner_of(e), shown));
        if (fchmodat(parent.get(), b, mode, 0) != 0) return base::make_error("cannot chmod " + shown + ": " + errno_text());
        m_dirs.push_back({rel, {times[0], times[1]}});
        return {};
      }
      case AE_IFREG: {
        int raw_fd = openat(parent.get(), b, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (raw_fd < 0) return base::make_error("cannot create " + shown + ": " + errno_text());
        base::UniqueFd fd(raw_fd);
        switch (snapshotter::layer::write_entry_data(a, fd.get())) {
          case snapshotter::layer::EntryData::written: break;
          case snapshotter::layer::EntryData::read_failed: return read_error(a);
          case snapshotter::layer::EntryData::write_failed:
            return base::make_error("cannot write " + shown + ": " + errno_text());
        }
        if (ftruncate(fd.get(), archive_entry_size(e)) != 0)
          return base::make_error("cannot size " + shown + ": " + errno_text());
        if (m_same_owner) {
          Owner o = owner_of(e);
          if (fchown(fd.get(), o.uid, o.gid) != 0) return base::make_error("cannot chown " + shown + ": " + errno_text());
        }
        if (fchmod(fd.get(), mode) != 0) return base::make_error("cannot chmod " + shown + ": " + errno_text());
        if (futimens(fd.get(), times) != 0) return base::make_error("cannot set times of " + shown + ": " + errno_text());
        return {};
      }
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(e);
        if (target == nullptr) return base::make_error("archive symlink \"" + std::string(raw) + "\" has no target");
        // The target is kept as written; later entries resolve it inside
        // the extraction root.
        if (symlinkat(target, parent.get(), b) != 0) return base::make_error("cannot symlink " + shown + ": " + errno_text());
        if (m_same_owner) TRY(chown_at(parent.get(), base, owner_of(e), shown));
        if (utimensat(parent.get(), b, times, AT_SYMLINK_NOFOLLOW) != 0)
          return base::make_error("cannot set times of " + shown + ": " + errno_text());
        return {};
      }
      default:
        return base::make_error("unsupported tar entry \"" + std::string(raw) + "\" type " +
                                std::to_string(type >> 12));
    }
  }

  int m_root;
  const ExtractOptions& m_options;
  bool m_same_owner;
  std::vector<DirTimes> m_dirs;
};

}  // namespace

bool is_archive(int fd) {
  auto a = open_reader(fd);
  if (!a.ok()) return false;
  archive_entry* e = nullptr;
  int r = archive_read_next_header(a->get(), &e);
  return r == ARCHIVE_OK || r == ARCHIVE_WARN;
}

base::Result<void> extract_archive(int fd, int dest_root, const std::string& dest_rel,
                                   const ExtractOptions& options) {
  NewDirMeta meta;
  meta.owner = options.owner;
  meta.mtime = options.mtime;
  TRY(mkdir_all(dest_root, dest_rel, meta));
  int raw = snapshotter::layer::open_in_root(dest_root, dest_rel, O_RDONLY | O_DIRECTORY);
  if (raw < 0) return base::make_error("cannot open " + display_path(dest_rel) + ": " + std::strerror(-raw));
  base::UniqueFd root(raw);
  TRY_ASSIGN(ArchivePtr a, open_reader(fd));
  Extractor x(root.get(), options);
  return base::with_context(x.run(a.get()), "cannot extract archive into " + display_path(dest_rel));
}

}  // namespace solver_ops::file
