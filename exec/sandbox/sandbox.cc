#include "exec/sandbox/sandbox.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
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
#include "exec/sandbox/channel.h"
#include "exec/sandbox/child.h"
#include "exec/sandbox/in_root.h"

namespace exec {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int k_poll_ms = 50;  // how often Cancel and the timeout are checked

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

// What the child processes reported over the control pipe.
struct Reports {
  pid_t step_pid = 0;
  std::optional<std::string> status;  // "x<code>" or "s<signal>"
  std::vector<std::string> created;
  std::optional<std::pair<std::string, std::string>> error;  // phase, message
};

void apply(Reports& r, const sandbox::Record& rec) {
  switch (rec.type) {
    case sandbox::RecordType::pid: r.step_pid = static_cast<pid_t>(std::atoi(rec.payload.c_str())); break;
    case sandbox::RecordType::status: r.status = rec.payload; break;
    case sandbox::RecordType::created: r.created.push_back(rec.payload); break;
    case sandbox::RecordType::error: {
      size_t nul = rec.payload.find('\0');
      if (nul == std::string::npos) r.error.emplace("set-up", rec.payload);
      else r.error.emplace(rec.payload.substr(0, nul), rec.payload.substr(nul + 1));
      break;
    }
  }
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
  TRY_ASSIGN(Pipe sync, make_pipe());
  TRY_ASSIGN(Pipe control, make_pipe());
  TRY_ASSIGN(Pipe stdout_pipe, make_pipe());
  TRY_ASSIGN(Pipe stderr_pipe, make_pipe());
  // An interactive process writes to kiln's own terminal; nothing to relay.
  int out_fd = stdout_pipe.write.get();
  int err_fd = stderr_pipe.write.get();
  if (spec.interactive) {
    stdout_pipe = Pipe{};
    stderr_pipe = Pipe{};
    out_fd = STDOUT_FILENO;
    err_fd = STDERR_FILENO;
  }

  sandbox::ChildPlan plan{spec, hooks, rootfs, etc, std::move(rlimits),
                          sandbox::exec_candidates(spec.argv.front(), spec.env), {}, {}, ::getpid(),
                          sync.read.get(), control.write.get(), out_fd, err_fd};
  for (const std::string& a : spec.argv) plan.argv.push_back(const_cast<char*>(a.c_str()));
  plan.argv.push_back(nullptr);
  for (const std::string& e : spec.env) plan.envp.push_back(const_cast<char*>(e.c_str()));
  plan.envp.push_back(nullptr);

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = spec.timeout ? start + *spec.timeout : Clock::time_point::max();
  pid_t middle = ::fork();
  if (middle < 0) return base::make_error(std::string("fork: ") + std::strerror(errno));
  if (middle == 0) sandbox::run_middle(plan);
  sync.read.reset();
  control.write.reset();
  stdout_pipe.write.reset();
  stderr_pipe.write.reset();

  auto reap_middle = [middle] {
    while (::waitpid(middle, nullptr, 0) < 0 && errno == EINTR) {
    }
  };
  if (hooks.cgroup) {
    auto added = hooks.cgroup->add_process(middle);
    if (!added.ok()) {
      ::kill(middle, SIGKILL);  // still waiting for "go": nothing else exists yet
      reap_middle();
      return base::with_context(std::move(added), "cannot put the step into its cgroup").error();
    }
  }
  if (::write(sync.write.get(), "g", 1) != 1) {
    ::kill(middle, SIGKILL);
    reap_middle();
    return base::make_error(std::string("cannot start the step: ") + std::strerror(errno));
  }

  Reports reports;
  sandbox::RecordReader reader;
  bool canceled = false;
  bool killed = false;
  while (stdout_pipe.read.valid() || stderr_pipe.read.valid() || control.read.valid()) {
    std::array<pollfd, 3> fds{{{stdout_pipe.read.get(), POLLIN, 0},
                               {stderr_pipe.read.get(), POLLIN, 0},
                               {control.read.get(), POLLIN, 0}}};
    int ready = ::poll(fds.data(), fds.size(), k_poll_ms);
    if (ready < 0 && errno != EINTR) {
      // Cannot happen with valid descriptors; stop the step rather than spin.
      ::kill(reports.step_pid > 0 && !reports.status ? reports.step_pid : middle, SIGKILL);
      break;
    }
    if (ready > 0) {
      if (fds[0].revents) drain(stdout_pipe.read, [&](std::string_view d) { out.write(1, d); });
      if (fds[1].revents) drain(stderr_pipe.read, [&](std::string_view d) { out.write(2, d); });
      if (fds[2].revents) {
        drain(control.read, [&](std::string_view d) { reader.feed(d); });
        for (const sandbox::Record& rec : reader.take()) apply(reports, rec);
        if (reports.status) sync.write.reset();  // lets the middle reap the step
      }
    }
    if (!canceled && (cancel.requested() || Clock::now() >= deadline)) canceled = true;
    // SIGKILL to PID 1 ends the whole PID namespace. The pid is safe to use
    // until the status arrived: the middle keeps it a zombie until then.
    if (canceled && !killed && reports.step_pid > 0 && !reports.status) {
      ::kill(reports.step_pid, SIGKILL);
      killed = true;
    }
  }
  sync.write.reset();
  reap_middle();
  const auto wall = Clock::now() - start;

  std::optional<base::Error> cgroup_error;
  CgroupOutcome outcome;
  if (hooks.cgroup) {
    if (auto k = hooks.cgroup->kill_all(); !k.ok()) cgroup_error = k.error();
    if (auto o = hooks.cgroup->outcome(); o.ok()) outcome = *o;
    else if (!cgroup_error) cgroup_error = o.error();
  }
  // The step's mount namespace died with its last process; what it had to
  // create in the root can go now.
  sandbox::remove_stubs(rootfs, reports.created);

  if (reports.error) {
    const auto& [phase, message] = *reports.error;
    if (phase == "exec") return base::make_error(message);
    return base::make_error("cannot set up the sandbox (" + phase + "): " + message);
  }
  if ((!reports.status || reports.status->size() < 2) && outcome.oom_killed) {
    // The memory limit took a process of the sandbox itself before the
    // step's end could be reported: the step ran out of memory.
    reports.status = "s" + std::to_string(SIGKILL);
  }
  if (!reports.status || reports.status->size() < 2)
    return base::make_error("the sandbox ended without reporting how the step ended");
  if (cgroup_error) return base::with_context(base::Result<void>(*cgroup_error), "step cgroup").error();

  ProcessResult result;
  int value = std::atoi(reports.status->c_str() + 1);
  result.signaled = reports.status->front() == 's';
  (result.signaled ? result.signal : result.exit_code) = value;
  result.canceled = canceled && killed;
  result.oom_killed = outcome.oom_killed;
  result.pids_limit_hit = outcome.pids_limit_hit;
  result.wall = std::chrono::duration_cast<std::chrono::nanoseconds>(wall);
  return result;
}

}  // namespace exec
