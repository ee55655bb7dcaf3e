#include "exec/sandbox/child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <exception>
#include <functional>

#include "exec/sandbox/channel.h"
#include "exec/sandbox/in_root.h"
#include "exec/sandbox/root_setup.h"

namespace exec::sandbox {
namespace {

// The descriptors a child works with, moved above 2 so that setting up the
// step's stdio can never overwrite one of them.
struct Fds {
  int sync, control, out, err;
};

[[noreturn]] void fail(int control, std::string_view phase, std::string_view message) {
  std::string payload(phase);
  payload.push_back('\0');
  payload.append(message);
  write_record(control, RecordType::error, payload);
  ::_exit(127);
}

void check(int control, std::string_view phase, const base::Result<void>& r) {
  if (!r.ok()) fail(control, phase, r.error().message);
}

// A caller's hook; an exception must not unwind through the forked child.
void run_hook(int control, std::string_view phase, const std::function<base::Result<void>()>& hook) {
  if (!hook) return;
  try {
    check(control, phase, hook());
  } catch (const std::exception& e) {
    fail(control, phase, std::string("exception: ") + e.what());
  } catch (...) {
    fail(control, phase, "unknown exception");
  }
}

base::Result<void> sys_check(int rc, std::string_view what) {
  if (rc != 0) return base::make_error(std::string(what) + ": " + std::strerror(errno));
  return {};
}

int above_stdio(int fd) {
  if (fd > 2) return fd;
  return ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

// Closes every descriptor but `keep` (kiln's files, sockets and other steps'
// pipes must not live on in the sandbox).
void close_all_except(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  unsigned next = 0;
  for (int fd : keep) {
    auto u = static_cast<unsigned>(fd);
    if (u > next) ::close_range(next, u - 1, 0);
    next = u + 1;
  }
  ::close_range(next, ~0U, 0);
}

// Default dispositions and an empty mask: kiln's handlers and blocked
// signals are no business of the step.
void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &sa, nullptr);  // fails for KILL/STOP: fine
}

base::Result<void> loopback_up() {
  base::UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return base::make_error(std::string("socket: ") + std::strerror(errno));
  ifreq ifr{};
  std::strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
  TRY(sys_check(::ioctl(s.get(), SIOCGIFFLAGS, &ifr), "cannot read the flags of lo"));
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
  return sys_check(::ioctl(s.get(), SIOCSIFFLAGS, &ifr), "cannot bring lo up");
}

// Standard input is /dev/null unless the step is interactive (a debug
// shell), which keeps kiln's own.
base::Result<void> setup_stdio(int out, int err, bool interactive) {
  base::UniqueFd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (!null.valid()) return base::make_error(std::string("cannot open /dev/null: ") + std::strerror(errno));
  if ((!interactive && ::dup2(null.get(), 0) < 0) || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0)
    return base::make_error(std::string("dup2: ") + std::strerror(errno));
  return {};
}

base::Result<void> enter_cwd(const std::string& cwd) {
  base::UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return base::make_error(std::string("cannot open /: ") + std::strerror(errno));
  TRY_ASSIGN(MadeNode dir, make_in_root(root.get(), cwd, NodeKind::directory, 0755));
  TRY(sys_check(::fchdir(dir.fd.get()), "cannot enter " + cwd));
  // getcwd() fails with ENOENT when the directory is not reachable from "/":
  // the proof that the step starts inside its root.
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
    return base::make_error("working directory " + cwd + " is outside the root");
  return {};
}

base::Result<void> switch_user(const ProcessSpec& spec) {
  std::vector<gid_t> groups(spec.additional_gids.begin(), spec.additional_gids.end());
  TRY(sys_check(::setgroups(groups.size(), groups.data()), "setgroups"));
  TRY(sys_check(::setgid(spec.gid), "setgid " + std::to_string(spec.gid)));
  return sys_check(::setuid(spec.uid), "setuid " + std::to_string(spec.uid));
}

[[noreturn]] void exec_command(const ChildPlan& p, int control) {
  bool denied = false;
  int other = 0;
  for (const std::string& candidate : p.exec_candidates) {
    ::execve(candidate.c_str(), p.argv.data(), p.envp.data());
    int err = errno;
    if (err == EACCES) denied = true;
    else if (err != ENOENT && err != ENOTDIR && err != ELOOP && err != ENAMETOOLONG) {
      other = err;
      break;
    }
  }
  const std::string& argv0 = p.spec.argv.front();
  std::string why;
  if (other) why = std::strerror(other);
  else if (denied) why = "permission denied";
  else if (argv0.find('/') != std::string::npos) why = "no such file or directory";
  else why = "executable file not found in $PATH";
  fail(control, "exec", "exec \"" + argv0 + "\": " + why);
}

// The OOM killer picks the biggest process of the step's cgroup. The middle
// process is a fork of kiln and may well be bigger than the step; it must
// never be chosen, or the step's end could not be reported. The step gets
// kiln's own setting back.
void set_oom_score_adj(const std::string& value) {
  int fd = ::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)!::write(fd, value.data(), value.size());
  ::close(fd);
}

std::string oom_score_adj() {
  char buf[16] = {};
  int fd = ::open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "0";
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "0";
}

[[noreturn]] void run_init(const ChildPlan& p, const Fds& fds, const std::string& kiln_oom_score_adj) {
  set_oom_score_adj(kiln_oom_score_adj);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  ::close(fds.sync);
  const int c = fds.control;
  const ProcessSpec& spec = p.spec;
  ::umask(0);  // modes of created mount points and devices are meant as written

  auto root = build_root(spec, p.rootfs, p.etc, [c](const std::vector<std::string>& created) {
    for (const std::string& path : created) write_record(c, RecordType::created, path);
  });
  if (!root.ok()) fail(c, "mounts", root.error().message);
  check(c, "pivot_root", enter_root(root->get()));
  root->reset();
  if (!spec.privileged) check(c, "masked paths", protect_kernel_files());
  check(c, "hostname", sys_check(::sethostname(spec.hostname.data(), spec.hostname.size()), "sethostname"));
  if (spec.network == Network::none) check(c, "network", loopback_up());
  check(c, "stdio", setup_stdio(fds.out, fds.err, spec.interactive));
  check(c, "cwd", enter_cwd(spec.cwd));
  for (const Rlimit& r : p.rlimits)
    check(c, "rlimits", sys_check(::setrlimit(r.resource, &r.value), "setrlimit"));
  run_hook(c, "before_user_switch", p.hooks.before_user_switch);
  check(c, "user", switch_user(spec));
  run_hook(c, "after_user_switch", p.hooks.after_user_switch);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a credential change cleared it
  ::umask(022);
  // Marked rather than closed: the control pipe must survive until execve
  // succeeds, and the hooks may still open files.
  check(c, "close fds", sys_check(::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), "close_range"));
  if (!spec.privileged)
    check(c, "no_new_privs", sys_check(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS"));
  run_hook(c, "before_exec", p.hooks.before_exec);
  exec_command(p, c);
}

}  // namespace

void run_middle(const ChildPlan& p) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != p.parent_pid) ::_exit(1);  // kiln died before the prctl
  Fds fds{above_stdio(p.sync_fd), above_stdio(p.control_fd), above_stdio(p.out_fd), above_stdio(p.err_fd)};
  close_all_except({0, 1, 2, fds.sync, fds.control, fds.out, fds.err});
  ::setsid();
  reset_signals();

  char go = 0;
  ssize_t n;
  while ((n = ::read(fds.sync, &go, 1)) < 0 && errno == EINTR) {
  }
  if (n != 1) ::_exit(1);  // the parent gave up (cgroup failure)

  const std::string kiln_oom_score_adj = oom_score_adj();
  set_oom_score_adj("-1000");
  int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP;
  if (p.spec.network == Network::none) flags |= CLONE_NEWNET;
  if (::unshare(flags) != 0) fail(fds.control, "namespaces", std::string("unshare: ") + std::strerror(errno));
  pid_t pid = ::fork();
  if (pid < 0) fail(fds.control, "namespaces", std::string("fork: ") + std::strerror(errno));
  if (pid == 0) run_init(p, fds, kiln_oom_score_adj);

  write_record(fds.control, RecordType::pid, std::to_string(pid));
  ::close(fds.out);
  ::close(fds.err);
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  bool exited = info.si_code == CLD_EXITED;
  write_record(fds.control, RecordType::status, (exited ? "x" : "s") + std::to_string(info.si_status));
  ::close(fds.control);
  // Reap only once the parent has read the status (it closes the sync pipe):
  // until then the pid it may still SIGKILL is a zombie of ours, never reused.
  for (;;) {
    n = ::read(fds.sync, &go, 1);
    if (n > 0 || (n < 0 && errno == EINTR)) continue;
    break;
  }
  ::waitpid(pid, nullptr, 0);
  ::_exit(0);
}

}  // namespace exec::sandbox
