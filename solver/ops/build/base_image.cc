#include "solver/ops/build/base_image.h"

#include "oci/manifest.h"

namespace solver::ops::build {

std::vector<std::string> local_names(const std::string& ref) {
  std::vector<std::string> names{ref};
  const std::string hub = "docker.io/";
  if (ref.rfind(hub, 0) == 0) {
    std::string rest = ref.substr(hub.size());
    names.push_back(rest);
    const std::string library = "library/";
    if (rest.rfind(library, 0) == 0) names.push_back(rest.substr(library.size()));
  }
  const std::string latest = ":latest";
  size_t n = names.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string& name = names[i];
    if (name.size() > latest.size() &&
        name.compare(name.size() - latest.size(), latest.size(), latest) == 0)
      names.push_back(name.substr(0, name.size() - latest.size()));
  }
  return names;
}

bool config_serves(const oci::ImageConfig& c, const ir::Platform& platform) {
  if (platform.empty() || c.architecture.empty()) return true;
  return solver::image::platform_rank(oci::Platform{c.architecture, c.os, c.os_version, c.os_features, c.variant},
                                      platform)
      .has_value();
}

std::string config_platform(const oci::ImageConfig& c) {
  return c.os + "/" + c.architecture + (c.variant.empty() ? "" : "/" + c.variant);
}

base::Result<solver::image::BaseImage> resolve_local_image(const content::ContentStore& blobs,
                                                           content::ImageStore& images,
                                                           const std::string& ref,
                                                           const ir::Platform& platform,
                                                           PlatformMatch match) {
  for (const std::string& name : local_names(ref)) {
    TRY_ASSIGN(auto record, images.get(name));
    if (!record) continue;
    TRY_ASSIGN(auto image, base::with_context(solver::image::read_base_image(blobs, record->target, platform),
                                              "image " + ref));
    // A single-platform image serves only its own platform (an index was
    // matched above); a config that names none is taken as it is.
    if (match == PlatformMatch::required && !config_serves(image.config, platform)) {
      std::string have = config_platform(image.config);
      base::Error e = base::make_error("image " + ref + " in the local store is " + have + ", not " +
                                       platform.str());
      e.hint = "pull or load the image for " + platform.str() + ", or build with --platform " + have;
      return e;
    }
    return image;
  }
  return base::make_error("image " + ref +
                          " is not in the local store (`kiln pull` it, or bring it in with `kiln load`)");
}

base::Result<solver::image::BaseImage> solved_base_image(const content::ContentStore& blobs,
                                                         const std::string& result_payload,
                                                         const ir::Platform& platform) {
  TRY_ASSIGN(base::Digest digest, base::Digest::parse(result_payload));
  TRY_ASSIGN(std::string bytes, blobs.read(digest));
  TRY_ASSIGN(std::string media_type, oci::detect_media_type(bytes));
  return solver::image::read_base_image(blobs, oci::describe(media_type, bytes), platform);
}

}  // namespace solver::ops::build
