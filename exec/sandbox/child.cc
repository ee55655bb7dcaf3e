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
#include <optional>

#include "exec/sandbox/in_root.h"
#include "exec/sandbox/root_setup.h"

namespace exec::sandbox {
namespace {

// What failed: the phase of the set-up, and why.
using Failure = std::pair<std::string, std::string>;

std::optional<Failure> failed(std::string_view phase, const base::Result<void>& r) {
  if (r.ok()) return std::nullopt;
  return Failure{std::string(phase), r.error().message};
}

// A caller's hook; an exception must not unwind out of the child's stack.
std::optional<Failure> run_hook(std::string_view phase, const std::function<base::Result<void>()>& hook) {
  if (!hook) return std::nullopt;
  try {
    return failed(phase, hook());
  } catch (const std::exception& e) {
    return Failure{std::string(phase), std::string("exception: ") + e.what()};
  } catch (...) {
    return Failure{std::string(phase), "unknown exception"};
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

// Returns only when no candidate could be exec'd.
Failure exec_command(const ChildPlan& p) {
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
  return Failure{"exec", "exec \"" + argv0 + "\": " + why};
}

// Until PR_SET_PDEATHSIG is set, kiln could die unnoticed; after it, its
// death kills this process. The pidfd tells which happened first.
bool kiln_is_gone(int kiln_pidfd) {
  pollfd pfd{kiln_pidfd, POLLIN, 0};
  return ::poll(&pfd, 1, 0) > 0;
}

// The set-up and the execve; returns only when something failed. Whatever
// it allocates lives in kiln's memory and is freed by the time it returns.
Failure set_up_and_exec(const ChildPlan& p) {
#define KILN_CHILD_CHECK(phase, expr) \
  if (auto f = failed(phase, expr)) return *std::move(f)
#define KILN_CHILD_HOOK(phase, hook) \
  if (auto f = run_hook(phase, hook)) return *std::move(f)
  const ProcessSpec& spec = p.spec;
  // Moved above 2 so that setting up the step's stdio cannot overwrite them.
  const int out = above_stdio(p.out_fd);
  const int err = above_stdio(p.err_fd);
  close_all_except({0, 1, 2, out, err});
  ::setsid();
  reset_signals();

  // Into the step's cgroup before anything else, so every process the step
  // starts is born there; then a cgroup namespace rooted at it.
  if (p.hooks.cgroup) KILN_CHILD_CHECK("cgroup", p.hooks.cgroup->add_process(0));
  KILN_CHILD_CHECK("namespaces", sys_check(::unshare(CLONE_NEWCGROUP), "unshare"));

  ::umask(0);  // modes of created mount points and devices are meant as written
  ChildReport* const r = p.report;
  {
    auto root = build_root(spec, p.rootfs, p.etc, [r](const std::vector<std::string>& created) {
      r->created.insert(r->created.end(), created.begin(), created.end());
    });
    if (!root.ok()) return Failure{"mounts", root.error().message};
    KILN_CHILD_CHECK("pivot_root", enter_root(root->get()));
  }
  if (!spec.privileged) KILN_CHILD_CHECK("masked paths", protect_kernel_files());
  KILN_CHILD_CHECK("hostname", sys_check(::sethostname(spec.hostname.data(), spec.hostname.size()), "sethostname"));
  if (spec.network == Network::none) KILN_CHILD_CHECK("network", loopback_up());
  KILN_CHILD_CHECK("stdio", setup_stdio(out, err, spec.interactive));
  KILN_CHILD_CHECK("cwd", enter_cwd(spec.cwd));
  for (const Rlimit& limit : p.rlimits)
    KILN_CHILD_CHECK("rlimits", sys_check(::setrlimit(limit.resource, &limit.value), "setrlimit"));
  KILN_CHILD_HOOK("before_user_switch", p.hooks.before_user_switch);
  KILN_CHILD_CHECK("user", switch_user(spec));
  KILN_CHILD_HOOK("after_user_switch", p.hooks.after_user_switch);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a credential change cleared it
  ::umask(022);
  KILN_CHILD_CHECK("close fds", sys_check(::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC), "close_range"));
  if (!spec.privileged)
    KILN_CHILD_CHECK("no_new_privs", sys_check(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "PR_SET_NO_NEW_PRIVS"));
  KILN_CHILD_HOOK("before_exec", p.hooks.before_exec);
#undef KILN_CHILD_CHECK
#undef KILN_CHILD_HOOK
  return exec_command(p);
}

}  // namespace

void run_step_child(const ChildPlan& p) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (kiln_is_gone(p.kiln_pidfd)) ::_exit(1);
  // Moved into the parent's report, the failure's strings are the parent's
  // to free: the child leaves nothing allocated behind in kiln's memory. No
  // exception may unwind into clone's frame.
  try {
    p.report->error = set_up_and_exec(p);
  } catch (const std::exception& e) {
    p.report->error.emplace("set-up", std::string("exception: ") + e.what());
  } catch (...) {
    p.report->error.emplace("set-up", "unknown exception");
  }
  ::_exit(127);
}

}  // namespace exec::sandbox
