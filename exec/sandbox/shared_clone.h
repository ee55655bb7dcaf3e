#pragma once
// clone_sharing_memory(): starts a child process the way posix_spawn does:
// it shares kiln's memory (CLONE_VM) on a stack of its own, and the calling
// thread sleeps until the child has called execve() or exited (CLONE_VFORK).
//
// Why not fork(): kiln is multithreaded, and a forked child gets a copy of
// every lock as it was at that instant. If another thread held one of the
// allocator's locks, the child waits on it forever the moment it allocates.
// glibc's malloc guards against that inside fork(), but other allocators
// (libasan's, in the sanitizer build) do not. A child that shares the memory
// sees the lock released when its holder finishes, like any other thread,
// and it can build strings and call the sandbox's hooks freely.
//
// The child runs on the calling thread's thread-local state (errno, malloc's
// thread cache, the sanitizer's view of the thread), which is safe only
// because that thread is suspended until the child execs or exits. Signals
// are blocked around the clone (all but the two glibc keeps for itself, which
// it only ever sends to kiln's own threads), so no signal handler of kiln's
// can run in the child: the body must reset the dispositions and unblock.
#include <sys/types.h>

#include <functional>

#include "base/result.h"
#include "base/unique_fd.h"

namespace exec::sandbox {

struct ClonedChild {
  pid_t pid = 0;
  base::UniqueFd pidfd;  // readable once the child has exited; reap with waitpid(pid)
};

// Runs `body` in a new process created with clone(CLONE_VM | CLONE_VFORK |
// `namespace_flags` | CLONE_PIDFD) and returns once the child has exec'd or
// exited. `body` must end in execve() or _exit(); should it return, the
// child exits with 127. The child is the caller's to reap.
base::Result<ClonedChild> clone_sharing_memory(int namespace_flags, const std::function<void()>& body);

}  // namespace exec::sandbox
