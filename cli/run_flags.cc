#include "cli/run_flags.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

namespace cli {
namespace {

using solver_ops::exec_step::RunSettings;
using solver_ops::exec_step::SecretSource;

// "k=v,k=v" as docker's csv flags (no quoting needed for our fields).
std::vector<std::pair<std::string, std::string>> fields_of(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string field = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    size_t eq = field.find('=');
    out.emplace_back(field.substr(0, eq), eq == std::string::npos ? "" : field.substr(eq + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

base::Result<void> add_secret(const std::string& text, RunSettings& settings) {
  std::string id, src, env, type;
  for (const auto& [key, value] : fields_of(text)) {
    if (key == "id") id = value;
    else if (key == "src" || key == "source") src = value;
    else if (key == "env") env = value;
    else if (key == "type") type = value;
    else return base::make_error("invalid --secret \"" + text + "\": unexpected key \"" + key + "\"");
  }
  if (type != "" && type != "file" && type != "env")
    return base::make_error("invalid --secret \"" + text + "\": unsupported type \"" + type + "\"");
  if (id.empty()) return base::make_error("invalid --secret \"" + text + "\": id is required");
  if (type == "env" && env.empty()) env = src.empty() ? id : src;
  if (type == "file" && src.empty()) src = id;
  SecretSource secret;
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (!value) return base::make_error("--secret id=" + id + ": environment variable " + env + " is not set");
    secret.value = value;
  } else if (!src.empty()) {
    if (::access(src.c_str(), R_OK) != 0)
      return base::make_error("--secret id=" + id + ": cannot read " + src);
    secret.file = src;
  } else if (const char* value = std::getenv(id.c_str())) {
    // buildx's rule without src or env: an environment variable named like
    // the id, else a file of that name.
    secret.value = value;
  } else {
    if (::access(id.c_str(), R_OK) != 0)
      return base::make_error("--secret id=" + id + ": no src= or env= given, and neither an environment variable nor a file named " + id + " exists");
    secret.file = id;
  }
  settings.secrets[id] = std::move(secret);
  return {};
}

base::Result<void> add_ssh(const std::string& text, RunSettings& settings) {
  size_t eq = text.find('=');
  std::string id = text.substr(0, eq);
  std::string path;
  if (eq != std::string::npos) {
    path = text.substr(eq + 1);
  } else if (const char* sock = std::getenv("SSH_AUTH_SOCK"); sock && *sock) {
    path = sock;
  } else {
    return base::make_error("--ssh " + text + ": SSH_AUTH_SOCK is not set; name an agent socket with --ssh " + id + "=PATH");
  }
  if (id.empty()) return base::make_error("invalid --ssh \"" + text + "\": the id is empty");
  if (path.find(',') != std::string::npos)
    return base::make_error("--ssh " + text + ": kiln forwards one agent socket per id, not key files");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode))
    return base::make_error("--ssh " + text + ": " + path + " is not an SSH agent socket (kiln forwards sockets, not key files)");
  settings.ssh[id] = path;
  return {};
}

}  // namespace

void add_run_flags(CLI::App& cmd, RunFlags& flags) {
  cmd.add_option("-m,--memory", flags.limits.memory, "Memory limit of RUN steps (e.g. 512m, 2g)");
  cmd.add_option("--memory-swap", flags.limits.memory_swap, "Memory plus swap limit of RUN steps; -1 for unlimited swap");
  cmd.add_option("--cpus", flags.limits.cpus, "Number of CPUs RUN steps may use (e.g. 1.5)");
  cmd.add_option("--cpu-quota", flags.limits.cpu_quota, "Limit the CPU CFS quota of RUN steps (microseconds)");
  cmd.add_option("--cpu-period", flags.limits.cpu_period, "Limit the CPU CFS period of RUN steps (microseconds)");
  cmd.add_option("--pids-limit", flags.limits.pids_limit, "Maximum number of processes of a RUN step");
  cmd.add_option("--shm-size", flags.limits.shm_size, "Size of /dev/shm in RUN steps (default 64m)");
  cmd.add_option("--ulimit", flags.limits.ulimits, "Resource limit of RUN steps (name=soft[:hard]); repeatable")->allow_extra_args(false);
  cmd.add_option("--network", flags.network, "Networking mode of RUN steps: default (host), host, none");
  cmd.add_option("--add-host", flags.add_hosts, "Add a custom host-to-IP mapping (host:ip); repeatable")->allow_extra_args(false);
  cmd.add_option("--allow", flags.allow, "Allow extra privileged entitlement (security.insecure, network.host)")->allow_extra_args(false);
  cmd.add_option("--secret", flags.secrets, "Secret to expose to RUN --mount=type=secret (id=ID,src=FILE or id=ID,env=VAR); repeatable")->allow_extra_args(false);
  cmd.add_option("--on-failure", flags.on_failure, "What a failed RUN does: error (default) ends the build; shell opens a shell in the failed step's root first");
  cmd.add_option("--ssh", flags.ssh, "SSH agent socket to expose to RUN --mount=type=ssh (default or ID=SOCKET); repeatable")->allow_extra_args(false);
}

base::Result<RunSettings> run_settings(const RunFlags& flags) {
  RunSettings settings;
  unsigned cpus = std::thread::hardware_concurrency();
  TRY_ASSIGN(settings.limits, exec::parse_limit_flags(flags.limits, cpus == 0 ? 1 : cpus));
  if (flags.network == "" || flags.network == "default" || flags.network == "host") {
    settings.network = exec::Network::host;
  } else if (flags.network == "none") {
    settings.network = exec::Network::none;
  } else {
    return base::make_error("--network " + flags.network + ": kiln supports the networking modes default, host and none");
  }
  for (const std::string& entry : flags.add_hosts) {
    size_t sep = entry.find_first_of(":=");
    if (sep == std::string::npos || sep == 0 || sep + 1 == entry.size())
      return base::make_error("invalid --add-host \"" + entry + "\": expected host:ip");
    settings.extra_hosts.push_back({entry.substr(0, sep), entry.substr(sep + 1)});
  }
  for (const std::string& entitlement : flags.allow) {
    if (entitlement == "security.insecure") settings.allow_insecure = true;
    else if (entitlement != "network.host")
      return base::make_error("invalid --allow \"" + entitlement + "\": known entitlements are security.insecure and network.host");
  }
  for (const std::string& secret : flags.secrets) TRY(add_secret(secret, settings));
  for (const std::string& ssh : flags.ssh) TRY(add_ssh(ssh, settings));
  if (flags.on_failure == "shell") settings.shell_on_failure = true;
  else if (flags.on_failure != "error")
    return base::make_error("--on-failure " + flags.on_failure + ": expected error or shell");
  return settings;
}

}  // namespace cli
