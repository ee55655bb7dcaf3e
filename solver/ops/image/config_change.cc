#include "solver/ops/image/config_change.h"

#include <cctype>
#include <cstdint>

namespace solver::image {
namespace {

// Decimal 0..65535, as Go's strconv.ParseUint(s, 10, 16).
bool parse_port(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 5) return false;
  out = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    out = out * 10 + static_cast<uint64_t>(c - '0');
  }
  return out <= 65535;
}

bool parse_port_range(std::string_view s, uint64_t& start, uint64_t& end) {
  size_t dash = s.find('-');
  if (dash == std::string_view::npos) {
    if (!parse_port(s, start)) return false;
    end = start;
    return true;
  }
  std::string_view tail = s.substr(dash + 1);
  if (tail.find('-') != std::string_view::npos) return false;
  return parse_port(s.substr(0, dash), start) && parse_port(tail, end) && end >= start;
}

// Lexically cleans an absolute path ("/a/./b/../c/" → "/a/c").
std::string clean_abs(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out;
  for (std::string_view p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

base::Result<std::string> first_value(const ir::ConfigChange& change) {
  if (change.values.empty())
    return base::make_error(std::string("config change ") + ir::config_kind_name(change.kind) +
                            " has no value");
  return change.values[0];
}

oci::Healthcheck to_oci(const ir::Healthcheck& h) {
  oci::Healthcheck out;
  out.test = h.test;
  out.interval = h.interval_ns;
  out.timeout = h.timeout_ns;
  out.start_period = h.start_period_ns;
  out.start_interval = h.start_interval_ns;
  out.retries = h.retries;
  return out;
}

}  // namespace

std::string default_path_env(std::string_view os) {
  if (os == "windows") return "";
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

void set_env(std::vector<std::string>& env, std::string_view key, std::string_view value) {
  std::string entry = std::string(key) + "=" + std::string(value);
  for (std::string& e : env) {
    std::string_view existing = std::string_view(e).substr(0, e.find('='));
    if (existing == key) {
      e = std::move(entry);
      return;
    }
  }
  env.push_back(std::move(entry));
}

base::Result<std::vector<std::string>> expand_port_spec(std::string_view spec) {
  // [ip:][hostport:]containerport[/proto]; only the container port matters
  // for EXPOSE (BuildKit still accepts and ignores the rest).
  std::string_view container = spec;
  if (size_t colon = spec.rfind(':'); colon != std::string_view::npos) container = spec.substr(colon + 1);
  std::string_view port = container;
  std::string proto = "tcp";
  if (size_t slash = container.find('/'); slash != std::string_view::npos) {
    port = container.substr(0, slash);
    std::string p(container.substr(slash + 1));
    for (char& c : p) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!p.empty()) proto = p;
  }
  if (port.empty()) return base::make_error("no port specified: " + std::string(container) + "<empty>");
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return base::make_error("invalid proto: " + proto);
  uint64_t start = 0, end = 0;
  if (!parse_port_range(port, start, end)) return base::make_error("invalid containerPort: " + std::string(port));
  std::vector<std::string> out;
  for (uint64_t p = start; p <= end; ++p) out.push_back(std::to_string(p) + "/" + proto);
  return out;
}

oci::ImageConfig scratch_config(const ir::Platform& platform) {
  oci::ImageConfig image;
  image.architecture = platform.architecture;
  image.os = platform.os;
  image.variant = platform.variant;
  image.config.working_dir = "/";
  return image;
}

void begin_stage(oci::ImageConfig& image) {
  bool has_path = false;
  for (const std::string& e : image.config.env)
    has_path = has_path || std::string_view(e).substr(0, e.find('=')) == "PATH";
  std::string path = default_path_env(image.os);
  if (!has_path && !path.empty()) image.config.env.push_back("PATH=" + path);
  image.config.on_build.clear();
}

base::Result<void> apply_config_change(oci::ImageConfig& image, const ir::ConfigChange& change) {
  oci::ContainerConfig& c = image.config;
  switch (change.kind) {
    case ir::ConfigKind::env:
      for (const ir::KeyValue& kv : change.pairs) set_env(c.env, kv.key, kv.value.value_or(""));
      return {};
    case ir::ConfigKind::label:
      for (const ir::KeyValue& kv : change.pairs) c.labels[kv.key] = kv.value.value_or("");
      return {};
    case ir::ConfigKind::arg:
      return {};  // ARG only affects the build environment (and history)
    case ir::ConfigKind::workdir: {
      TRY_ASSIGN(std::string dir, first_value(change));
      if (dir.empty()) return base::make_error("config change workdir has an empty path");
      std::string base = c.working_dir.empty() ? "/" : c.working_dir;
      c.working_dir = clean_abs(dir[0] == '/' ? dir : base + "/" + dir);
      return {};
    }
    case ir::ConfigKind::user: {
      TRY_ASSIGN(c.user, first_value(change));
      return {};
    }
    case ir::ConfigKind::expose:
      for (const std::string& spec : change.values) {
        auto ports = expand_port_spec(spec);
        if (!ports.ok()) return base::make_error("EXPOSE " + spec + ": " + ports.error().message);
        c.exposed_ports.insert(ports->begin(), ports->end());
      }
      return {};
    case ir::ConfigKind::volume:
      for (const std::string& v : change.values) {
        if (v.empty()) return base::make_error("VOLUME specified can not be an empty string");
        c.volumes.insert(v);
      }
      return {};
    case ir::ConfigKind::cmd:
      c.cmd = change.values;
      // BuildKit marks every CMD so; Docker reads it only on Windows.
      c.args_escaped = true;
      return {};
    case ir::ConfigKind::entrypoint:
      c.entrypoint = change.values;
      // An ENTRYPOINT without a CMD earlier in the same stage drops the CMD
      // inherited from the base image: it was meant for another entrypoint.
      if (change.reset_cmd) c.cmd.reset();
      return {};
    case ir::ConfigKind::shell:
      c.shell = change.values;
      return {};
    case ir::ConfigKind::stopsignal: {
      TRY_ASSIGN(c.stop_signal, first_value(change));
      return {};
    }
    case ir::ConfigKind::healthcheck:
      if (!change.healthcheck)
        return base::make_error("config change healthcheck has no healthcheck settings");
      // The new settings replace the inherited ones as a whole (zero
      // durations mean "the default" when a container starts); ["NONE"]
      // disables a check the base image defined.
      c.healthcheck = to_oci(*change.healthcheck);
      return {};
    case ir::ConfigKind::onbuild: {
      TRY_ASSIGN(std::string trigger, first_value(change));
      c.on_build.push_back(std::move(trigger));
      return {};
    }
    case ir::ConfigKind::maintainer: {
      TRY_ASSIGN(image.author, first_value(change));
      return {};
    }
  }
  return base::make_error("unknown config change kind");
}

}  // namespace solver::image
