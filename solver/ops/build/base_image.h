#pragma once
// FROM names against the local image store: a normalized reference is looked
// up under the names users tag with, then read for the build's platform
// (solver/ops/image/base_image.h). Images come into the store with
// `kiln load` (and, later, pulls).
#include <string>
#include <vector>

#include "base/result.h"
#include "content/content_store.h"
#include "content/image_store.h"
#include "solver/ir/platform.h"
#include "solver/ops/image/base_image.h"

namespace solver::ops::build {

// Whether an image's config can serve `platform` (platform_rank's rules); a
// config that names no architecture, or an empty `platform`, always can.
bool config_serves(const oci::ImageConfig& config, const ir::Platform& platform);

// "linux/arm64/v8": the platform an image's config names.
std::string config_platform(const oci::ImageConfig& config);

// Whether a single-platform image must be of the platform asked for. A
// build needs it to be (else the image would be labelled with a platform
// its files are not for); `kiln run`, like docker run, only warns.
enum class PlatformMatch { required, any };

// `ref` is normalized ("docker.io/library/alpine:latest"). Errors name the
// image and say how to get it.
base::Result<solver::image::BaseImage> resolve_local_image(const content::ContentStore& blobs,
                                                           content::ImageStore& images,
                                                           const std::string& ref,
                                                           const ir::Platform& platform,
                                                           PlatformMatch match = PlatformMatch::required);

// The base image an image source op was solved to: its result payload is
// the manifest (or index) digest the op's cache key named.
base::Result<solver::image::BaseImage> solved_base_image(const content::ContentStore& blobs,
                                                         const std::string& result_payload,
                                                         const ir::Platform& platform);

// The names under which a normalized reference may be stored locally, most
// specific first: "docker.io/library/alpine:latest", "library/alpine:latest",
// "alpine:latest", then the same without ":latest".
std::vector<std::string> local_names(const std::string& ref);

}  // namespace solver::ops::build
