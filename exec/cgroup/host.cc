#include "exec/cgroup/host.h"

#include <sstream>
#include <vector>

namespace exec::cgroup {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      int v = (s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0');
      out += static_cast<char>(v);
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

constexpr std::string_view k_default_root = "/sys/fs/cgroup";
constexpr std::string_view k_controllers[] = {"memory", "cpu", "pids"};

}  // namespace

CgroupHost host_from_mountinfo(std::string_view mountinfo) {
  CgroupHost host;
  std::string v2_mount;
  bool v2_at_default = false;
  for (std::string_view line : split(mountinfo, '\n')) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    std::vector<std::string_view> fields = split(line, ' ');
    size_t dash = 0;
    while (dash < fields.size() && fields[dash] != "-") ++dash;
    if (dash < 5 || dash + 3 >= fields.size()) continue;
    std::string_view fstype = fields[dash + 1];
    std::string mount_point = unescape(fields[4]);
    if (fstype == "cgroup2") {
      if (mount_point == k_default_root) {
        v2_at_default = true;
        v2_mount = mount_point;
      } else if (v2_mount.empty()) {
        v2_mount = mount_point;
      }
    } else if (fstype == "cgroup") {
      for (std::string_view opt : split(fields[dash + 3], ',')) {
        for (std::string_view c : k_controllers) {
          // The first mount of a hierarchy wins; later ones are bind mounts.
          if (opt == c && !host.v1_mounts.count(std::string(c)))
            host.v1_mounts[std::string(c)] = mount_point;
        }
      }
    }
  }
  if (v2_at_default) {
    host.version = CgroupVersion::v2;
    host.unified_root = v2_mount;
    host.v1_mounts.clear();
  } else if (!host.v1_mounts.empty()) {
    host.version = CgroupVersion::v1;
    host.unified_root = v2_mount;  // informational: hybrid hosts keep an empty one
  } else if (!v2_mount.empty()) {
    host.version = CgroupVersion::v2;
    host.unified_root = v2_mount;
  }
  return host;
}

base::Result<CgroupHost> detect_cgroup_host(CgroupFs& fs) {
  std::string mountinfo;
  if (int err = fs.read_file("/proc/self/mountinfo", mountinfo))
    return base::make_error("cannot read /proc/self/mountinfo: " + errno_text(err));
  CgroupHost host = host_from_mountinfo(mountinfo);
  if (host.version == CgroupVersion::v2) {
    std::string controllers;
    std::string path = host.unified_root + "/cgroup.controllers";
    if (int err = fs.read_file(path, controllers))
      return base::make_error("cannot read " + path + ": " + errno_text(err));
    std::istringstream in(controllers);
    for (std::string c; in >> c;) host.v2_controllers.insert(c);
  }
  return host;
}

std::string describe_host(const CgroupHost& host) {
  std::string list;
  switch (host.version) {
    case CgroupVersion::none: return "no cgroups";
    case CgroupVersion::v2:
      for (const auto& c : host.v2_controllers) list += (list.empty() ? "" : " ") + c;
      return "cgroup v2 at " + host.unified_root + " (" + list + ")";
    case CgroupVersion::v1:
      for (const auto& [c, path] : host.v1_mounts) list += (list.empty() ? "" : " ") + c;
      return "cgroup v1 (" + list + ")";
  }
  return "no cgroups";
}

}  // namespace exec::cgroup
