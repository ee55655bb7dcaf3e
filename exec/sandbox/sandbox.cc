#include "exec/sandbox/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "base/path.h"
#include "base/unique_fd.h"
#include "exec/sandbox/child.h"
#include "exec/sandbox/in_root.h"
#include "exec/sandbox/shared_clone.h"

namespace exec {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int k_poll_ms = 50;  // how often Cancel and the timeout are checked
constexpr std::chrono::seconds k_drain_after_exit{2};

struct Pipe {
  base::UniqueFd read;
  base::UniqueFd write;
};

base::Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return base::make_error(std::string("pipe: ") + std::strerror(errno));
  return Pipe{base::UniqueFd(fds[0]), base::UniqueFd(fds[1])};
}

base::Result<void> validate(const ProcessSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) return base::make_error("the step has no command");
  if (spec.rootfs.empty()) return base::make_error("the step has no root file system");
  if (!base::is_abs_path(spec.cwd)) return base::make_error("working directory " + spec.cwd + " is not absolute");
  for (const MountEntry& m : spec.mounts) {
    if (!base::is_abs_path(m.target)) return base::make_error("mount target " + m.target + " is not absolute");
    if (m.kind == MountEntry::Kind::bind && m.source.empty())
      return base::make_error("bind mount on " + m.target + " has no source");
  }
  return {};
}

base::Result<std::string> canonical(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) return base::make_error("cannot resolve " + path + ": " + std::strerror(errno));
  std::string out(real);
  std::free(real);
  struct stat st {};
  if (::stat(out.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return base::make_error(path + " is not a directory");
  return out;
}

// Reads what is ready on `fd` (once), or closes it at EOF.
template <class F>
void drain(base::UniqueFd& fd, F&& consume) {
  char buf[65536];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n > 0) consume(std::string_view(buf, static_cast<size_t>(n)));
  else if (n == 0 || (errno != EINTR && errno != EAGAIN)) fd.reset();
}

}  // namespace

base::Result<ProcessResult> run_sandboxed(const ProcessSpec& spec, const SandboxHooks& hooks, OutputSink& out,
                                          const Cancel& cancel) {
  TRY(validate(spec));
  TRY_ASSIGN(std::string rootfs, canonical(spec.rootfs));
  TRY_ASSIGN(sandbox::EtcFiles etc, sandbox::write_etc_files(spec));
  TRY_ASSIGN(std::vector<sandbox::Rlimit> rlimits, sandbox::plan_rlimits(spec.limits));
  TRY_ASSIGN(Pipe stdout_pipe, make_pipe());
  TRY_ASSIGN(Pipe stderr_pipe, make_pipe());
  base::UniqueFd kiln_pidfd(static_cast<int>(::syscall(SYS_pidfd_open, ::getpid(), 0)));
  if (!kiln_pidfd.valid()) return base::make_error(std::string("pidfd_open: ") + std::strerror(errno));
  // An interactive process writes to kiln's own terminal; nothing to relay.
  int out_fd = stdout_pipe.write.get();
  int err_fd = stderr_pipe.write.get();
  if (spec.interactive) {
    stdout_pipe = Pipe{};
    stderr_pipe = Pipe{};
    out_fd = STDOUT_FILENO;
    err_fd = STDERR_FILENO;
  }

  sandbox::ChildReport report;
  sandbox::ChildPlan plan{spec, hooks, rootfs, etc, std::move(rlimits),
                          sandbox::exec_candidates(spec.argv.front(), spec.env),
                          {}, {}, kiln_pidfd.get(), out_fd, err_fd, &report};
  for (const std::string& a : spec.argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  for (const std::string& e : spec.env) plan.envp.push_back(const_cast<char*>(e.c_str()));
  plan.envp.push_back(nullptr);

  // The cgroup namespace is not among them: the child joins the step's
  // cgroup first and then unshares it, so that it is rooted there.
  int namespaces = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (spec.network == Network::none) namespaces |= CLONE_NEWNET;
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = spec.timeout ? start + *spec.timeout : Clock::time_point::max();
  TRY_ASSIGN(sandbox::ClonedChild child,
             sandbox::clone_sharing_memory(namespaces, [&plan] { sandbox::run_step_child(plan); }));
  // Back here, the child has exec'd the step or failed: its set-up is over.
  kiln_pidfd.reset();
  stdout_pipe.write.reset();
  stderr_pipe.write.reset();

  std::optional<int> wait_status;  // unset when the step's end is unknown
  Clock::time_point reaped_at;
  auto reap = [&] {
    int status = 0;
    pid_t r;
    while ((r = ::waitpid(child.pid, &status, 0)) < 0 && errno == EINTR) {
    }
    if (r == child.pid) wait_status = status;
    child.pidfd.reset();
    reaped_at = Clock::now();
  };
  auto finish_cgroup = [&]() -> std::pair<std::optional<base::Error>, CgroupOutcome> {
    if (!hooks.cgroup) return {};
    std::optional<base::Error> error;
    CgroupOutcome outcome;
    if (auto k = hooks.cgroup->kill_all(); !k.ok()) error = k.error();
    if (auto o = hooks.cgroup->outcome(); o.ok()) outcome = *o;
    else if (!error) error = o.error();
    return {error, outcome};
  };

  if (report.error) {
    reap();
    (void)finish_cgroup();
    sandbox::remove_stubs(rootfs, report.created);
    const auto& [phase, message] = *report.error;
    if (phase == "exec") return base::make_error(message);
    if (phase == "cgroup") return base::make_error("cannot put the step into its cgroup: " + message);
    return base::make_error("cannot set up the sandbox (" + phase + "): " + message);
  }

  bool canceled = false;
  bool killed = false;
  while (stdout_pipe.read.valid() || stderr_pipe.read.valid() || child.pidfd.valid()) {
    std::array<pollfd, 3> fds{{{stdout_pipe.read.get(), POLLIN, 0},
                               {stderr_pipe.read.get(), POLLIN, 0},
                               {child.pidfd.get(), POLLIN, 0}}};
    int ready = ::poll(fds.data(), fds.size(), k_poll_ms);
    if (ready < 0 && errno != EINTR) {
      // Cannot happen with valid descriptors; stop the step rather than spin.
      if (!wait_status) {
        ::kill(child.pid, SIGKILL);
        reap();
      }
      break;
    }
    if (ready > 0) {
      if (fds[0].revents) drain(stdout_pipe.read, [&](std::string_view d) { out.write(1, d); });
      if (fds[1].revents) drain(stderr_pipe.read, [&](std::string_view d) { out.write(2, d); });
      // PID 1's exit is visible only once the kernel has killed and reaped
      // every other process of its PID namespace.
      if (fds[2].revents) reap();
    }
    if (!canceled && (cancel.requested() || Clock::now() >= deadline)) canceled = true;
    // Once PID 1 is gone every process of the step is, and the pipes reach
    // EOF at once; a write end the step managed to pass out of its
    // namespace must not keep the build waiting.
    if (!child.pidfd.valid() && Clock::now() - reaped_at > k_drain_after_exit) break;
    // SIGKILL to PID 1 ends the whole PID namespace. The pid cannot have been
    // reused: it is ours to reap and not reaped yet.
    if (canceled && !killed && !wait_status) {
      ::kill(child.pid, SIGKILL);
      killed = true;
    }
  }
  const auto wall = Clock::now() - start;

  auto [cgroup_error, outcome] = finish_cgroup();
  // The step's mount namespace died with its last process; what it had to
  // create in the root can go now.
  sandbox::remove_stubs(rootfs, report.created);
  if (!wait_status) return base::make_error("the sandbox ended without reporting how the step ended");
  if (cgroup_error) return base::with_context(base::Result<void>(*cgroup_error), "step cgroup").error();

  ProcessResult result;
  result.signaled = WIFSIGNALED(*wait_status);
  if (result.signaled) result.signal = WTERMSIG(*wait_status);
  else result.exit_code = WEXITSTATUS(*wait_status);
  result.canceled = canceled && killed;
  result.oom_killed = outcome.oom_killed;
  result.pids_limit_hit = outcome.pids_limit_hit;
  result.wall = std::chrono::duration_cast<std::chrono::nanoseconds>(wall);
  return result;
}

}  // namespace exec
