#include "solver/ops/file/owner.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "base/unique_fd.h"
#include "snapshotter/layer/root_fs.h"

namespace solver_ops::file {
namespace {

std::optional<uint32_t> parse_id(std::string_view s) {
  if (s == "root") return 0;
  if (s.empty()) return std::nullopt;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v > 0x7fffffff) return std::nullopt;
  return static_cast<uint32_t>(v);
}

}  // namespace

base::Result<std::string> read_file_in_root(int root_fd, const std::string& rel) {
  int fd = snapshotter::layer::open_in_root(root_fd, rel, O_RDONLY);
  if (fd == -ENOENT || fd == -ENOTDIR) return std::string();
  if (fd < 0) return base::make_error("cannot open /" + rel + ": " + std::strerror(-fd));
  base::UniqueFd file(fd);
  std::string out;
  char buf[16384];
  for (;;) {
    ssize_t n = read(file.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::make_error("cannot read /" + rel + ": " + std::strerror(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > (64u << 20)) return base::make_error("/" + rel + " is too large");
  }
  return out;
}

void for_each_id_line(std::string_view text,
                      const std::function<bool(const std::vector<std::string_view>&)>& fn) {
  std::vector<std::string_view> fields;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    fields.clear();
    for (;;) {
      size_t colon = line.find(':');
      fields.push_back(line.substr(0, colon));
      if (colon == std::string_view::npos) break;
      line = line.substr(colon + 1);
    }
    if (!fn(fields)) return;
  }
}

std::optional<IdEntry> find_id_entry(std::string_view text, std::string_view name, bool passwd) {
  std::optional<IdEntry> found;
  // name:password:id[:gid...]
  for_each_id_line(text, [&](const std::vector<std::string_view>& f) {
    if (f[0] != name || f.size() < 3) return true;
    auto id = parse_id(f[2]);
    if (!id || f[2] == "root") return true;
    IdEntry e{*id, 0};
    if (passwd) {
      if (f.size() < 4) return true;
      auto gid = parse_id(f[3]);
      if (!gid || f[3] == "root") return true;
      e.gid = *gid;
    }
    found = e;
    return false;
  });
  return found;
}

// BuildKit's rules (llb.WithUser, then the file op's readUser): an empty name
// is id 0; a name the image's /etc/passwd or /etc/group does not list (or a
// missing file) is not an error: an unknown user leaves 0:0, an unknown
// group leaves the user's group.
base::Result<Owner> resolve_owner(int root_fd, const std::string& spec) {
  std::string_view user = spec;
  std::optional<std::string_view> group;
  if (size_t colon = spec.find(':'); colon != std::string::npos) {
    user = std::string_view(spec).substr(0, colon);
    group = std::string_view(spec).substr(colon + 1);
  }
  Owner out{0, 0};
  if (auto id = parse_id(user)) {
    out = {*id, *id};
  } else if (!user.empty()) {
    TRY_ASSIGN(std::string passwd, read_file_in_root(root_fd, "etc/passwd"));
    if (auto e = find_id_entry(passwd, user, true)) out = {e->id, e->gid};
  }
  if (group) {
    if (auto id = parse_id(*group)) {
      out.gid = *id;
    } else if (group->empty()) {
      out.gid = 0;
    } else {
      TRY_ASSIGN(std::string groups, read_file_in_root(root_fd, "etc/group"));
      if (auto e = find_id_entry(groups, *group, false)) out.gid = e->id;
    }
  }
  return out;
}

}  // namespace solver_ops::file
