// RUN: the command plus --mount, --network, --security and --device.
#include "frontend/instructions/detail.h"
#include "frontend/instructions/run_mount.h"

namespace frontend::instructions::detail {
namespace {

// The index in node.flags of the n-th (0-based) use of flag `name`.
size_t nth_flag(const Request& req, std::string_view name, size_t n) {
  const std::string prefix = "--" + std::string(name) + "=";
  for (size_t i = 0; i < req.node.flags.size(); ++i)
    if (req.node.flags[i].rfind(prefix, 0) == 0 && n-- == 0) return i;
  return req.node.flags.size();
}

}  // namespace

base::Result<Instruction> parse_run(const Request& req) {
  FlagSet flags;
  flags.add_list("mount");
  flags.add_string("network", "default");
  flags.add_string("security", "sandbox");
  flags.add_list("device");
  TRY(parse_flags(req, flags));

  RunInstr run;
  run.flags_used = flags.used_names();
  run.command = command_line(req);

  // Same order as BuildKit's post-parse hooks: devices, mounts, network, security.
  for (const auto& spec : flags.get_list("device")) {
    auto d = parse_run_device(spec);
    if (!d.ok()) {
      base::Error e = std::move(d).error();
      return error_at_flag(req, nth_flag(req, "device", run.devices.size()), std::move(e.message),
                           std::move(e.hint));
    }
    run.devices.push_back(std::move(*d));
  }
  for (const auto& spec : flags.get_list("mount")) {
    auto m = parse_run_mount(spec);
    if (!m.ok()) {
      base::Error e = std::move(m).error();
      return error_at_flag(req, nth_flag(req, "mount", run.mounts.size()), std::move(e.message),
                           std::move(e.hint));
    }
    run.mounts.push_back(std::move(*m));
  }

  const std::string& network = flags.get_string("network");
  run.network_set = flags.used("network");
  if (network == "default") {
    run.network = NetworkMode::default_;
  } else if (network == "none") {
    run.network = NetworkMode::none;
  } else if (network == "host") {
    run.network = NetworkMode::host;
  } else {
    return error_at_flag(req, flag_index(req, "network"),
                         "invalid network mode \"" + network + "\"",
                         "use --network=default, --network=none or --network=host");
  }

  const std::string& security = flags.get_string("security");
  if (security == "sandbox") {
    run.security = SecurityMode::sandbox;
  } else if (security == "insecure") {
    run.security = SecurityMode::insecure;
  } else {
    return error_at_flag(req, flag_index(req, "security"),
                         "security \"" + security + "\" is not valid",
                         "use --security=sandbox or --security=insecure");
  }
  return Instruction{std::move(run)};
}

}  // namespace frontend::instructions::detail
