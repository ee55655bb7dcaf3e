// `kiln run [OPTIONS] IMAGE [COMMAND [ARG...]]`: runs an image from the
// store once, in the same sandbox as RUN steps, in the foreground, to
// smoke-test what was built. Not a container engine: nothing is kept
// afterwards (--rm is accepted for docker's muscle memory and is always
// true), there is no detach, no port publishing, no restart.
#include <unistd.h>

#include <iostream>
#include <memory>
#include <thread>
#include <variant>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/store.h"
#include "content/tmp_dir.h"
#include "exec/limits_parse.h"
#include "exec/runner.h"
#include "solver/ir/image_ref.h"
#include "solver/ir/platform.h"
#include "solver/ops/build/base_image.h"
#include "solver/ops/build/image_chain.h"
#include "solver/ops/build/sqlite_cache_index.h"
#include "solver/ops/exec/exec_step.h"
#include "solver/ops/gc/lock.h"

namespace cli {
namespace {

struct RunOptions {
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> env;
  std::string user;
  std::string workdir;
  std::optional<std::string> entrypoint;
  std::string network = "host";
  bool rm = false;
  exec::LimitFlags limits;
  std::string root;
};

// Writes the process's output straight to ours; Ctrl-C stops it.
class ForegroundStep final : public solver::StepContext {
 public:
  explicit ForegroundStep(const std::atomic<bool>& interrupted) : m_interrupted(interrupted) {}
  void log(int stream, std::string_view data) override {
    int fd = stream == 2 ? STDERR_FILENO : STDOUT_FILENO;
    while (!data.empty()) {
      ssize_t n = ::write(fd, data.data(), data.size());
      if (n <= 0) return;
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  bool canceled() const override { return m_interrupted.load(); }

 private:
  const std::atomic<bool>& m_interrupted;
};

struct RunFailure {
  base::Error error;
  int code = k_exit_run_failed;
};

// The process the image's config and the flags describe, as docker run
// builds it: ENTRYPOINT (or --entrypoint) followed by CMD (or the command
// given), the image's env then -e, its WORKDIR and USER unless overridden.
base::Result<ir::Exec> process_of(const oci::ContainerConfig& config, const RunOptions& opts) {
  ir::Exec op;
  std::vector<std::string> entrypoint = config.entrypoint.value_or(std::vector<std::string>{});
  std::vector<std::string> cmd = config.cmd.value_or(std::vector<std::string>{});
  if (opts.entrypoint) {
    entrypoint = opts.entrypoint->empty() ? std::vector<std::string>{} : std::vector<std::string>{*opts.entrypoint};
    cmd.clear();  // as docker: a new entrypoint drops the image's CMD
  }
  if (!opts.command.empty()) cmd = opts.command;
  op.argv = entrypoint;
  op.argv.insert(op.argv.end(), cmd.begin(), cmd.end());
  if (op.argv.empty()) return base::make_error("no command specified: the image has no ENTRYPOINT or CMD");
  for (const std::string& kv : config.env) {
    size_t eq = kv.find('=');
    op.env.set(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  if (!op.env.find("PATH")) op.env.set("PATH", ir::default_path_env("linux"));
  for (const std::string& kv : opts.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      // docker run -e NAME: the value from our environment, or nothing.
      if (const char* value = std::getenv(kv.c_str())) op.env.set(kv, value);
      continue;
    }
    if (eq == 0) return base::make_error("invalid -e \"" + kv + "\": the name is empty");
    op.env.set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  op.cwd = !opts.workdir.empty() ? opts.workdir : (config.working_dir.empty() ? "/" : config.working_dir);
  if (op.cwd.front() != '/') return base::make_error("invalid -w \"" + op.cwd + "\": the directory must be absolute");
  op.user = !opts.user.empty() ? opts.user : config.user;
  return op;
}

std::variant<int, RunFailure> run_image(const RunOptions& opts) {
  solver_ops::exec_step::RunSettings settings;
  if (opts.network == "none") settings.network = exec::Network::none;
  else if (opts.network != "host" && opts.network != "default")
    return RunFailure{base::make_error("--network " + opts.network + ": kiln run supports host and none"), k_exit_usage};
  unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  auto limits = exec::parse_limit_flags(opts.limits, cpus);
  if (!limits.ok()) return RunFailure{limits.error(), k_exit_usage};
  settings.limits = *limits;
  StoreOptions store_opts;
  store_opts.root = opts.root;
  store_opts.snapshots = true;
  auto store = open_store(store_opts);
  if (!store.ok()) return RunFailure{store.error()};
  Store& st = **store;
  auto gc_lock = solver::ops::gc::StoreLock::acquire(st.root, solver::ops::gc::StoreLock::Mode::shared,
                                                     solver::ops::gc::StoreLock::Wait::yes);
  if (!gc_lock.ok()) return RunFailure{gc_lock.error()};
  // A name or an image ID (`kiln run $(kiln build -q .)`), as docker takes.
  auto ref = ir::normalize_image_ref(opts.image);
  if (auto record = find_stored_image(st, opts.image); record.ok()) {
    ref = record->name;
  } else if (record.error().message.rfind("No such image", 0) != 0) {
    return RunFailure{record.error()};  // an ambiguous ID prefix, or the store failed
  } else if (!ref.ok()) {
    return RunFailure{base::make_error("invalid image name \"" + opts.image + "\": " + ref.error().message), k_exit_usage};
  }
  auto image = solver::ops::build::resolve_local_image(*st.blobs, *st.images, *ref, ir::host_platform(),
                                                       solver::ops::build::PlatformMatch::any);
  if (image.ok() && !solver::ops::build::config_serves(image->config, ir::host_platform()))
    std::cerr << "WARNING: The requested image's platform (" << solver::ops::build::config_platform(image->config)
              << ") does not match the detected host platform (" << ir::host_platform().str() << ")\n";
  if (!image.ok()) return RunFailure{image.error()};
  auto op = process_of(image->config.config, opts);
  if (!op.ok()) return RunFailure{op.error(), k_exit_usage};
  auto index = solver::ops::build::SqliteCacheIndex::open(st.root, *st.metadata, st.clock);
  if (!index.ok()) return RunFailure{index.error()};
  auto top = solver::ops::build::unpack_image_chain(*st.blobs, *st.snapshots, **index, *image, *ref,
                                                    [](std::string_view) {});
  if (!top.ok()) return RunFailure{top.error()};

  auto processes = exec::open_sandbox_runner();
  if (!processes.ok()) return RunFailure{processes.error()};
  content::TmpDir tmp(st.root + "/tmp");
  solver_ops::exec_step::ExecStepRunner runner(*st.snapshots, **processes, tmp, nullptr, settings);
  const std::atomic<bool>& interrupted = install_interrupt_handler();
  ForegroundStep step(interrupted);
  auto result = runner.run_discarded(*op, {{*top, ""}}, step);
  if (!result.ok()) return RunFailure{result.error()};
  if (result->canceled) return k_exit_interrupted;
  if (result->oom_killed) std::cerr << "kiln run: " << exec::describe_failure(*result, settings.limits) << "\n";
  return result->status();
}

}  // namespace

void register_run(CLI::App& app, CommandContext& ctx) {
  auto opts = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "Run a command in a new sandbox from a stored image, once, in the foreground");
  cmd->add_option("IMAGE", opts->image, "Image to run")->required();
  cmd->add_flag("--rm", opts->rm, "Accepted for docker compatibility; kiln run never keeps anything");
  cmd->add_option("-e,--env", opts->env, "Set an environment variable (K=V, or K to take it from the environment)")->allow_extra_args(false);
  cmd->add_option("-u,--user", opts->user, "User name or uid[:gid] to run as (default: the image's USER)");
  cmd->add_option("-w,--workdir", opts->workdir, "Working directory inside the sandbox (default: the image's WORKDIR)");
  cmd->add_option("--entrypoint", opts->entrypoint, "Overwrite the image's ENTRYPOINT");
  cmd->add_option("--network", opts->network, "Network: host (default) or none");
  cmd->add_option("-m,--memory", opts->limits.memory, "Memory limit (e.g. 512m)");
  cmd->add_option("--memory-swap", opts->limits.memory_swap, "Memory plus swap limit; -1 for unlimited swap");
  cmd->add_option("--cpus", opts->limits.cpus, "Number of CPUs");
  cmd->add_option("--pids-limit", opts->limits.pids_limit, "Maximum number of processes");
  cmd->add_option("--shm-size", opts->limits.shm_size, "Size of /dev/shm (default 64m)");
  cmd->add_option("--ulimit", opts->limits.ulimits, "Resource limit (name=soft[:hard]); repeatable")->allow_extra_args(false);
  add_root_option(cmd, opts->root);
  // Everything after IMAGE is the command, its flags included.
  cmd->prefix_command();
  cmd->callback([opts, cmd, &ctx] {
    opts->command = cmd->remaining();
    std::cout.flush();
    auto outcome = run_image(*opts);
    if (auto* failure = std::get_if<RunFailure>(&outcome)) {
      std::cerr << "error: " << failure->error.render() << "\n";
      ctx.exit_code = failure->code;
      return;
    }
    ctx.exit_code = std::get<int>(outcome);
  });
}

}  // namespace cli
