#include "solver/ops/exec/exec_user.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "solver/ops/file/owner.h"

namespace solver_ops::exec_step {
namespace {

std::optional<uint32_t> parse_number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > 0x7fffffff) return std::nullopt;
  return static_cast<uint32_t>(v);
}

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string home;
};

// name:password:uid:gid:gecos:home:shell; matched by name, or by uid when
// the spec is numeric.
std::optional<PasswdEntry> find_user(std::string_view passwd, std::string_view user,
                                     std::optional<uint32_t> numeric) {
  std::optional<PasswdEntry> found;
  ::solver_ops::file::for_each_id_line(passwd, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 4) return true;
    auto uid = parse_number(f[2]);
    auto gid = parse_number(f[3]);
    if (!uid || !gid) return true;
    if (f[0] == user || (numeric && *uid == *numeric)) {
      found = PasswdEntry{std::string(f[0]), *uid, *gid, f.size() > 5 ? std::string(f[5]) : std::string()};
      return false;
    }
    return true;
  });
  return found;
}

}  // namespace

base::Result<ExecUser> resolve_exec_user(std::string_view spec, std::string_view passwd,
                                         std::string_view group) {
  std::string_view user_part = spec;
  std::optional<std::string_view> group_part;
  if (size_t colon = spec.find(':'); colon != std::string_view::npos) {
    user_part = spec.substr(0, colon);
    group_part = spec.substr(colon + 1);
  }
  if (user_part.empty()) user_part = "root";
  ExecUser out;
  std::optional<uint32_t> numeric_user = parse_number(user_part);
  std::string user_name;
  if (auto entry = find_user(passwd, user_part, numeric_user)) {
    out.uid = entry->uid;
    out.gid = entry->gid;
    if (!entry->home.empty()) out.home = entry->home;
    user_name = entry->name;
  } else if (numeric_user) {
    out.uid = *numeric_user;
  } else if (user_part != "root") {
    return base::make_error("unable to find user " + std::string(user_part) +
                            ": no matching entries in passwd file");
  }
  if (group_part && !group_part->empty()) {
    std::optional<uint32_t> numeric_group = parse_number(*group_part);
    std::optional<uint32_t> gid;
    ::solver_ops::file::for_each_id_line(group, [&](const std::vector<std::string_view>& f) {
      if (f.size() < 3) return true;
      auto id = parse_number(f[2]);
      if (!id) return true;
      if (f[0] == *group_part || (numeric_group && *id == *numeric_group)) {
        gid = *id;
        return false;
      }
      return true;
    });
    if (!gid && !numeric_group)
      return base::make_error("unable to find group " + std::string(*group_part) +
                              ": no matching entries in group file");
    out.gid = gid ? *gid : *numeric_group;
    return out;
  }
  if (user_name.empty()) return out;
  // name:password:gid:member,member
  ::solver_ops::file::for_each_id_line(group, [&](const std::vector<std::string_view>& f) {
    if (f.size() < 4) return true;
    auto id = parse_number(f[2]);
    if (!id) return true;
    std::string_view members = f[3];
    while (!members.empty()) {
      size_t comma = members.find(',');
      if (members.substr(0, comma) == user_name) {
        if (*id != out.gid) out.additional_gids.push_back(*id);
        break;
      }
      members = comma == std::string_view::npos ? std::string_view() : members.substr(comma + 1);
    }
    return true;
  });
  std::sort(out.additional_gids.begin(), out.additional_gids.end());
  out.additional_gids.erase(std::unique(out.additional_gids.begin(), out.additional_gids.end()),
                            out.additional_gids.end());
  return out;
}

base::Result<ExecUser> resolve_exec_user_in_root(int root_fd, std::string_view spec) {
  TRY_ASSIGN(std::string passwd, ::solver_ops::file::read_file_in_root(root_fd, "etc/passwd"));
  TRY_ASSIGN(std::string group, ::solver_ops::file::read_file_in_root(root_fd, "etc/group"));
  return base::with_context(resolve_exec_user(spec, passwd, group), "USER " + std::string(spec));
}

}  // namespace solver_ops::exec_step
