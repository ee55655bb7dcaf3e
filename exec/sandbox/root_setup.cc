#include "exec/sandbox/root_setup.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "base/path.h"
#include "exec/sandbox/in_root.h"

namespace exec::sandbox {
namespace {

// What Docker hides from unprivileged containers (moby's oci/defaults.go):
// kernel internals that leak host information or allow harm.
constexpr std::array<std::string_view, 11> k_masked_paths{
    "/proc/acpi",        "/proc/asound",     "/proc/kcore",       "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi",        "/sys/firmware",    "/sys/devices/virtual/powercap",
};
constexpr std::array<std::string_view, 5> k_readonly_paths{
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

struct Device {
  const char* name;
  unsigned major;
  unsigned minor;
};
constexpr std::array<Device, 6> k_devices{{
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}};
constexpr std::array<std::pair<const char*, const char*>, 5> k_dev_links{{
    {"pts/ptmx", "ptmx"},
    {"/proc/self/fd", "fd"},
    {"/proc/self/fd/0", "stdin"},
    {"/proc/self/fd/1", "stdout"},
    {"/proc/self/fd/2", "stderr"},
}};

base::Error sys_error(std::string_view what, int err) {
  return base::make_error(std::string(what) + ": " + std::strerror(err));
}

base::Result<void> mount_on(const char* source, int target_fd, const char* type, unsigned long flags,
                            const std::string& data, std::string_view what) {
  std::string target = fd_path(target_fd);
  if (::mount(source, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) != 0)
    return sys_error("cannot mount " + std::string(what), errno);
  return {};
}

// Sets `attrs` on the mount at `fd` and every mount below it.
base::Result<void> set_mount_attrs(int fd, uint64_t attrs, std::string_view what) {
  mount_attr attr{};
  attr.attr_set = attrs;
  if (::mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    return sys_error("cannot make " + std::string(what) + " read-only", errno);
  return {};
}

class RootBuilder {
 public:
  RootBuilder(int root, const CreatedFn& on_created) : m_root(root), m_on_created(on_created) {}

  base::Result<base::UniqueFd> target(std::string_view path, NodeKind kind, uint32_t mode = 0) {
    uint32_t m = mode ? mode : (kind == NodeKind::directory ? 0755u : 0644u);
    TRY_ASSIGN(MadeNode node, with_context(make_in_root(m_root, path, kind, m), "mount point " + std::string(path)));
    if (!node.created.empty()) m_on_created(node.created);
    return std::move(node.fd);
  }

  // The mount now on `path`: a new lookup crosses into it, where the fd of
  // the mount point still names the directory underneath.
  base::Result<base::UniqueFd> reopen(std::string_view path, int flags = O_PATH) {
    return open_in_root(m_root, path, flags);
  }

  base::Result<void> proc() {
    TRY_ASSIGN(auto fd, target("/proc", NodeKind::directory));
    return mount_on("proc", fd.get(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, {}, "/proc");
  }

  base::Result<void> dev(uint64_t shm_size) {
    TRY_ASSIGN(auto fd, target("/dev", NodeKind::directory));
    TRY(mount_on("tmpfs", fd.get(), "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", "/dev"));
    TRY_ASSIGN(auto dev, reopen("/dev", O_PATH | O_DIRECTORY));
    int d = dev.get();
    for (const Device& node : k_devices) {
      if (::mknodat(d, node.name, S_IFCHR | 0666, makedev(node.major, node.minor)) != 0)
        return sys_error(std::string("cannot create /dev/") + node.name, errno);
    }
    for (const char* dir : {"pts", "shm", "mqueue"}) {
      if (::mkdirat(d, dir, 0755) != 0) return sys_error(std::string("cannot create /dev/") + dir, errno);
    }
    auto sub = [&](const char* name) {
      return base::UniqueFd(::openat(d, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    };
    TRY(mount_on("devpts", sub("pts").get(), "devpts", MS_NOSUID | MS_NOEXEC,
                 "newinstance,ptmxmode=0666,mode=0620,gid=5", "/dev/pts"));
    TRY(mount_on("shm", sub("shm").get(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                 "mode=1777,size=" + std::to_string(shm_size), "/dev/shm"));
    TRY(mount_on("mqueue", sub("mqueue").get(), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, {}, "/dev/mqueue"));
    for (const auto& [to, name] : k_dev_links) {
      if (::symlinkat(to, d, name) != 0) return sys_error(std::string("cannot create /dev/") + name, errno);
    }
    return {};
  }

  base::Result<void> sys(Network network, bool privileged) {
    TRY_ASSIGN(auto fd, target("/sys", NodeKind::directory));
    unsigned long ro = privileged ? 0 : MS_RDONLY;
    if (network == Network::none)  // a sysfs of the step's own network namespace
      return mount_on("sysfs", fd.get(), "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | ro, {}, "/sys");
    // A fresh sysfs would still show the host's network devices, so the host's
    // view is bound instead, with the cgroup file systems below it.
    TRY(mount_on("/sys", fd.get(), nullptr, MS_BIND | MS_REC, {}, "/sys"));
    if (privileged) return {};
    TRY_ASSIGN(auto bound, reopen("/sys"));
    return set_mount_attrs(bound.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                           "/sys");
  }

  // A host file bound read-only over `path`.
  base::Result<void> etc_file(const std::string& source, std::string_view path) {
    TRY_ASSIGN(auto fd, target(path, NodeKind::file));
    TRY(mount_on(source.c_str(), fd.get(), nullptr, MS_BIND, {}, path));
    TRY_ASSIGN(auto bound, reopen(path));
    return set_mount_attrs(bound.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                           path);
  }

  base::Result<void> entry(const MountEntry& m) {
    if (!base::is_abs_path(m.target)) return base::make_error("mount target " + m.target + " is not absolute");
    if (m.kind == MountEntry::Kind::tmpfs) {
      TRY_ASSIGN(auto fd, target(m.target, NodeKind::directory));
      std::string data;
      if (m.tmpfs_size) data = "size=" + std::to_string(m.tmpfs_size);
      if (m.mode) {
        char mode[16];
        std::snprintf(mode, sizeof mode, "mode=0%o", *m.mode);
        data += (data.empty() ? "" : ",") + std::string(mode);
      }
      return mount_on("tmpfs", fd.get(), "tmpfs", MS_NOSUID | MS_NODEV | (m.readonly ? MS_RDONLY : 0), data,
                      m.target);
    }
    struct stat st {};
    if (::stat(m.source.c_str(), &st) != 0) return sys_error("bind mount source " + m.source, errno);
    TRY_ASSIGN(auto fd, target(m.target, S_ISDIR(st.st_mode) ? NodeKind::directory : NodeKind::file));
    TRY(mount_on(m.source.c_str(), fd.get(), nullptr, MS_BIND | MS_REC, {}, m.target));
    if (!m.readonly) return {};
    TRY_ASSIGN(auto bound, reopen(m.target));
    return set_mount_attrs(bound.get(), MOUNT_ATTR_RDONLY, m.target);
  }

 private:
  int m_root;
  const CreatedFn& m_on_created;
};

}  // namespace

base::Result<base::UniqueFd> build_root(const ProcessSpec& spec, const std::string& rootfs, const EtcFiles& etc,
                                        const CreatedFn& on_created) {
  // Nothing mounted from here on may propagate back to the host's namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return sys_error("cannot make / private", errno);
  // pivot_root needs the new root to be a mount point.
  if (::mount(rootfs.c_str(), rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return sys_error("cannot bind " + rootfs + " onto itself", errno);
  base::UniqueFd root(::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!root.valid()) return sys_error("cannot open " + rootfs, errno);

  RootBuilder b(root.get(), on_created);
  TRY(b.proc());
  TRY(b.dev(spec.limits.shm_size));
  TRY(b.sys(spec.network, spec.privileged));
  TRY(b.etc_file(etc.hosts, "/etc/hosts"));
  TRY(b.etc_file(etc.hostname, "/etc/hostname"));
  TRY(b.etc_file(etc.resolv_conf, "/etc/resolv.conf"));
  for (const MountEntry& m : spec.mounts) TRY(b.entry(m));
  return root;
}

base::Result<void> enter_root(int root_fd) {
  if (::fchdir(root_fd) != 0) return sys_error("cannot enter the root", errno);
  // With both arguments ".", the old root ends up stacked on the new one and
  // is detached right away; no directory for it is needed in the image.
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_error("pivot_root", errno);
  if (::umount2(".", MNT_DETACH) != 0) return sys_error("cannot detach the old root", errno);
  if (::chdir("/") != 0) return sys_error("cannot enter the root", errno);
  return {};
}

base::Result<void> protect_kernel_files() {
  for (std::string_view p : k_masked_paths) {
    std::string path(p);
    base::UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid() && errno == ENOENT) continue;
    if (!fd.valid()) return sys_error("cannot open " + path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return sys_error("cannot stat " + path, errno);
    if (S_ISDIR(st.st_mode)) TRY(mount_on("tmpfs", fd.get(), "tmpfs", MS_RDONLY, {}, path));
    else TRY(mount_on("/dev/null", fd.get(), nullptr, MS_BIND, {}, path));
  }
  for (std::string_view p : k_readonly_paths) {
    std::string path(p);
    base::UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid() && errno == ENOENT) continue;
    if (!fd.valid()) return sys_error("cannot open " + path, errno);
    std::string at = fd_path(fd.get());
    if (::mount(at.c_str(), at.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return sys_error("cannot bind " + path, errno);
    base::UniqueFd bound(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    if (!bound.valid()) return sys_error("cannot open " + path, errno);
    TRY(set_mount_attrs(bound.get(), MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                        path));
  }
  return {};
}

}  // namespace exec::sandbox
