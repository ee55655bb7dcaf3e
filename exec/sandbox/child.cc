#include "exec/sandbox/child.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <exception>
#include <functional>

#include "exec/sandbox/in_root.h"
#include "exec/sandbox/root_setup.h"

namespace exec::sandbox {
namespace {

[[noreturn]] void fail(ChildReport* report, std::string_view phase, std::string_view message) {
  report->error.emplace(std::string(phase), std::string(message));
  ::_exit(127);
}

void check(ChildReport* report, std::string_view phase, const base::Result<void>& r) {
  if (!r.ok()) fail(report, phase, r.error().message);
}

// A caller's hook; an exception must not unwind out of the child's stack.
void run_hook(ChildReport* report, std::string_view phase, const std::function<base::Result<void>()>& hook) {
  if (!hook) return;
  try {
    check(report, phase, hook());
  } catch (const std::exception& e) {
    fail(report, phase, std::string("exception: ") + e.what());
  } catch (...) {
    fail(report, phase, "unknown exception");
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

// Default dispositions, then an empty mask: kiln's handlers and blocked
// signals are no business of the step. The dispositions go first: until they
// are reset, a handler of kiln's would run on kiln's memory.
void reset_signals() {
  struct sigaction sa {};
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &sa, nullptr);  // fails for KILL/STOP: fine
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
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

// Raw system calls: glibc's wrappers apply a credential change to every
// thread of the process they believe they are in, and this child shares
// kiln's memory, so they would go after kiln's threads.
base::Result<void> switch_user(const ProcessSpec& spec) {
  std::vector<gid_t> groups(spec.additional_gids.begin(), spec.additional_gids.end());
  TRY(sys_check(static_cast<int>(::syscall(SYS_setgroups, groups.size(), groups.data())), "setgroups"));
  TRY(sys_check(static_cast<int>(::syscall(SYS_setresgid, spec.gid, spec.gid, spec.gid)),
                "setgid " + std::to_string(spec.gid)));
  return sys_check(static_cast<int>(::syscall(SYS_setresuid, spec.uid, spec.uid, spec.uid)),
                   "setuid " + std::to_string(spec.uid));
}

[[noreturn]] void exec_command(const ChildPlan& p) {
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
  fail(p.report, "exec", "exec \"" + argv0 + "\": " + why);
}

// Until PR_SET_PDEATHSIG is set, kiln could die unnoticed; after it, its
// death kills this process. The pidfd tells which happened first.
bool kiln_is_gone(int kiln_pidfd) {
  pollfd pfd{kiln_pidfd, POLLIN, 0};
  return ::poll(&pfd, 1, 0) > 0;
}

}  // namespace

void run_step_child(const ChildPlan& p) {
  ChildReport* const r = p.report;
  const ProcessSpec& spec = p.spec;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (kiln_is_gone(p.kiln_pidfd)) ::_exit(1);
  // Moved above 2 so that setting up the step's stdio cannot overwrite them.
  const int out = above_stdio(p.out_fd);
  const int err = above_stdio(p.err_fd);
  close_all_except({0, 1, 2, out, err});
  ::setsid();
  reset_signals();

  // Into the step's cgroup before anything else, so every process the step
  // starts is born there; then a cgroup namespace rooted at it.
  if (p.hooks.cgroup) {
    auto added = p.hooks.cgroup->add_process(0);
    if (!added.ok()) fail(r, "cgroup", added.error().message);
  }
  if (::unshare(CLONE_NEWCGROUP) != 0) fail(r, "namespaces", std::string("unshare: ") + std::strerror(errno));

  ::umask(0);  // modes of created mount points and devices are meant as written
  auto root = build_root(spec, p.rootfs, p.etc, [r](const std::vector<std::string>& created) {
    r->created.insert(r->created.end(), created.begin(), created.end());
  });
  if (!root.ok()) fail(r, "mounts", root.error().message);
  check(r, "pivot_root", enter_root(root->get()));
  root->reset();
  if (!spec.privileged) check(r, "masked paths", protect_kernel_files());
  check(r, "hostname", sys_check(::sethostname(spec.hostname.data(), spec.hostname.size()), "sethostname"));
  if (spec.network == Network::none) check(r, "network", loopback_up());
  check(r, "stdio", setup_stdio(out, err, spec.interactive));
  check(r, "cwd", enter_cwd(spec.cwd));
  for (const Rlimit& limit : p.rlimits)
    check(r, "rlimits", sys_check(::setrlimit(limit.resource, &limit.value), "setrlimit"));
  run_hook(r, "before_user_switch", p.hooks.before_user_switch);
  check(r, "user", switch_user(spec));
  run_hook(r, "after_user_switch", p.hooks.after_user_switch);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a credential change cleared it
  ::umask(022);
  check(r, "close fds", sys_check(::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), "close_range"));
  if (!spec.privileged)
    check(r, "no_new_privs", sys_check(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS"));
  run_hook(r, "before_exec", p.hooks.before_exec);
  exec_command(p);
}

}  // namespace exec::sandbox
