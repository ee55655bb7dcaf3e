#include "solver/ops/image/config_change.h"

#include <cstdint>

#include "base/path.h"
#include "solver/ir/port_spec.h"

namespace solver::image {
namespace {

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
  TRY_ASSIGN(ir::PortRange range, ir::parse_port_spec(spec));
  std::vector<std::string> out;
  for (uint64_t p = range.first; p <= range.last; ++p) out.push_back(std::to_string(p) + "/" + range.proto);
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
      // Always absolute: a relative WORKDIR (or base directory) is taken from "/".
      std::string cwd = c.working_dir.empty() ? "/" : c.working_dir;
      c.working_dir = base::clean_path("/" + (dir[0] == '/' ? dir : cwd + "/" + dir));
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
