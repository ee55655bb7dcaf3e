#pragma once
// Test helper: runs a body in a forked child (so that capability changes and
// seccomp filters stay out of the test process) and brings back what failed.
// The child must not use gtest assertions; it records failures with
// ChildChecks and they come back as text.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace exec::security::testing {

class ChildChecks {
 public:
  explicit ChildChecks(int fd) : m_fd(fd) {}

  void expect(bool ok, std::string_view what) {
    if (!ok) fail(std::string(what));
  }
  // A syscall that must fail with `want` (rc == -1, errno == want).
  void expect_errno(long rc, int err, int want, std::string_view what) {
    if (rc == -1 && err == want) return;
    fail(std::string(what) + ": want " + errno_name(want) + ", got rc=" + std::to_string(rc) +
         (rc == -1 ? " errno=" + errno_name(err) : std::string{}));
  }
  // A syscall that must succeed (rc != -1).
  void expect_ok(long rc, int err, std::string_view what) {
    if (rc != -1) return;
    fail(std::string(what) + ": failed with " + errno_name(err));
  }
  void expect_ok(const base::Result<void>& r, std::string_view what) {
    if (!r.ok()) fail(std::string(what) + ": " + r.error().render());
  }
  // Informational output that does not count as a failure.
  void note(const std::string& text) { put("note: " + text + "\n"); }
  void fail(const std::string& text) {
    ++m_failures;
    put(text + "\n");
  }
  int failures() const { return m_failures; }

 private:
  static std::string errno_name(int err) {
    const char* name = strerrorname_np(err);
    return name != nullptr ? name : std::to_string(err);
  }
  void put(const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(m_fd, text.data() + done, text.size() - done);
      if (n <= 0) return;
      done += static_cast<size_t>(n);
    }
  }

  int m_fd;
  int m_failures = 0;
};

struct ChildOutcome {
  bool passed = false;
  std::string output;  // failures and notes, one per line
};

// Forks, runs `body` in the child and waits. passed: the child exited 0 with
// no recorded failure.
inline ChildOutcome run_in_child(const std::function<void(ChildChecks&)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {false, "pipe2 failed"};
  pid_t pid = ::fork();
  if (pid < 0) return {false, "fork failed"};
  if (pid == 0) {
    ::close(fds[0]);
    ChildChecks checks(fds[1]);
    body(checks);
    ::_exit(checks.failures() == 0 ? 0 : 1);
  }
  ::close(fds[1]);
  ChildOutcome out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.output.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    out.output += "child killed by signal " + std::to_string(WTERMSIG(status)) + "\n";
  } else {
    out.passed = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return out;
}

// Forks a grandchild from inside a child, runs `body` there and returns its
// wait status (or -1). For checks that need a separate process (fork, exec,
// ptrace).
inline int run_grandchild(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) ::_exit(body());
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

}  // namespace exec::security::testing
