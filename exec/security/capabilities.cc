#include "exec/security/capabilities.h"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace exec::security {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::string cap_name(int cap) {
  char* name = cap_to_name(static_cast<cap_value_t>(cap));
  if (name == nullptr) return "capability " + std::to_string(cap);
  std::string out = name;
  cap_free(name);
  return out;
}

// RAII for a libcap state.
class CapState {
 public:
  CapState() : m_caps(cap_init()) {}
  ~CapState() {
    if (m_caps != nullptr) cap_free(m_caps);
  }
  CapState(const CapState&) = delete;
  CapState& operator=(const CapState&) = delete;
  cap_t get() const { return m_caps; }

 private:
  cap_t m_caps;
};

int last_capability() {
  // cap_max_bits() asks the kernel (cap_last_cap) and falls back to the
  // number libcap was built with.
  int bits = static_cast<int>(cap_max_bits());
  if (bits <= 0 || bits > 64) bits = CAP_LAST_CAP + 1;
  return bits - 1;
}

// The calling thread's permitted set: the most it can hold from now on.
base::Result<CapabilityMask> permitted_now() {
  cap_t now = cap_get_proc();
  if (now == nullptr) {
    return base::make_error("cannot read the process capabilities: " + errno_text(errno));
  }
  CapabilityMask mask = 0;
  const int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    cap_flag_value_t value = CAP_CLEAR;
    if (cap_get_flag(now, static_cast<cap_value_t>(cap), CAP_PERMITTED, &value) == 0 &&
        value == CAP_SET) {
      mask |= capability_bit(cap);
    }
  }
  cap_free(now);
  return mask;
}

}  // namespace

CapabilityMask default_capabilities() {
  // Docker's default set (moby oci/caps/defaults.go) without CAP_MKNOD.
  constexpr int k_caps[] = {CAP_CHOWN,      CAP_DAC_OVERRIDE,     CAP_FSETID,
                            CAP_FOWNER,     CAP_NET_RAW,          CAP_SETGID,
                            CAP_SETUID,     CAP_SETFCAP,          CAP_SETPCAP,
                            CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL,
                            CAP_AUDIT_WRITE};
  CapabilityMask mask = 0;
  for (int cap : k_caps) mask |= capability_bit(cap);
  return mask;
}

CapabilityMask all_capabilities() {
  int last = last_capability();
  return last >= 63 ? ~CapabilityMask{0} : capability_bit(last + 1) - 1;
}

CapabilityMask granted_capabilities(bool privileged) {
  return privileged ? all_capabilities() : default_capabilities();
}

base::Result<void> drop_bounding_set(bool privileged) {
  const CapabilityMask keep = granted_capabilities(privileged);
  const int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    if ((keep & capability_bit(cap)) != 0) continue;
    if (cap_drop_bound(static_cast<cap_value_t>(cap)) != 0) {
      int err = errno;
      // EINVAL: the kernel does not know this capability; nothing to drop.
      if (err == EINVAL) continue;
      return base::make_error("cannot drop " + cap_name(cap) + " from the bounding set: " +
                              errno_text(err));
    }
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
    return base::make_error("cannot set keepcaps: " + errno_text(errno));
  }
  return {};
}

base::Result<void> apply_capabilities(bool privileged, uint32_t uid) {
  // Docker gives a non-root user no effective or permitted capabilities; the
  // bounding set still lets a setuid-root binary regain the granted set.
  // When kiln itself runs with fewer capabilities (inside a container), the
  // step gets what is left: raising one we lack would fail with EPERM.
  TRY_ASSIGN(const CapabilityMask available, permitted_now());
  const CapabilityMask set = uid == 0 ? granted_capabilities(privileged) & available : 0;
  CapState caps;
  if (caps.get() == nullptr) return base::make_error("cannot allocate a capability state");
  const int last = last_capability();
  for (int cap = 0; cap <= last; ++cap) {
    if ((set & capability_bit(cap)) == 0) continue;
    cap_value_t value = static_cast<cap_value_t>(cap);
    if (cap_set_flag(caps.get(), CAP_EFFECTIVE, 1, &value, CAP_SET) != 0 ||
        cap_set_flag(caps.get(), CAP_PERMITTED, 1, &value, CAP_SET) != 0) {
      return base::make_error("cannot add " + cap_name(cap) + " to the capability state");
    }
  }
  // Inheritable stays empty (cap_init clears every flag).
  if (cap_set_proc(caps.get()) != 0) {
    return base::make_error("cannot set the process capabilities: " + errno_text(errno));
  }
  // Lowering permitted/inheritable already clears ambient capabilities; say
  // so explicitly in case a parent left some. EINVAL: no ambient support
  // (Linux < 4.3), so there is nothing to clear.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return base::make_error("cannot clear the ambient capabilities: " + errno_text(errno));
  }
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) {
    return base::make_error("cannot clear keepcaps: " + errno_text(errno));
  }
  return {};
}

base::Result<ProcessCapabilities> parse_proc_status_capabilities(std::string_view status) {
  ProcessCapabilities out;
  int seen = 0;
  struct Field {
    std::string_view key;
    CapabilityMask* dest;
  };
  const Field fields[] = {{"CapInh:", &out.inheritable}, {"CapPrm:", &out.permitted},
                          {"CapEff:", &out.effective},   {"CapBnd:", &out.bounding},
                          {"CapAmb:", &out.ambient}};
  while (!status.empty()) {
    size_t eol = status.find('\n');
    std::string_view line = status.substr(0, eol);
    status = eol == std::string_view::npos ? std::string_view{} : status.substr(eol + 1);
    for (const Field& f : fields) {
      if (!line.starts_with(f.key)) continue;
      std::string_view hex = line.substr(f.key.size());
      while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
      auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), *f.dest, 16);
      if (ec != std::errc{} || end != hex.data() + hex.size()) {
        return base::make_error("bad capability line in process status: \"" +
                                std::string(line) + "\"");
      }
      ++seen;
    }
  }
  // CapAmb is missing before Linux 4.3; the other four are always there.
  if (seen < 4) return base::make_error("process status has no capability lines");
  return out;
}

base::Result<ProcessCapabilities> current_capabilities() {
  std::ifstream in("/proc/self/status");
  if (!in) return base::make_error("cannot open /proc/self/status: " + errno_text(errno));
  std::stringstream text;
  text << in.rdbuf();
  return parse_proc_status_capabilities(text.str());
}

}  // namespace exec::security
