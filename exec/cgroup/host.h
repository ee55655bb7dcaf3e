#pragma once
// Which cgroup hierarchies the host has and where kiln puts its cgroups.
// Detected once per process (detect_cgroup_host) and passed to every
// create_step_cgroup call; plain data, copyable, thread-safe to share.
//
// Decision: a cgroup2 mount at /sys/fs/cgroup means the unified (v2) layout.
// Otherwise, if any of memory, cpu or pids is mounted as a v1 hierarchy, v1
// is used (this covers the "hybrid" layout whose /sys/fs/cgroup/unified
// holds no controllers). Otherwise a lone cgroup2 mount elsewhere is used as
// v2; with nothing mounted the version is `none`.
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "base/result.h"
#include "exec/cgroup/cgroup_fs.h"

namespace exec::cgroup {

enum class CgroupVersion { none, v1, v2 };

struct CgroupHost {
  CgroupVersion version = CgroupVersion::none;
  // v2: the mount point of the unified hierarchy ("/sys/fs/cgroup").
  std::string unified_root{};
  // v2: the controllers the unified root offers (its cgroup.controllers).
  std::set<std::string> v2_controllers{};
  // v1: controller → mount point of its hierarchy ("memory" →
  // "/sys/fs/cgroup/memory"; co-mounted controllers share one path).
  std::map<std::string, std::string> v1_mounts{};
  // kiln's own cgroup, relative to each hierarchy's root; a step's cgroup is
  // <root>/<parent>/<step name>. On v2 every level of `parent` gets the
  // needed controllers in cgroup.subtree_control and never holds processes.
  std::string parent = "kiln";
};

// The cgroup mounts listed in a /proc/self/mountinfo text. Pure.
CgroupHost host_from_mountinfo(std::string_view mountinfo);

// Reads /proc/self/mountinfo and, for v2, the root's cgroup.controllers.
base::Result<CgroupHost> detect_cgroup_host(CgroupFs& fs);

// "cgroup v2 at /sys/fs/cgroup (cpu memory pids)", "cgroup v1 (cpu memory
// pids)" or "no cgroups": for logs and `--debug` output.
std::string describe_host(const CgroupHost& host);

}  // namespace exec::cgroup
