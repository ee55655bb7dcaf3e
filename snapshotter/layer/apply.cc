#include "snapshotter/layer/apply.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "base/unique_fd.h"
#include "snapshotter/layer/paths.h"
#include "snapshotter/layer/root_fs.h"

namespace snapshotter::layer {
namespace {

std::string errno_text() { return std::strerror(errno); }

base::Error entry_error(const std::string& name, const std::string& what) {
  return base::make_error("entry \"" + name + "\": " + what);
}

struct DeferredDir {
  std::string name;
  uint32_t mode = 0;
  timespec times[2]{};
  // Layer directories are addressed without following a final symlink; a
  // parent reached through a symlink (lib -> usr/lib) is restored where it
  // resolves, still inside the root.
  bool follow = false;
};

// One application of one layer. Reads the tar through libarchive from a
// decompressing, hashing source; touches the filesystem only through fds
// opened inside the root.
class Applier {
 public:
  Applier(int root, ByteSource& decompressed, bool restore_owners)
      : m_root(root), m_src(decompressed), m_restore_owners(restore_owners),
        m_buf(256 * 1024, '\0') {}

  base::Result<uint64_t> run() {
    std::unique_ptr<archive, int (*)(archive*)> a(archive_read_new(), archive_read_free);
    archive_read_support_format_tar(a.get());
    if (archive_read_open(a.get(), this, nullptr, &Applier::read_cb, nullptr) != ARCHIVE_OK)
      return read_error(a.get());
    uint64_t entries = 0;
    for (;;) {
      archive_entry* e = nullptr;
      int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return read_error(a.get());
      ++entries;
      TRY(apply_entry(a.get(), e));
    }
    // The diffID covers the whole stream, padding after the end marker included.
    for (;;) {
      TRY_ASSIGN(size_t n, m_src.read(m_buf.data(), m_buf.size()));
      if (n == 0) break;
      m_tar_size += n;
      m_sha.update(m_buf.data(), n);
    }
    TRY(finish_dirs());
    return entries;
  }

  base::Digest digest() { return m_sha.finish(); }
  uint64_t tar_size() const { return m_tar_size; }

 private:
  static la_ssize_t read_cb(archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<Applier*>(self_ptr);
    auto n = self->m_src.read(self->m_buf.data(), self->m_buf.size());
    if (!n.ok()) {
      self->m_read_error = n.error();
      archive_set_error(a, EIO, "%s", n.error().message.c_str());
      return -1;
    }
    self->m_sha.update(self->m_buf.data(), *n);
    self->m_tar_size += *n;
    *out = self->m_buf.data();
    return static_cast<la_ssize_t>(*n);
  }

  base::Error read_error(archive* a) {
    if (m_read_error) return *m_read_error;
    const char* msg = archive_error_string(a);
    return base::make_error(std::string("invalid tar stream: ") + (msg ? msg : "unknown error"));
  }

  base::Result<void> apply_entry(archive* a, archive_entry* e) {
    const char* raw = archive_entry_pathname(e);
    if (raw == nullptr) return base::make_error("entry without a name");
    TRY_ASSIGN(std::string name, clean_entry_name(raw));
    if (name.empty()) return {};  // the root itself: keep the existing root
    auto [parent, base_name] = split_name(name);

    if (base_name.starts_with(k_whiteout_prefix)) return apply_whiteout(name, parent, base_name);

    auto parent_fd = ensure_dir_in_root(m_root, parent);
    if (!parent_fd.ok()) return entry_error(name, parent_fd.error().message);
    int pfd = parent_fd->get();
    auto type = archive_entry_filetype(e);
    const char* hardlink = archive_entry_hardlink(e);

    TRY(keep_parent_times(parent, pfd));
    struct stat existing {};
    if (fstatat(pfd, base_name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0) {
      bool keep = S_ISDIR(existing.st_mode) && type == AE_IFDIR && hardlink == nullptr;
      if (!keep) TRY(remove_all_at(pfd, base_name, name));
    }
    m_written.insert(name);

    if (hardlink != nullptr) return make_hardlink(name, hardlink, pfd, base_name);
    switch (type) {
      case AE_IFREG: return make_file(a, e, name, pfd, base_name);
      case AE_IFDIR: return make_dir(e, name, pfd, base_name);
      case AE_IFLNK: {
        const char* target = archive_entry_symlink(e);
        if (target == nullptr) return entry_error(name, "symlink without a target");
        if (symlinkat(target, pfd, base_name.c_str()) != 0)
          return entry_error(name, "cannot create symlink: " + errno_text());
        return set_meta_at(e, name, pfd, base_name, /*is_symlink=*/true);
      }
      case AE_IFIFO:
      case AE_IFCHR:
      case AE_IFBLK: {
        mode_t mode = static_cast<mode_t>(type) | (archive_entry_perm(e) & 07777);
        if (mknodat(pfd, base_name.c_str(), mode, archive_entry_rdev(e)) != 0)
          return entry_error(name, "cannot create device node: " + errno_text());
        return set_meta_at(e, name, pfd, base_name, /*is_symlink=*/false);
      }
      default:
        return entry_error(name, "unsupported entry type");
    }
  }

  base::Result<void> apply_whiteout(const std::string& name, const std::string& parent,
                                    const std::string& base_name) {
    if (base_name == k_opaque_marker) {
      auto dir = ensure_dir_in_root(m_root, parent);
      if (!dir.ok()) return entry_error(name, dir.error().message);
      return make_opaque(dir->get(), parent);
    }
    if (base_name.starts_with(k_whiteout_meta_prefix)) return {};  // aufs metadata: ignore
    std::string victim = base_name.substr(k_whiteout_prefix.size());
    if (victim.empty() || victim == "." || victim == "..")
      return entry_error(name, "invalid whiteout");
    int fd = open_in_root(m_root, parent, O_RDONLY | O_DIRECTORY);
    if (fd == -ENOENT) return {};  // nothing below to delete
    if (fd < 0) return entry_error(name, std::string("cannot open parent: ") + std::strerror(-fd));
    base::UniqueFd dir(fd);
    TRY(keep_parent_times(parent, dir.get()));
    return remove_all_at(dir.get(), victim, join_name(parent, victim));
  }

  // Removes what the layers below put in `dir`, keeping what this layer wrote
  // (the marker may come after entries of the same directory in the tar).
  base::Result<void> make_opaque(int dir_fd, const std::string& dir_name) {
    int dup_fd = dup(dir_fd);
    DIR* d = dup_fd < 0 ? nullptr : fdopendir(dup_fd);
    if (d == nullptr) {
      if (dup_fd >= 0) close(dup_fd);
      return base::make_error("cannot read directory \"" + dir_name + "\": " + errno_text());
    }
    std::vector<std::pair<std::string, bool>> children;
    while (dirent* de = readdir(d)) {
      std::string n = de->d_name;
      if (n != "." && n != "..") children.emplace_back(n, de->d_type == DT_DIR);
    }
    closedir(d);
    for (const auto& [child, is_dir] : children) {
      std::string full = join_name(dir_name, child);
      if (!m_written.contains(full)) {
        TRY(remove_all_at(dir_fd, child, full));
      } else if (is_dir) {
        int sub = openat(dir_fd, child.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) continue;  // replaced by a non-directory of this layer
        base::UniqueFd sub_fd(sub);
        TRY(make_opaque(sub_fd.get(), full));
      }
    }
    return {};
  }

  base::Result<void> make_hardlink(const std::string& name, const char* target, int pfd,
                                   const std::string& base_name) {
    TRY_ASSIGN(std::string clean_target, clean_entry_name(target, "hardlink target"));
    if (clean_target.empty()) return entry_error(name, "hardlink to the root");
    auto [tparent, tbase] = split_name(clean_target);
    int tfd = open_in_root(m_root, tparent, O_PATH | O_DIRECTORY);
    if (tfd < 0)
      return entry_error(name, "hardlink target \"" + clean_target + "\" not found");
    base::UniqueFd tdir(tfd);
    // Without AT_SYMLINK_FOLLOW a symlink target is linked itself, never followed.
    if (linkat(tdir.get(), tbase.c_str(), pfd, base_name.c_str(), 0) != 0)
      return entry_error(name, "cannot link to \"" + clean_target + "\": " + errno_text());
    return {};
  }

  base::Result<void> make_file(archive* a, archive_entry* e, const std::string& name, int pfd,
                               const std::string& base_name) {
    int raw_fd = openat(pfd, base_name.c_str(),
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (raw_fd < 0) return entry_error(name, "cannot create file: " + errno_text());
    base::UniqueFd fd(raw_fd);
    switch (write_entry_data(a, fd.get())) {
      case EntryData::written: break;
      case EntryData::read_failed: return read_error(a);
      case EntryData::write_failed: return entry_error(name, "cannot write: " + errno_text());
    }
    // Sparse files may end in a hole.
    if (ftruncate(fd.get(), archive_entry_size(e)) != 0)
      return entry_error(name, "cannot size file: " + errno_text());
    TRY(set_owner_mode_xattrs_fd(e, name, fd.get()));
    timespec ts[2] = {atime(e), mtime(e)};
    if (futimens(fd.get(), ts) != 0) return entry_error(name, "cannot set times: " + errno_text());
    return {};
  }

  base::Result<void> make_dir(archive_entry* e, const std::string& name, int pfd,
                              const std::string& base_name) {
    if (mkdirat(pfd, base_name.c_str(), 0700) != 0 && errno != EEXIST)
      return entry_error(name, "cannot create directory: " + errno_text());
    int raw = openat(pfd, base_name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (raw < 0) return entry_error(name, "cannot open directory: " + errno_text());
    base::UniqueFd fd(raw);
    if (m_restore_owners && fchown(fd.get(), static_cast<uid_t>(archive_entry_uid(e)),
                                   static_cast<gid_t>(archive_entry_gid(e))) != 0)
      return entry_error(name, "cannot set owner: " + errno_text());
    TRY(set_xattrs(e, name, [&](const char* k, const void* v, size_t n) {
      return fsetxattr(fd.get(), k, v, n, 0);
    }));
    // Mode and times last: children created later would change the mtime, and
    // a read-only mode would stop them being created.
    m_dirs.push_back({name, static_cast<uint32_t>(archive_entry_perm(e) & 07777),
                      {atime(e), mtime(e)}, false});
    return {};
  }

  // A directory the layer does not list keeps its metadata: creating or
  // removing entries in it must not change its mtime, or a diff of the
  // result would not match the tree the layer was made from.
  base::Result<void> keep_parent_times(const std::string& parent, int pfd) {
    if (m_written.contains(parent) || !m_kept.insert(parent).second) return {};
    struct stat st {};
    if (fstat(pfd, &st) != 0) return entry_error(parent, "cannot stat: " + errno_text());
    m_dirs.push_back({parent, st.st_mode & 07777u, {st.st_atim, st.st_mtim}, true});
    return {};
  }

  base::Result<void> set_owner_mode_xattrs_fd(archive_entry* e, const std::string& name, int fd) {
    // chown first: it clears setuid bits and file capabilities.
    if (m_restore_owners && fchown(fd, static_cast<uid_t>(archive_entry_uid(e)),
                                   static_cast<gid_t>(archive_entry_gid(e))) != 0)
      return entry_error(name, "cannot set owner: " + errno_text());
    if (fchmod(fd, archive_entry_perm(e) & 07777) != 0)
      return entry_error(name, "cannot set mode: " + errno_text());
    return set_xattrs(e, name, [&](const char* k, const void* v, size_t n) {
      return fsetxattr(fd, k, v, n, 0);
    });
  }

  // Symlinks and device nodes cannot be opened for writing metadata; they are
  // addressed by base name below their (already resolved) parent directory.
  base::Result<void> set_meta_at(archive_entry* e, const std::string& name, int pfd,
                                 const std::string& base_name, bool is_symlink) {
    const char* b = base_name.c_str();
    if (m_restore_owners && fchownat(pfd, b, static_cast<uid_t>(archive_entry_uid(e)),
                                     static_cast<gid_t>(archive_entry_gid(e)),
                                     AT_SYMLINK_NOFOLLOW) != 0)
      return entry_error(name, "cannot set owner: " + errno_text());
    if (!is_symlink && fchmodat(pfd, b, archive_entry_perm(e) & 07777, 0) != 0)
      return entry_error(name, "cannot set mode: " + errno_text());
    std::string proc_path = "/proc/self/fd/" + std::to_string(pfd) + "/" + base_name;
    TRY(set_xattrs(e, name, [&](const char* k, const void* v, size_t n) {
      return lsetxattr(proc_path.c_str(), k, v, n, 0);
    }));
    timespec ts[2] = {atime(e), mtime(e)};
    if (utimensat(pfd, b, ts, AT_SYMLINK_NOFOLLOW) != 0)
      return entry_error(name, "cannot set times: " + errno_text());
    return {};
  }

  template <class SetFn>
  base::Result<void> set_xattrs(archive_entry* e, const std::string& name, SetFn set) {
    archive_entry_xattr_reset(e);
    const char* key = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    while (archive_entry_xattr_next(e, &key, &value, &size) == ARCHIVE_OK) {
      std::string_view k(key);
      if (k.starts_with("trusted.overlay.") || k.starts_with("user.overlay.")) continue;
      if (set(key, value, size) == 0) continue;
      // A filesystem without xattrs, or a privileged namespace when we are not
      // root, loses the attribute as docker does; anything else is an error.
      bool privileged_ns = k.starts_with("trusted.") || k.starts_with("security.");
      if (errno == ENOTSUP || (errno == EPERM && privileged_ns && geteuid() != 0)) continue;
      return entry_error(name, "cannot set xattr " + std::string(k) + ": " + errno_text());
    }
    return {};
  }

  base::Result<void> finish_dirs() {
    // Deepest first, so setting a child's times never disturbs its parent's.
    auto depth = [](const std::string& n) {
      return n.empty() ? -1 : static_cast<int>(std::count(n.begin(), n.end(), '/'));
    };
    std::stable_sort(m_dirs.begin(), m_dirs.end(), [&](const DeferredDir& x, const DeferredDir& y) {
      return depth(x.name) > depth(y.name);
    });
    for (const auto& d : m_dirs) {
      int fd = open_in_root(m_root, d.name, O_RDONLY | O_DIRECTORY | (d.follow ? 0 : O_NOFOLLOW));
      if (fd < 0) continue;  // removed or replaced later in the same layer
      base::UniqueFd dir(fd);
      if (fchmod(dir.get(), d.mode) != 0)
        return entry_error(d.name, "cannot set mode: " + errno_text());
      if (futimens(dir.get(), d.times) != 0)
        return entry_error(d.name, "cannot set times: " + errno_text());
    }
    return {};
  }

  static timespec mtime(archive_entry* e) {
    return {archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
  }
  static timespec atime(archive_entry* e) {
    if (archive_entry_atime_is_set(e)) return {archive_entry_atime(e), archive_entry_atime_nsec(e)};
    return mtime(e);
  }

  int m_root;
  ByteSource& m_src;
  bool m_restore_owners;
  std::string m_buf;
  base::Sha256 m_sha;
  uint64_t m_tar_size = 0;
  std::optional<base::Error> m_read_error;
  std::set<std::string> m_written;  // entries this layer created, for opaque dirs
  std::set<std::string> m_kept;     // directories whose times are restored
  std::vector<DeferredDir> m_dirs;
};

}  // namespace

EntryData write_entry_data(archive* a, int fd) {
  for (;;) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    int r = archive_read_data_block(a, &block, &size, &offset);
    if (r == ARCHIVE_EOF) return EntryData::written;
    if (r < ARCHIVE_WARN) return EntryData::read_failed;
    const char* p = static_cast<const char*>(block);
    while (size > 0) {
      ssize_t n = pwrite(fd, p, size, offset);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return EntryData::write_failed;
      p += n;
      size -= static_cast<size_t>(n);
      offset += n;
    }
  }
}

base::Result<ApplyResult> apply_layer(const std::string& root_dir, ByteSource& layer,
                                      const ApplyOptions& options) {
  auto run = [&]() -> base::Result<ApplyResult> {
    int raw = open(root_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (raw < 0) return base::make_error("cannot open root \"" + root_dir + "\": " + errno_text());
    base::UniqueFd root(raw);
    TRY_ASSIGN(auto source, open_decompressed(layer));
    bool restore = options.owners == Owners::restore ||
                   (options.owners == Owners::automatic && geteuid() == 0);
    Applier applier(root.get(), *source, restore);
    TRY_ASSIGN(uint64_t entries, applier.run());
    ApplyResult result;
    result.tar_size = applier.tar_size();
    result.diff_id = applier.digest();
    result.compression = source->compression();
    result.entries = entries;
    return result;
  };
  return base::with_context(run(), "cannot apply layer");
}

}  // namespace snapshotter::layer
