#pragma once
// RUN --mount / --device value parsing, shared by the instruction stage
// (literal pass, no expansion) and the lowering (final pass, with the ARG/ENV
// expander), mirroring BuildKit's two reads of the same flag value.

#include <functional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "frontend/instructions/instructions.h"

namespace frontend::instructions {

// Expands one option value (ARG/ENV substitution). Returns the error of a bad
// expansion ("${x:?unset}").
using ValueExpander = std::function<base::Result<std::string>(const std::string&)>;

// Reads a --mount value ("type=cache,target=/root/.cache,sharing=locked").
// With `expand` empty (the instruction stage), values containing `$` are kept
// raw and not validated, and `from=` with a variable is an error. With an
// expander (the lowering), every value except `from` is expanded, then
// validated. Errors have no position; callers attach the instruction's.
base::Result<RunMount> parse_run_mount(std::string_view spec, const ValueExpander& expand = {});

// The mount type as written in --mount ("bind", "cache", ...).
std::string_view mount_type_name(MountType type);

// Reads a --device value ("vendor.com/gpu=all,required").
base::Result<RunDevice> parse_run_device(std::string_view spec);

}  // namespace frontend::instructions
