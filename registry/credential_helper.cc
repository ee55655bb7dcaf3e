#include "registry/credential_helper.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cerrno>
#include <ctime>
#include <cstring>

extern char** environ;

namespace registry {
namespace {

std::string find_program(const std::string& name, const std::string& search_path) {
  size_t start = 0;
  while (start <= search_path.size()) {
    size_t colon = search_path.find(':', start);
    std::string dir = search_path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return {};
}

struct Pipe {
  int fds[2] = {-1, -1};
  ~Pipe() {
    for (int fd : fds)
      if (fd >= 0) ::close(fd);
  }
  void close_end(int i) {
    if (fds[i] >= 0) ::close(fds[i]);
    fds[i] = -1;
  }
};

// Feeds stdin and drains stdout and stderr together, so that a chatty helper
// can never block us (or itself) on a full pipe.
void pump(Pipe& in, Pipe& out, Pipe& err, const std::string& input, HelperOutput& result) {
  size_t written = 0;
  if (input.empty()) in.close_end(1);
  while (out.fds[0] >= 0 || err.fds[0] >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    if (in.fds[1] >= 0) fds[n++] = {in.fds[1], POLLOUT, 0};
    if (out.fds[0] >= 0) fds[n++] = {out.fds[0], POLLIN, 0};
    if (err.fds[0] >= 0) fds[n++] = {err.fds[0], POLLIN, 0};
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in.fds[1]) {
        ssize_t w = ::write(in.fds[1], input.data() + written, input.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written == input.size()) in.close_end(1);
        continue;
      }
      Pipe& p = fds[i].fd == out.fds[0] ? out : err;
      std::string& sink = fds[i].fd == out.fds[0] ? result.out : result.err;
      char buf[4096];
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        sink.append(buf, static_cast<size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        p.close_end(0);
      }
    }
  }
  in.close_end(1);
}

}  // namespace

Result<HelperOutput> SpawnHelperRunner::run(const std::string& helper, const std::string& action,
                                            const std::string& input) const {
  std::string name = "docker-credential-" + helper;
  std::string program = find_program(name, m_search_path);
  if (program.empty())
    return base::make_error("credential helper " + name + " not found in PATH");

  Pipe in, out, err;
  if (::pipe2(in.fds, O_CLOEXEC) != 0 || ::pipe2(out.fds, O_CLOEXEC) != 0 || ::pipe2(err.fds, O_CLOEXEC) != 0)
    return base::make_error("cannot create pipes for " + name + ": " + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fds[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fds[1], 2);
  std::string arg0 = program;
  std::string arg1 = action;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return base::make_error("cannot run " + program + ": " + std::strerror(rc));
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);

  HelperOutput result;
  {
    // A helper that exits without reading stdin must not kill us with SIGPIPE:
    // block it on this thread while writing, then drop a pending one.
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    pump(in, out, err, input, result);
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE) == 1 && sigismember(&old_set, SIGPIPE) == 0) {
      timespec zero{};
      sigtimedwait(&pipe_set, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool is_helper_not_found(const HelperOutput& output) {
  return output.out.find("credentials not found") != std::string::npos ||
         output.err.find("credentials not found") != std::string::npos;
}

}  // namespace registry
