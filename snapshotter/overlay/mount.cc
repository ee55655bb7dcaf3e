#include "snapshotter/overlay/mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/unique_fd.h"
#include "content/file_ops.h"
#include "snapshotter/fs_tree.h"

namespace snapshotter::overlay {

namespace {

using content::errno_error;

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

struct OverlayOptions {
  std::vector<std::string> lowers;
  std::string upper;
  std::string work;
  bool read_only = false;
};

OverlayOptions parse(const MountSpec& spec) {
  OverlayOptions o;
  for (const auto& opt : spec.options) {
    if (opt.rfind("lowerdir=", 0) == 0) o.lowers = split(opt.substr(9), ':');
    else if (opt.rfind("upperdir=", 0) == 0) o.upper = opt.substr(9);
    else if (opt.rfind("workdir=", 0) == 0) o.work = opt.substr(8);
    else if (opt == "ro") o.read_only = true;
  }
  return o;
}

// The kernel explains fsconfig failures in the fs context's log.
std::string fs_log(int fs_fd) {
  std::string out;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(fs_fd, buf, sizeof buf);
    if (n <= 0) break;
    std::string line(buf, static_cast<size_t>(n));
    if (!line.empty() && line.back() == '\n') line.pop_back();
    if (line.size() > 2 && line[1] == ' ') line = line.substr(2);  // "e " / "w " prefix
    out += (out.empty() ? "" : "; ") + line;
  }
  return out;
}

base::Error fs_error(const std::string& what, int fs_fd, int err) {
  std::string log = fs_log(fs_fd);
  return base::make_error("cannot mount overlay: " + what + ": " + std::strerror(err) +
                          (log.empty() ? "" : " (" + log + ")"));
}

// Returns false when the kernel lacks the API (or "lowerdir+"), so the caller
// falls back; an error for real failures.
Result<bool> mount_new_api(const OverlayOptions& o, const std::string& target) {
  base::UniqueFd fs(::fsopen("overlay", FSOPEN_CLOEXEC));
  if (!fs.valid()) {
    if (errno == ENOSYS) return false;
    return errno_error("cannot open an overlay context for", target, errno);
  }
  for (const auto& lower : o.lowers) {
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "lowerdir+", lower.c_str(), 0) != 0) {
      if (errno == EINVAL && &lower == &o.lowers.front()) {
        fs_log(fs.get());  // drain "unknown parameter"
        return false;
      }
      return fs_error("lower dir " + lower, fs.get(), errno);
    }
  }
  if (!o.upper.empty()) {
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "upperdir", o.upper.c_str(), 0) != 0)
      return fs_error("upper dir " + o.upper, fs.get(), errno);
    if (::fsconfig(fs.get(), FSCONFIG_SET_STRING, "workdir", o.work.c_str(), 0) != 0)
      return fs_error("work dir " + o.work, fs.get(), errno);
  }
  if (::fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return fs_error("creating the filesystem for " + target, fs.get(), errno);
  base::UniqueFd mnt(::fsmount(fs.get(), FSMOUNT_CLOEXEC, o.read_only ? MOUNT_ATTR_RDONLY : 0));
  if (!mnt.valid()) return fs_error("fsmount for " + target, fs.get(), errno);
  if (::move_mount(mnt.get(), "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return errno_error("cannot attach overlay at", target, errno);
  return true;
}

// The longest directory prefix (ending in '/') shared by every path.
std::string common_dir(const std::vector<std::string>& paths) {
  std::string prefix = paths.front();
  for (const auto& p : paths) {
    size_t n = 0;
    while (n < prefix.size() && n < p.size() && prefix[n] == p[n]) ++n;
    prefix.resize(n);
  }
  size_t slash = prefix.rfind('/');
  return slash == std::string::npos ? std::string() : prefix.substr(0, slash + 1);
}

Result<void> mount_legacy(const OverlayOptions& o, const std::string& target) {
  std::vector<std::string> all = o.lowers;
  if (!o.upper.empty()) {
    all.push_back(o.upper);
    all.push_back(o.work);
  }
  std::string base = common_dir(all);
  auto rel = [&](const std::string& p) { return p.substr(base.size()); };
  std::vector<std::string> lowers;
  for (const auto& l : o.lowers) lowers.push_back(rel(l));
  std::string data = "lowerdir=" + join(lowers, ':');
  if (!o.upper.empty()) data += ",upperdir=" + rel(o.upper) + ",workdir=" + rel(o.work);
  long page = ::sysconf(_SC_PAGESIZE);
  if (static_cast<long>(data.size()) >= page)
    return base::make_error("cannot mount overlay at " + target + ": " +
                            std::to_string(o.lowers.size()) +
                            " layers exceed the mount option limit of this kernel");
  unsigned long flags = o.read_only ? MS_RDONLY : 0;
  // chdir is process-wide, so a child does it; everything it calls after
  // fork is async-signal-safe.
  pid_t pid = ::fork();
  if (pid < 0) return errno_error("cannot fork to mount overlay at", target, errno);
  if (pid == 0) {
    if (!base.empty() && ::chdir(base.c_str()) != 0) ::_exit(errno);
    if (::mount("overlay", target.c_str(), "overlay", flags, data.c_str()) != 0) ::_exit(errno);
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return errno_error("cannot wait for the overlay mount of", target, errno);
  }
  if (!WIFEXITED(status)) return base::make_error("cannot mount overlay at " + target);
  if (int err = WEXITSTATUS(status); err != 0) return errno_error("cannot mount overlay at", target, err);
  return {};
}

}  // namespace

MountSpec overlay_mount_spec(const std::vector<std::string>& chain, SnapshotKind kind,
                             const std::string& work_dir) {
  bool active = kind == SnapshotKind::active;
  if (chain.size() == 1)
    return {"bind", chain.front(), {"rbind", active ? "rw" : "ro"}};
  MountSpec spec{"overlay", "overlay", {}};
  if (active) {
    std::vector<std::string> lowers(chain.begin() + 1, chain.end());
    spec.options = {"lowerdir=" + join(lowers, ':'), "upperdir=" + chain.front(),
                    "workdir=" + work_dir};
  } else {
    spec.options = {"lowerdir=" + join(chain, ':'), "ro"};
  }
  return spec;
}

Result<std::unique_ptr<MountedFs>> mount_spec(const MountSpec& spec, const std::string& target,
                                              MountApi api) {
  if (spec.type == "bind") {
    bool ro = std::find(spec.options.begin(), spec.options.end(), "ro") != spec.options.end();
    TRY(bind_mount(spec.source, target, ro));
    return std::unique_ptr<MountedFs>(new MountedPath(target, true));
  }
  OverlayOptions o = parse(spec);
  if (o.lowers.empty()) return base::make_error("cannot mount overlay at " + target + ": no lower dir");
  bool done = false;
  if (api == MountApi::automatic) {
    TRY_ASSIGN(done, mount_new_api(o, target));
  }
  if (!done) TRY(mount_legacy(o, target));
  return std::unique_ptr<MountedFs>(new MountedPath(target, true));
}

}  // namespace snapshotter::overlay
