#pragma once
// Applying Dockerfile config instructions (ENV, LABEL, WORKDIR, USER, EXPOSE,
// VOLUME, CMD, ENTRYPOINT, SHELL, STOPSIGNAL, HEALTHCHECK, ONBUILD,
// MAINTAINER, ARG) to an image config, with the results BuildKit's
// dockerfile:1 frontend produces. Pure functions over plain values.
//
// The frontend has already expanded variables, resolved WORKDIR against the
// previous one and normalized EXPOSE specs to "port/proto"; these functions
// still accept the raw shapes ("80", "8000-8002/udp", a relative WORKDIR) so
// that a config edit built by hand means the same thing.

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "oci/image_config.h"
#include "solver/ir/ir.h"
#include "solver/ir/platform.h"

namespace solver::image {

// The PATH BuildKit gives every stage whose image has none (Linux and other
// non-Windows targets; Windows leaves it to the OS, so this returns "").
using ir::default_path_env;

// Sets KEY=value in a Docker "KEY=value" environment list: the first entry
// with that key is replaced where it stands, otherwise the pair is appended.
// Keys compare case-sensitively, as on Linux.
void set_env(std::vector<std::string>& env, std::string_view key, std::string_view value);

// "80" → {"80/tcp"}, "8000-8002/udp" → three ports, "1.2.3.4:80:80" → the
// container port. Errors name the spec, as BuildKit's do.
base::Result<std::vector<std::string>> expand_port_spec(std::string_view spec);

// The config a stage starts from when it is FROM scratch: the platform, the
// root WORKDIR and the default PATH.
oci::ImageConfig scratch_config(const ir::Platform& platform);

// What every stage does to its base config before its own instructions:
// makes sure PATH is set and drops the base's ONBUILD triggers (the frontend
// has already run them as steps of this stage).
void begin_stage(oci::ImageConfig& image);

// Applies one config edit. ARG changes nothing. Errors (a missing value, an
// invalid port) name the instruction.
base::Result<void> apply_config_change(oci::ImageConfig& image, const ir::ConfigChange& change);

}  // namespace solver::image
