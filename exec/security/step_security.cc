#include "exec/security/step_security.h"

#include "exec/security/capabilities.h"

namespace exec::security {

base::Result<void> before_user_switch(const StepSecurity& s) {
  if (!s.privileged) {
    if (s.filter == nullptr) return base::make_error("no seccomp filter for a sandboxed step");
    TRY(s.filter->load());
  }
  return drop_bounding_set(s.privileged);
}

base::Result<void> after_user_switch(const StepSecurity& s) {
  return apply_capabilities(s.privileged, s.uid);
}

}  // namespace exec::security
