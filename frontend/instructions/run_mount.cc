#include "frontend/instructions/run_mount.h"

#include <cctype>

#include "base/strings.h"
#include "frontend/instructions/go_parse.h"
#include "frontend/instructions/suggest.h"

namespace frontend::instructions {
namespace {

// One record of Go's encoding/csv (comma-separated, `"` quoting with `""`
// for a literal quote), which is how BuildKit splits --mount and --device.
base::Result<std::vector<std::string>> split_csv(std::string_view s) {
  if (s.empty()) return base::make_error("EOF");
  std::vector<std::string> fields;
  size_t i = 0;
  while (true) {
    std::string field;
    if (i < s.size() && s[i] == '"') {
      ++i;
      while (true) {
        if (i >= s.size()) return base::make_error("extraneous or missing \" in quoted-field");
        if (s[i] == '"') {
          if (i + 1 < s.size() && s[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += s[i++];
      }
      if (i < s.size() && s[i] != ',') return base::make_error("extraneous or missing \" in quoted-field");
    } else {
      while (i < s.size() && s[i] != ',') {
        if (s[i] == '"') return base::make_error("bare \" in non-quoted-field");
        field += s[i++];
      }
    }
    fields.push_back(std::move(field));
    if (i >= s.size()) break;
    ++i;  // the comma
    if (i == s.size()) {
      fields.emplace_back();
      break;
    }
  }
  return fields;
}

std::optional<MountType> mount_type_from(std::string_view s) {
  if (s == "bind") return MountType::bind;
  if (s == "cache") return MountType::cache;
  if (s == "tmpfs") return MountType::tmpfs;
  if (s == "secret") return MountType::secret;
  if (s == "ssh") return MountType::ssh;
  return std::nullopt;
}

base::Error unexpected_key_for_type(std::string_view key, MountType t) {
  return base::make_error("unexpected key '" + std::string(key) + "' for mount type '" +
                          std::string(mount_type_name(t)) + "'");
}

base::Error invalid_value_for(std::string_view key, std::string_view value) {
  return base::make_error("invalid value for " + std::string(key) + ": " + std::string(value));
}

}  // namespace

std::string_view mount_type_name(MountType type) {
  switch (type) {
    case MountType::bind: return "bind";
    case MountType::cache: return "cache";
    case MountType::tmpfs: return "tmpfs";
    case MountType::secret: return "secret";
    case MountType::ssh: return "ssh";
  }
  return "bind";
}

base::Result<RunMount> parse_run_mount(std::string_view spec, const ValueExpander& expand) {
  auto fields_r = split_csv(spec);
  if (!fields_r.ok()) return base::make_error("failed to parse csv mounts: " + fields_r.error().message);
  RunMount m;
  m.spec = std::string(spec);
  bool ro_auto = true;
  bool type_known = true;  // false when type=$VAR waits for expansion
  bool sharing_given = false;
  bool mode_given = false, uid_given = false, gid_given = false;

  for (const auto& field : *fields_r) {
    size_t eq = field.find('=');
    std::string key = base::ascii_lower(field.substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro") {
        m.read_only = true;
        ro_auto = false;
      } else if (key == "readwrite" || key == "rw") {
        m.read_only = false;
        ro_auto = false;
      } else if (key == "required") {
        if (type_known && m.type != MountType::secret && m.type != MountType::ssh)
          return unexpected_key_for_type(key, m.type);
        m.required = true;
      } else {
        return base::make_error("invalid field '" + field + "' must be a key=value pair");
      }
      continue;
    }
    std::string value = field.substr(eq + 1);

    bool deferred = false;
    if (expand) {
      TRY_ASSIGN(value, expand(value));
    } else if (key == "from") {
      size_t dollar = value.find('$');
      if (dollar != std::string::npos && dollar + 1 != value.size())
        return base::make_error("'" + key +
                                "' doesn't support variable expansion, define alias stage instead");
    } else {
      // Without an expander a value that mentions a variable is only known
      // after expansion; keep it raw and check it in the final pass.
      deferred = value.find('$') != std::string::npos;
    }

    if (key == "type") {
      if (deferred) {
        type_known = false;
        continue;
      }
      auto t = mount_type_from(base::ascii_lower(value));
      if (!t) {
        base::Error e = base::make_error("unsupported mount type \"" + value + "\"");
        std::string match = suggest(value, {"bind", "cache", "tmpfs", "secret", "ssh"}, true);
        if (!match.empty()) e.hint = "did you mean " + match + "?";
        return e;
      }
      m.type = *t;
    } else if (key == "from") {
      m.from = value;
    } else if (key == "source" || key == "src") {
      m.source = value;
    } else if (key == "target" || key == "dst" || key == "destination") {
      m.target = value;
    } else if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
      ro_auto = false;
      if (deferred) continue;
      auto b = parse_go_bool(value);
      if (!b) return invalid_value_for(key, value);
      m.read_only = (key == "readonly" || key == "ro") ? *b : !*b;
    } else if (key == "required") {
      if (type_known && m.type != MountType::secret && m.type != MountType::ssh)
        return unexpected_key_for_type(key, m.type);
      if (deferred) continue;
      auto b = parse_go_bool(value);
      if (!b) return invalid_value_for(key, value);
      m.required = *b;
    } else if (key == "size") {
      if (type_known && m.type != MountType::tmpfs) return unexpected_key_for_type(key, m.type);
      if (deferred) continue;
      auto size = parse_ram_in_bytes(value);
      if (!size.ok()) return invalid_value_for(key, value);
      m.size_bytes = *size;
    } else if (key == "id") {
      m.id = value;
    } else if (key == "sharing") {
      sharing_given = true;
      if (deferred) continue;
      std::string v = base::ascii_lower(value);
      if (v == "shared") m.sharing = CacheSharing::shared;
      else if (v == "private") m.sharing = CacheSharing::private_;
      else if (v == "locked") m.sharing = CacheSharing::locked;
      else return base::make_error("unsupported sharing value \"" + value + "\"");
    } else if (key == "mode" || key == "uid" || key == "gid") {
      (key == "mode" ? mode_given : key == "uid" ? uid_given : gid_given) = true;
      if (deferred) continue;
      auto n = parse_go_uint(value, key == "mode" ? 8 : 10, 32);
      if (!n) return base::make_error("invalid value " + value + " for " + key);
      auto v = static_cast<uint32_t>(*n);
      (key == "mode" ? m.mode : key == "uid" ? m.uid : m.gid) = v;
    } else if (key == "env") {
      m.env = value;
    } else {
      base::Error e = base::make_error("unexpected key '" + key + "' in '" + field + "'");
      std::string match =
          suggest(key, {"type", "from", "source", "target", "readonly", "id", "sharing", "required",
                        "size", "mode", "uid", "gid", "src", "dst", "destination", "ro", "rw",
                        "readwrite", "env"},
                  true);
      if (!match.empty()) e.hint = "did you mean " + match + "?";
      return e;
    }
  }

  if (ro_auto) m.read_only = !(m.type == MountType::cache || m.type == MountType::tmpfs);
  if (!type_known) return m;  // the final pass checks the rest

  bool file_info_allowed =
      m.type == MountType::secret || m.type == MountType::ssh || m.type == MountType::cache;
  if (!file_info_allowed) {
    const std::string quoted = "\"" + std::string(mount_type_name(m.type)) + "\"";
    if (mode_given) return base::make_error("mode not allowed for " + quoted + " type mounts");
    if (uid_given) return base::make_error("uid not allowed for " + quoted + " type mounts");
    if (gid_given) return base::make_error("gid not allowed for " + quoted + " type mounts");
  }
  if (sharing_given && m.type != MountType::cache)
    return base::make_error("invalid cache sharing set for " + std::string(mount_type_name(m.type)) +
                            " mount");
  if (m.type == MountType::secret) {
    if (!m.from.empty()) return base::make_error("secret mount should not have a from");
    if (m.source.empty() && m.target.empty() && m.id.empty())
      return base::make_error("invalid secret mount. one of source, target required");
    if (!m.source.empty() && !m.id.empty())
      return base::make_error("both source and id can't be set");
  }
  return m;
}

base::Result<RunDevice> parse_run_device(std::string_view spec) {
  auto fields_r = split_csv(spec);
  if (!fields_r.ok())
    return base::make_error("failed to parse csv devices: " + fields_r.error().message);
  RunDevice d;
  for (const auto& field : *fields_r) {
    size_t eq = field.find('=');
    std::string key = base::ascii_lower(field.substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "required") {
        d.required = true;
        continue;
      }
      if (d.name.empty()) {
        d.name = field;
        continue;
      }
      return base::make_error("invalid field '" + field + "' must be a key=value pair");
    }
    std::string value = field.substr(eq + 1);
    if (key == "name") {
      if (!d.name.empty()) return base::make_error("device name already set to " + d.name);
      d.name = value;
    } else if (key == "required") {
      auto b = parse_go_bool(value);
      if (!b) return invalid_value_for(key, value);
      d.required = *b;
    } else if (d.name.empty()) {
      // CDI names may contain '=' ("vendor.com/class=device").
      d.name = field;
    } else {
      base::Error e = base::make_error("unexpected key '" + key + "' in '" + field + "'");
      std::string match = suggest(key, {"name", "required"}, true);
      if (!match.empty()) e.hint = "did you mean " + match + "?";
      return e;
    }
  }
  return d;
}

}  // namespace frontend::instructions
