#pragma once
// Image history entries for the steps of a Dockerfile build, worded as
// BuildKit's dockerfile:1 frontend words them, so that `docker history` and
// tools that compare histories see the same texts:
//   ENV A=b B=c            LABEL a=b             ARG V=1
//   WORKDIR /app           USER app              STOPSIGNAL SIGTERM
//   EXPOSE [80/tcp]        VOLUME [/data]        SHELL [/bin/bash -c]
//   CMD ["/bin/sh" "-c" "make"]                  ENTRYPOINT ["/app"]
//   HEALTHCHECK {Test:[CMD-SHELL true] Interval:30s Timeout:0s ...}
//   RUN |1 V=1 /bin/sh -c make # buildkit        COPY . /app # buildkit
// (the list forms are Go's %v and %q of a string slice). Steps that make a
// filesystem change end in " # buildkit"; config edits do not. ONBUILD adds
// no entry. Every entry carries the comment "buildkit.dockerfile.v0".
//
// Pure functions of the op, its display name and the ARGs declared before it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/utf8.h"
#include "oci/image_config.h"
#include "solver/ir/ir.h"

namespace solver::image {

inline constexpr std::string_view k_history_comment = "buildkit.dockerfile.v0";

// Go's fmt verbs as BuildKit's history texts use them.
using base::go_quote;                                          // %q of a string
std::string go_quote_list(const std::vector<std::string>& v);  // %q of a []string
std::string go_list(const std::vector<std::string>& v);        // %v of a []string
std::string go_duration(int64_t nanos);                        // time.Duration.String()

// The instruction of a display name: "[build 2/5] ONBUILD COPY a b" → "COPY a b".
std::string instruction_text(std::string_view display_name);

// RUN's history text after "RUN ": the build args in scope as "|N K=v ..."
// (each valued from the step's environment when set there, else from the
// ARG), then the argv joined with spaces.
std::string run_command_string(const std::vector<std::string>& argv,
                               const std::vector<ir::KeyValue>& build_args, const ir::EnvMap& env);

// The created_by text of a step, or nullopt for ops that add no history
// (sources, ONBUILD). `build_args` are the ARGs declared earlier in the
// stage chain, in order (only RUN uses them).
std::optional<std::string> created_by(const ir::Op& op, const ir::OpInfo& info,
                                      const std::vector<ir::KeyValue>& build_args = {});

// A history entry for a step: created_by as above, the BuildKit comment,
// `created` (RFC 3339) and empty_layer. nullopt when the op adds no history.
std::optional<oci::History> make_history(const ir::Op& op, const ir::OpInfo& info, bool empty_layer,
                                         std::optional<std::string> created,
                                         const std::vector<ir::KeyValue>& build_args = {});

}  // namespace solver::image
