#include "solver/ops/gc/cache_mounts.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "base/digest.h"
#include "content/file_ops.h"
#include "content/tmp_dir.h"
#include "solver/ops/gc/state.h"

namespace solver::ops::gc {

namespace {

namespace fs = std::filesystem;

// The names exec gives an instance's files.
enum class Part { lock, data, staging, other };

struct Name {
  Part part = Part::other;
  std::string suffix;
};

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "lock", "lock-3", "data", "data-3", "data.new", "data-3.new".
Name parse_name(std::string_view name) {
  Name out;
  std::string_view rest;
  if (name.starts_with("lock")) {
    out.part = Part::lock;
    rest = name.substr(4);
  } else if (name.starts_with("data")) {
    out.part = Part::data;
    rest = name.substr(4);
    if (rest.ends_with(".new")) {
      out.part = Part::staging;
      rest.remove_suffix(4);
    }
  } else {
    return out;
  }
  if (rest.empty()) return out;
  if (rest.front() == '-' && digits(rest.substr(1))) {
    out.suffix = std::string(rest);
    return out;
  }
  return Name{};
}

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::string home_of(const std::string& root, const std::string& dir) {
  return root + "/" + k_cache_mounts_dir + "/" + dir;
}

// The id text, "" when missing; ids are short, a damaged huge file is cut.
std::string read_id(const std::string& path) {
  auto fd = content::open_file(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (!fd.ok()) return "";
  std::string out(4096, '\0');
  auto n = content::read_some(fd->get(), out.data(), out.size(), path);
  out.resize(n.ok() ? *n : 0);
  return out;
}

// Whether a step holds `lock_path`; a missing lock file is held by nobody.
base::Result<bool> lock_held(const std::string& lock_path) {
  base::UniqueFd fd(::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return false;
    return content::errno_error("cannot open", lock_path, errno);
  }
  TRY_ASSIGN(bool got, content::try_lock_exclusive(fd.get(), lock_path));
  return !got;  // closing fd releases what we took
}

// Moves `path` (if present) into a claimed tmp/ entry and deletes it there.
base::Result<bool> discard(const content::TmpDir& tmp, const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return content::errno_error("cannot stat", path, errno);
  }
  TRY(tmp.init());
  TRY_ASSIGN(content::TmpEntry entry, tmp.create_dir("cache-mount-"));
  std::string target = entry.path + "/" + fs::path(path).filename().string();
  if (::rename(path.c_str(), target.c_str()) != 0) {
    int err = errno;
    (void)content::remove_tree(entry.path);
    return base::make_error("cannot move " + path + " to " + target + ": " + std::strerror(err));
  }
  // The rename is durable before anything inside is deleted: after a power
  // cut the tree is either whole in place or in tmp/.
  TRY(content::fsync_dir(fs::path(path).parent_path().string()));
  TRY(content::remove_tree(entry.path));
  return true;
}

// Holds every lock file of `home` exclusively; false when a step holds one.
// Locks in `held` (by file name) are already ours.
base::Result<bool> lock_all(const std::string& home, std::map<std::string, base::UniqueFd>& held) {
  std::error_code ec;
  for (fs::directory_iterator it(home, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (parse_name(name).part != Part::lock || held.contains(name)) continue;
    std::string path = home + "/" + name;
    TRY_ASSIGN(base::UniqueFd fd, content::open_file(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    TRY_ASSIGN(bool got, content::try_lock_exclusive(fd.get(), path));
    if (!got) return false;
    held.emplace(name, std::move(fd));
  }
  if (ec) return content::errno_error("cannot list", home, ec.value());
  return true;
}

bool has_data(const std::string& home) {
  std::error_code ec;
  for (fs::directory_iterator it(home, ec), end; !ec && it != end; it.increment(ec)) {
    Part part = parse_name(it->path().filename().string()).part;
    if (part == Part::data || part == Part::staging) return true;
  }
  return false;
}

}  // namespace

base::Result<std::vector<CacheMountEntry>> list_cache_mounts(const std::string& root,
                                                             const ListOptions& options) {
  std::vector<CacheMountEntry> out;
  std::string base_dir = root + "/" + k_cache_mounts_dir;
  std::error_code ec;
  for (fs::directory_iterator it(base_dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string dir = it->path().filename().string();
    std::string home = base_dir + "/" + dir;
    struct stat st {};
    if (::lstat(home.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;  // fsck reports it
    std::string id = read_id(home + "/id");
    std::map<std::string, CacheMountEntry> instances;  // by suffix
    std::error_code inner;
    for (fs::directory_iterator f(home, inner), fend; !inner && f != fend; f.increment(inner)) {
      std::string name = f->path().filename().string();
      Name parsed = parse_name(name);
      if (parsed.part == Part::other) continue;
      CacheMountEntry& m = instances[parsed.suffix];
      m.dir = dir;
      m.suffix = parsed.suffix;
      m.id = id;
      std::string path = home + "/" + name;
      struct stat fst {};
      if (::lstat(path.c_str(), &fst) != 0) continue;  // removed meanwhile
      if (parsed.part != Part::staging) m.last_used = std::max(m.last_used, mtime_ns(fst));
      if (parsed.part != Part::lock) m.size += tree_size(path);
    }
    if (instances.empty()) {
      // A step killed before it took its lock left the directory alone (or
      // with its id only): one empty instance, so that a prune removes it.
      CacheMountEntry& m = instances[""];
      m.dir = dir;
      m.id = id;
      m.last_used = mtime_ns(st);
    }
    for (auto& [suffix, m] : instances) {
      if (options.probe_locks) {
        TRY_ASSIGN(m.in_use, lock_held(home + "/lock" + suffix));
      }
      out.push_back(std::move(m));
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory)
    return content::errno_error("cannot list", base_dir, ec.value());
  std::sort(out.begin(), out.end());
  return out;
}

base::Result<void> remove_cache_mounts(const std::string& root,
                                       const std::vector<CacheMountEntry>& instances,
                                       CacheMountRemoval& out) {
  content::TmpDir tmp(root + "/tmp");
  std::map<std::string, std::vector<const CacheMountEntry*>> by_dir;
  for (const CacheMountEntry& m : instances) by_dir[m.dir].push_back(&m);
  for (const auto& [dir, group] : by_dir) {
    std::string home = home_of(root, dir);
    std::map<std::string, base::UniqueFd> held;  // lock file name → our exclusive flock
    for (const CacheMountEntry* m : group) {
      std::string lock_name = "lock" + m->suffix;
      std::string lock_path = home + "/" + lock_name;
      // Created when missing, so that a step coming now waits for us.
      auto fd = content::open_file(lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (!fd.ok()) {
        if (::access(home.c_str(), F_OK) != 0) break;  // the directory is gone already
        return fd.error();
      }
      TRY_ASSIGN(bool got, content::try_lock_exclusive(fd->get(), lock_path));
      if (!got) {
        out.in_use.push_back(*m);
        continue;
      }
      TRY(discard(tmp, home + "/data" + m->suffix));
      TRY(discard(tmp, home + "/data" + m->suffix + ".new"));
      held.emplace(lock_name, std::move(*fd));
      out.removed.push_back(*m);
      out.reclaimed += m->size;
    }
    if (held.empty() || has_data(home)) continue;  // some instance stays
    TRY_ASSIGN(bool all, lock_all(home, held));
    if (!all) continue;
    TRY_ASSIGN(bool gone, discard(tmp, home));
    if (gone) out.dirs.push_back(dir);
    // Our locks now name unlinked files; closing them frees nothing anyone waits for.
  }
  return {};
}

base::Result<CacheMountCheck> check_cache_mounts(const std::string& root, bool repair) {
  CacheMountCheck report;
  std::string base_dir = root + "/" + k_cache_mounts_dir;
  std::vector<std::string> broken_dirs, stray_files;
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(base_dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string());
  std::sort(names.begin(), names.end());
  for (const std::string& dir : names) {
    std::string where = std::string(k_cache_mounts_dir) + "/" + dir;
    std::string home = base_dir + "/" + dir;
    struct stat st {};
    if (::lstat(home.c_str(), &st) != 0) continue;
    if (!S_ISDIR(st.st_mode)) {
      report.problems.push_back(where + " is not a directory");
      stray_files.push_back(home);
      continue;
    }
    ++report.checked;
    size_t before = report.problems.size();
    std::error_code inner;
    std::vector<std::string> data;
    for (fs::directory_iterator f(home, inner), fend; !inner && f != fend; f.increment(inner))
      if (std::string name = f->path().filename().string(); parse_name(name).part == Part::data)
        data.push_back(name);
    std::sort(data.begin(), data.end());
    // Without data a directory is a step killed before it made any: nothing
    // is wrong that the next step or prune would not take care of.
    if (!data.empty()) {
      struct stat id_st {};
      if (::lstat((home + "/id").c_str(), &id_st) != 0 || !S_ISREG(id_st.st_mode)) {
        report.problems.push_back("cache mount " + where + " has no id file");
      } else if (base::Sha256::of(read_id(home + "/id")).hex() != dir) {
        report.problems.push_back("cache mount " + where + " is not named by the SHA-256 of its id");
      }
    }
    for (const std::string& name : data) {
      struct stat dst {};
      if (::lstat((home + "/" + name).c_str(), &dst) == 0 && !S_ISDIR(dst.st_mode))
        report.problems.push_back("cache mount " + where + ": " + name + " is not a directory");
    }
    if (report.problems.size() != before) broken_dirs.push_back(dir);
  }
  if (!repair) return report;

  for (const std::string& path : stray_files) {
    TRY(content::remove_file(path));
    report.repairs.push_back("removed " + path.substr(root.size() + 1));
  }
  content::TmpDir tmp(root + "/tmp");
  for (const std::string& dir : broken_dirs) {
    std::string home = home_of(root, dir);
    std::map<std::string, base::UniqueFd> held;
    TRY_ASSIGN(bool all, lock_all(home, held));
    if (!all) continue;  // a step is using it: the check after the repair reports it again
    TRY_ASSIGN(bool gone, discard(tmp, home));
    if (gone) report.repairs.push_back("removed " + std::string(k_cache_mounts_dir) + "/" + dir);
  }
  return report;
}

}  // namespace solver::ops::gc
