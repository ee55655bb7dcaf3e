#include "solver/ops/exec/process_spec.h"

namespace solver_ops::exec_step {

base::Result<exec::ProcessSpec> make_process_spec(const ir::Exec& op, const ExecUser& user,
                                                  const RunSettings& settings, std::string rootfs) {
  if (op.argv.empty()) return base::make_error("RUN has no command");
  if (op.security == ir::SecurityMode::insecure && !settings.allow_insecure)
    return base::make_error(
        "RUN --security=insecure is not allowed: granting entitlement security.insecure needs "
        "`kiln build --allow security.insecure`");
  for (const ir::Device& device : op.devices)
    if (device.required)
      return base::make_error("RUN --device=" + device.name + ": CDI devices are not available to kiln");
  exec::ProcessSpec spec;
  spec.rootfs = std::move(rootfs);
  spec.argv = op.argv;
  bool has_home = false;
  for (const auto& [name, value] : op.env) {
    if (name == "HOME") has_home = true;
    spec.env.push_back(name + "=" + value);
  }
  // Proxy settings reach the process but never the cache key (ir.h).
  for (const auto& [name, value] : op.proxy_env)
    if (!op.env.find(name)) spec.env.push_back(name + "=" + value);
  // runc sets HOME from the user's passwd entry when the image does not.
  if (!has_home) spec.env.push_back("HOME=" + user.home);
  spec.cwd = op.cwd.empty() ? "/" : op.cwd;
  spec.uid = user.uid;
  spec.gid = user.gid;
  spec.additional_gids = user.additional_gids;
  switch (op.network) {
    case ir::NetworkMode::sandbox: spec.network = settings.network; break;
    case ir::NetworkMode::host: spec.network = exec::Network::host; break;
    case ir::NetworkMode::none: spec.network = exec::Network::none; break;
  }
  spec.extra_hosts = settings.extra_hosts;
  spec.limits = settings.limits;
  spec.privileged = op.security == ir::SecurityMode::insecure;
  return spec;
}

std::string process_display(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out += ' ';
    out += arg;
  }
  return out;
}

}  // namespace solver_ops::exec_step
