#include "exec/sandbox/shared_clone.h"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define KILN_ASAN 1
#endif

namespace exec::sandbox {
namespace {

// Generous for the sandbox's set-up under the sanitizers, whose frames are
// several times larger; only the pages touched are ever backed.
constexpr size_t k_stack_size = 2 << 20;

// A stack with a guard page below it, so an overflow faults instead of
// writing into whatever was mapped there.
class ChildStack {
 public:
  ChildStack() {
    void* p = ::mmap(nullptr, k_stack_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return;
    m_base = static_cast<char*>(p);
    (void)::mprotect(m_base, static_cast<size_t>(::sysconf(_SC_PAGESIZE)), PROT_NONE);
  }
  ~ChildStack() {
    if (m_base == nullptr) return;
#ifdef KILN_ASAN
    // The child's frames left their redzones poisoned; whatever is mapped
    // here next must not inherit them.
    ASAN_UNPOISON_MEMORY_REGION(m_base, k_stack_size);
#endif
    ::munmap(m_base, k_stack_size);
  }
  ChildStack(const ChildStack&) = delete;
  ChildStack& operator=(const ChildStack&) = delete;

  bool valid() const { return m_base != nullptr; }
  char* bottom() const { return m_base; }
  char* top() const { return m_base + k_stack_size; }

 private:
  char* m_base = nullptr;
};

struct Trampoline {
  const std::function<void()>* body;
  char* stack_bottom;
  // The sanitizer's view of the calling thread, which the child borrows and
  // the parent takes back (see clone_sharing_memory).
  void* fake_stack = nullptr;
  const void* parent_stack_bottom = nullptr;
  size_t parent_stack_size = 0;
};

int child_main(void* arg) {
  auto* t = static_cast<Trampoline*>(arg);
#ifdef KILN_ASAN
  // To the sanitizer the child is the suspended thread switching to another
  // stack, as a fiber library would; without this it would take this stack
  // for a corrupted one of that thread.
  __sanitizer_start_switch_fiber(&t->fake_stack, t->stack_bottom, k_stack_size);
  __sanitizer_finish_switch_fiber(nullptr, &t->parent_stack_bottom, &t->parent_stack_size);
#endif
  (*t->body)();
  ::_exit(127);
}

}  // namespace

base::Result<ClonedChild> clone_sharing_memory(int namespace_flags, const std::function<void()>& body) {
  ChildStack stack;
  if (!stack.valid()) return base::make_error(std::string("cannot map a stack for the step: ") + std::strerror(errno));
  Trampoline trampoline{&body, stack.bottom()};

  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  int pidfd = -1;
  pid_t pid = ::clone(child_main, stack.top(), CLONE_VM | CLONE_VFORK | CLONE_PIDFD | namespace_flags | SIGCHLD,
                      &trampoline, &pidfd);
  int err = errno;
#ifdef KILN_ASAN
  // Unless the child died before it switched (killed from outside at once).
  if (pid > 0 && trampoline.parent_stack_size != 0) {
    // Back from the child's stack to this thread's own.
    __sanitizer_start_switch_fiber(nullptr, trampoline.parent_stack_bottom, trampoline.parent_stack_size);
    __sanitizer_finish_switch_fiber(trampoline.fake_stack, nullptr, nullptr);
  }
#endif
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) return base::make_error(std::string("clone: ") + std::strerror(err));
  return ClonedChild{pid, base::UniqueFd(pidfd)};
}

}  // namespace exec::sandbox
