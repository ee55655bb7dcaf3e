#include "solver/ir/ir.h"

#include <string>
#include <type_traits>

namespace ir {

const char* op_kind(const Op& op) {
  static constexpr const char* k_names[] = {"scratch", "image", "context", "http",
                                            "git",     "exec",  "file",    "config"};
  static_assert(std::variant_size_v<Op> == std::size(k_names));
  return k_names[op.index()];
}

const char* config_kind_name(ConfigKind kind) {
  switch (kind) {
    case ConfigKind::env: return "env";
    case ConfigKind::label: return "label";
    case ConfigKind::workdir: return "workdir";
    case ConfigKind::user: return "user";
    case ConfigKind::expose: return "expose";
    case ConfigKind::volume: return "volume";
    case ConfigKind::cmd: return "cmd";
    case ConfigKind::entrypoint: return "entrypoint";
    case ConfigKind::shell: return "shell";
    case ConfigKind::stopsignal: return "stopsignal";
    case ConfigKind::healthcheck: return "healthcheck";
    case ConfigKind::onbuild: return "onbuild";
    case ConfigKind::maintainer: return "maintainer";
    case ConfigKind::arg: return "arg";
  }
  return "?";
}

const char* network_name(NetworkMode mode) {
  switch (mode) {
    case NetworkMode::sandbox: return "sandbox";
    case NetworkMode::none: return "none";
    case NetworkMode::host: return "host";
  }
  return "?";
}

const char* security_name(SecurityMode mode) {
  return mode == SecurityMode::insecure ? "insecure" : "sandbox";
}

const char* mount_type_name(MountType type) {
  switch (type) {
    case MountType::bind: return "bind";
    case MountType::cache: return "cache";
    case MountType::tmpfs: return "tmpfs";
    case MountType::secret: return "secret";
    case MountType::ssh: return "ssh";
  }
  return "?";
}

const char* sharing_name(CacheSharing sharing) {
  switch (sharing) {
    case CacheSharing::shared: return "shared";
    case CacheSharing::private_: return "private";
    case CacheSharing::locked: return "locked";
  }
  return "?";
}

uint32_t Definition::add(Op op, std::vector<Input> op_inputs, OpInfo op_info) {
  ops.push_back(std::move(op));
  inputs.push_back(std::move(op_inputs));
  info.push_back(std::move(op_info));
  return static_cast<uint32_t>(ops.size() - 1);
}

base::Result<void> validate(const Definition& def) {
  if (def.inputs.size() != def.ops.size() || def.info.size() != def.ops.size())
    return base::make_error("build graph tables differ in length: " + std::to_string(def.ops.size()) +
                            " ops, " + std::to_string(def.inputs.size()) + " input lists, " +
                            std::to_string(def.info.size()) + " info entries");
  if (def.ops.empty()) return base::make_error("build graph has no ops");
  for (size_t i = 0; i < def.ops.size(); ++i) {
    const auto& ins = def.inputs[i];
    // Built only for an error message: validation runs on every lowering.
    auto where_text = [&] { return "op " + std::to_string(i) + " (" + op_kind(def.ops[i]) + ")"; };
    for (const Input& in : ins)
      if (in.op >= i || in.output != 0)
        return base::make_error(where_text() + ": input " + std::to_string(in.op) + ":" +
                                std::to_string(in.output) + " does not refer to an earlier op's output");
    auto check_index = [&](uint32_t idx, const char* what) -> base::Result<void> {
      if (idx >= ins.size())
        return base::make_error(where_text() + ": " + what + " refers to input " + std::to_string(idx) +
                                " of " + std::to_string(ins.size()));
      return {};
    };
    const Op& op = def.ops[i];
    if (std::holds_alternative<Exec>(op) || std::holds_alternative<File>(op) ||
        std::holds_alternative<ConfigChange>(op)) {
      if (ins.empty()) return base::make_error(where_text() + ": needs a base input");
    } else if (!ins.empty()) {
      return base::make_error(where_text() + ": a source takes no inputs");
    }
    if (const auto* exec = std::get_if<Exec>(&op)) {
      if (exec->argv.empty()) return base::make_error(where_text() + ": empty argv");
      for (const Mount& m : exec->mounts)
        if (m.input) TRY(check_index(*m.input, "a mount"));
    }
    if (const auto* file = std::get_if<File>(&op)) {
      for (const FileAction& a : file->actions)
        if (const auto* copy = std::get_if<Copy>(&a)) TRY(check_index(copy->src_input, "a copy"));
    }
  }
  if (def.terminal.op >= def.ops.size()) return base::make_error("terminal op out of range");
  for (const Stage& s : def.stages)
    if (s.terminal >= def.ops.size())
      return base::make_error("stage " + std::to_string(s.index) + " terminal op out of range");
  for (const OpInfo& info : def.info)
    if (info.stage >= static_cast<int>(def.stages.size()))
      return base::make_error("op info refers to stage " + std::to_string(info.stage) + " of " +
                              std::to_string(def.stages.size()));
  return {};
}

}  // namespace ir
