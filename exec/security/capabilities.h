#pragma once
// The capabilities of a RUN step's process. These functions run in the
// sandbox's child, after fork and before execve; they change only the calling
// thread (the child is single-threaded).
//
// What a RUN step may do (docs draft):
// - By default a RUN step gets Docker's default capability set, minus one:
//   CHOWN, DAC_OVERRIDE, FSETID, FOWNER, NET_RAW, SETGID, SETUID, SETFCAP,
//   SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE.
// - Unlike Docker (and BuildKit), kiln does NOT grant CAP_MKNOD: a RUN step
//   cannot create character or block device nodes (mknod fails with EPERM).
//   Device nodes in an image layer are a way to reach host devices from any
//   container later started from it, and no build needs them. FIFOs, sockets
//   and regular files made with mknod still work, and so do overlayfs
//   whiteouts (a 0:0 character device, which the kernel allows without it).
// - Every other capability (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, ...)
//   is removed from the bounding set, so no setuid or file-capability binary
//   can get it back.
// - root (uid 0) holds the set in its effective and permitted sets. Any other
//   uid holds nothing effective or permitted, as in Docker. Unlike BuildKit,
//   the sandbox sets no_new_privs, so a setuid binary (sudo) cannot raise a
//   non-root step back to root.
// - The inheritable and ambient sets are empty for everyone (Docker stopped
//   setting inheritable capabilities after CVE-2022-24769).
// - RUN --security=insecure (privileged): every capability the kernel knows
//   and kiln holds, in the bounding, effective and permitted sets.
#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace exec::security {

// A set of capabilities: bit n stands for capability number n (CAP_CHOWN = 0).
using CapabilityMask = uint64_t;

constexpr CapabilityMask capability_bit(int cap) { return CapabilityMask{1} << cap; }

// Docker's default capability set without CAP_MKNOD (see above).
CapabilityMask default_capabilities();
// Every capability the running kernel knows (0..cap_last_cap).
CapabilityMask all_capabilities();
// What a step may hold: all capabilities when privileged, else the default set.
CapabilityMask granted_capabilities(bool privileged);

// Before the uid/gid switch: removes every capability outside
// granted_capabilities(privileged) from the bounding set and sets
// PR_SET_KEEPCAPS, so that the permitted set survives a setuid away from 0
// until apply_capabilities() decides. Needs CAP_SETPCAP.
base::Result<void> drop_bounding_set(bool privileged);

// After the uid/gid switch: effective = permitted = the granted set for uid 0
// (as far as the process still holds it: kiln in a container that lacks a
// capability cannot pass it on), nothing for any other uid; inheritable and
// ambient cleared; keepcaps off.
base::Result<void> apply_capabilities(bool privileged, uint32_t uid);

// The capability sets of a process, as /proc/<pid>/status shows them.
struct ProcessCapabilities {
  CapabilityMask inheritable = 0;
  CapabilityMask permitted = 0;
  CapabilityMask effective = 0;
  CapabilityMask bounding = 0;
  CapabilityMask ambient = 0;
};

// Parses the Cap* lines of a /proc/<pid>/status text.
base::Result<ProcessCapabilities> parse_proc_status_capabilities(std::string_view status);
// Reads /proc/self/status (for diagnostics and tests).
base::Result<ProcessCapabilities> current_capabilities();

}  // namespace exec::security
