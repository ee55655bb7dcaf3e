#include "exec/cgroup/fake_cgroup_fs.h"

#include <cerrno>
#include <charconv>
#include <sstream>

namespace exec::cgroup {
namespace {

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? std::string("/") : path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool under(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

std::set<std::string> words(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

std::string join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

}  // namespace

void FakeCgroupFs::add_v2_root(const std::string& root, const std::set<std::string>& controllers,
                               bool has_kill_file) {
  Root r;
  r.v2 = true;
  r.controllers = controllers;
  r.has_kill_file = has_kill_file;
  m_dirs.insert(root);
  m_files[root + "/cgroup.controllers"] = join(controllers) + "\n";
  m_files[root + "/cgroup.subtree_control"] = "\n";
  m_files[root + "/cgroup.procs"] = "";
  m_roots[root] = std::move(r);
}

void FakeCgroupFs::add_v1_root(const std::string& root, const std::set<std::string>& controllers,
                               bool has_memsw) {
  Root r;
  r.controllers = controllers;
  r.has_memsw = has_memsw;
  m_dirs.insert(root);
  add_interface_files(root, r, controllers);
  m_roots[root] = std::move(r);
}

FakeCgroupFs::Root* FakeCgroupFs::root_of(const std::string& path, std::string* root_path) {
  Root* best = nullptr;
  size_t best_len = 0;
  for (auto& [p, r] : m_roots) {
    if ((p == path || under(path, p)) && p.size() >= best_len) {
      best = &r;
      best_len = p.size();
      if (root_path) *root_path = p;
    }
  }
  return best;
}

void FakeCgroupFs::add_interface_files(const std::string& dir, const Root& root,
                                       const std::set<std::string>& controllers) {
  auto put = [&](const std::string& name, const std::string& content) {
    if (!m_omitted.count(name)) m_files[dir + "/" + name] = content;
  };
  put("cgroup.procs", "");
  if (root.v2) {
    put("cgroup.controllers", join(controllers) + "\n");
    put("cgroup.subtree_control", "\n");
    put("cgroup.events", "populated 0\nfrozen 0\n");
    if (root.has_kill_file) put("cgroup.kill", "");
    if (controllers.count("memory")) {
      put("memory.max", "max\n");
      put("memory.swap.max", "max\n");
      put("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
    }
    if (controllers.count("cpu")) put("cpu.max", "max 100000\n");
  } else {
    put("tasks", "");
    if (controllers.count("memory")) {
      put("memory.limit_in_bytes", "9223372036854771712\n");
      if (root.has_memsw) put("memory.memsw.limit_in_bytes", "9223372036854771712\n");
      put("memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
      put("memory.failcnt", "0\n");
    }
    if (controllers.count("cpu")) {
      put("cpu.cfs_quota_us", "-1\n");
      put("cpu.cfs_period_us", "100000\n");
    }
  }
  if (controllers.count("pids")) {
    put("pids.max", "max\n");
    put("pids.events", "max 0\n");
  }
}

int FakeCgroupFs::read_file(const std::string& path, std::string& out) {
  std::string name = base_name(path);
  if ((name == "cgroup.procs" || name == "tasks") && m_files.count(path)) {
    std::string dir = parent_of(path);
    out.clear();
    for (int pid : pids_in(dir)) out += std::to_string(pid) + "\n";
    return 0;
  }
  auto it = m_files.find(path);
  if (it == m_files.end()) return ENOENT;
  out = it->second;
  return 0;
}

int FakeCgroupFs::write_file(const std::string& path, std::string_view data) {
  if (auto f = m_fail_write.find(path); f != m_fail_write.end()) {
    int err = f->second;
    m_fail_write.erase(f);
    return err;
  }
  if (!m_files.count(path)) return ENOENT;
  m_writes.emplace_back(path, std::string(data));
  std::string dir = parent_of(path);
  std::string root_path;
  Root* root = root_of(dir, &root_path);
  std::string name = base_name(path);
  if (root && (name == "cgroup.procs" || name == "tasks")) {
    int pid = 0;
    auto [end, ec] = std::from_chars(data.data(), data.data() + data.size(), pid);
    if (ec != std::errc() || pid <= 0) return EINVAL;
    if (root->v2 && dir != root_path && words(m_files[dir + "/cgroup.subtree_control"]).size())
      return EBUSY;
    root->members[pid] = dir;
    return 0;
  }
  if (root && root->v2 && name == "cgroup.subtree_control") {
    std::set<std::string> enabled = words(m_files[path]);
    std::set<std::string> available = words(m_files[dir + "/cgroup.controllers"]);
    for (const auto& w : words(std::string(data))) {
      std::string c = w.substr(1);
      if ((w[0] != '+' && w[0] != '-') || !available.count(c)) return ENOENT;
      if (dir != root_path && !pids_in(dir).empty()) return EBUSY;
      if (w[0] == '+') enabled.insert(c);
      else enabled.erase(c);
    }
    m_files[path] = join(enabled) + "\n";
    return 0;
  }
  if (root && root->v2 && name == "cgroup.kill") {
    for (auto it = root->members.begin(); it != root->members.end();) {
      bool inside = it->second == dir || under(it->second, dir);
      if (inside && !m_unkillable.count(it->first)) {
        m_killed.push_back(it->first);
        it = root->members.erase(it);
      } else {
        ++it;
      }
    }
    return 0;
  }
  m_files[path] = std::string(data);
  return 0;
}

int FakeCgroupFs::make_dir(const std::string& path) {
  if (m_dirs.count(path)) return EEXIST;
  std::string parent = parent_of(path);
  if (!m_dirs.count(parent)) return ENOENT;
  Root* root = root_of(parent);
  m_dirs.insert(path);
  if (root) {
    std::set<std::string> controllers =
        root->v2 ? words(m_files[parent + "/cgroup.subtree_control"]) : root->controllers;
    add_interface_files(path, *root, controllers);
  }
  return 0;
}

bool FakeCgroupFs::has_children(const std::string& dir) const {
  for (const auto& d : m_dirs)
    if (under(d, dir)) return true;
  return false;
}

int FakeCgroupFs::remove_dir(const std::string& path) {
  if (!m_dirs.count(path)) return ENOENT;
  if (has_children(path) || !pids_in(path).empty()) return EBUSY;
  m_dirs.erase(path);
  for (auto it = m_files.begin(); it != m_files.end();)
    it = under(it->first, path) ? m_files.erase(it) : std::next(it);
  return 0;
}

bool FakeCgroupFs::exists(const std::string& path) {
  return m_dirs.count(path) != 0 || m_files.count(path) != 0;
}

void FakeCgroupFs::remove_pid_everywhere(int pid) {
  for (auto& [p, r] : m_roots) r.members.erase(pid);
}

int FakeCgroupFs::kill_process(int pid, int /*signal*/) {
  bool known = false;
  for (auto& [p, r] : m_roots) known = known || r.members.count(pid);
  if (!known) return ESRCH;
  m_killed.push_back(pid);
  if (!m_unkillable.count(pid)) remove_pid_everywhere(pid);
  return 0;
}

void FakeCgroupFs::pause(std::chrono::microseconds /*how_long*/) { ++m_pauses; }

std::string FakeCgroupFs::file(const std::string& path) const {
  auto it = m_files.find(path);
  return it == m_files.end() ? std::string() : it->second;
}

void FakeCgroupFs::add_pid(const std::string& dir, int pid) {
  if (Root* root = root_of(dir)) root->members[pid] = dir;
}

std::vector<int> FakeCgroupFs::pids_in(const std::string& dir) const {
  std::vector<int> out;
  for (const auto& [p, r] : m_roots)
    for (const auto& [pid, d] : r.members)
      if (d == dir) out.push_back(pid);
  return out;
}

}  // namespace exec::cgroup
