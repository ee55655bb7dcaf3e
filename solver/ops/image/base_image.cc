#include "solver/ops/image/base_image.h"

#include "oci/media_types.h"

namespace solver::image {
namespace {

constexpr int k_max_index_depth = 4;

std::string normalized_variant(const std::string& arch, const std::string& variant) {
  if (arch == "arm64" && variant.empty()) return "v8";
  if (arch == "arm" && variant.empty()) return "v7";
  if (arch == "amd64" && variant == "v1") return "";
  return variant;
}

// "v7" → 7; 0 when it is not of that shape.
int variant_number(const std::string& variant) {
  if (variant.size() < 2 || variant[0] != 'v') return 0;
  int n = 0;
  for (size_t i = 1; i < variant.size(); ++i) {
    if (variant[i] < '0' || variant[i] > '9') return 0;
    n = n * 10 + (variant[i] - '0');
  }
  return n;
}

std::string describe_platform(const oci::Platform& p) {
  std::string out = p.os + "/" + p.architecture;
  if (!p.variant.empty()) out += "/" + p.variant;
  return out;
}

base::Result<std::string> read_blob(const content::ContentStore& store, const oci::Descriptor& desc,
                                    const char* what) {
  auto bytes = store.read(desc.digest);
  if (!bytes.ok()) return base::with_context(std::move(bytes), std::string("reading ") + what);
  return std::move(*bytes);
}

}  // namespace

std::optional<int> platform_rank(const oci::Platform& candidate, const ir::Platform& wanted) {
  if (candidate.os != wanted.os) return std::nullopt;
  std::string want_variant = normalized_variant(wanted.architecture, wanted.variant);
  std::string have_variant = normalized_variant(candidate.architecture, candidate.variant);
  if (candidate.architecture == wanted.architecture) {
    if (have_variant == want_variant) return 0;
    // An arm/v7 machine also runs arm/v6 and arm/v5 images.
    int want = variant_number(want_variant), have = variant_number(have_variant);
    if (wanted.architecture == "arm" && want > 0 && have > 0 && have < want) return want - have;
    return std::nullopt;
  }
  // arm64 runs 32-bit arm (v8 down to v5), after every arm64 image.
  if (wanted.architecture == "arm64" && candidate.architecture == "arm") {
    int have = variant_number(have_variant);
    if (have > 0 && have <= 8) return 10 + (8 - have);
  }
  return std::nullopt;
}

base::Result<oci::Descriptor> select_manifest(const oci::Index& index, const base::Digest& index_digest,
                                              const ir::Platform& platform) {
  const oci::Descriptor* best = nullptr;
  int best_rank = 0;
  std::string offered;
  for (const oci::Descriptor& entry : index.manifests) {
    // Attestation manifests are listed as unknown/unknown; never pick them.
    if (!entry.platform || entry.platform->os == "unknown") continue;
    if (!offered.empty()) offered += ", ";
    offered += describe_platform(*entry.platform);
    auto rank = platform_rank(*entry.platform, platform);
    if (!rank) continue;
    if (!best || *rank < best_rank) {
      best = &entry;
      best_rank = *rank;
    }
  }
  if (best) return *best;
  base::Error e = base::make_error("image index " + index_digest.str() + " has no manifest for platform " +
                                   platform.str());
  e.hint = offered.empty() ? "the index lists no platforms" : "the index offers " + offered;
  return e;
}

base::Result<BaseImage> read_base_image(const content::ContentStore& store,
                                        const oci::Descriptor& manifest_or_index,
                                        const ir::Platform& platform) {
  oci::Descriptor desc = manifest_or_index;
  for (int depth = 0; oci::is_index(desc.media_type); ++depth) {
    if (depth == k_max_index_depth)
      return base::make_error("image index " + desc.digest.str() + " nests indexes too deeply");
    TRY_ASSIGN(std::string bytes, read_blob(store, desc, "image index"));
    TRY_ASSIGN(oci::Index index, base::with_context(oci::parse_index(bytes), "image index " + desc.digest.str()));
    TRY_ASSIGN(desc, select_manifest(index, desc.digest, platform));
  }
  if (!oci::is_manifest(desc.media_type))
    return base::make_error("image " + desc.digest.str() + " has media type \"" + desc.media_type +
                            "\", not an image manifest or index");

  TRY_ASSIGN(std::string manifest_bytes, read_blob(store, desc, "image manifest"));
  TRY_ASSIGN(oci::Manifest manifest,
             base::with_context(oci::parse_manifest(manifest_bytes), "image manifest " + desc.digest.str()));
  if (!oci::is_config(manifest.config.media_type))
    return base::make_error("image manifest " + desc.digest.str() + " has config media type \"" +
                            manifest.config.media_type + "\", not an image config");

  TRY_ASSIGN(std::string config_bytes, read_blob(store, manifest.config, "image config"));
  TRY_ASSIGN(oci::ImageConfig config, base::with_context(oci::parse_image_config(config_bytes),
                                                         "image config " + manifest.config.digest.str()));
  if (config.rootfs.diff_ids.size() != manifest.layers.size())
    return base::make_error("image manifest " + desc.digest.str() + " lists " +
                            std::to_string(manifest.layers.size()) + " layers but its config has " +
                            std::to_string(config.rootfs.diff_ids.size()) + " diff_ids");

  BaseImage out;
  out.manifest = desc;
  out.config_descriptor = manifest.config;
  out.config = std::move(config);
  out.layers = std::move(manifest.layers);
  return out;
}

base::Result<oci::ImageConfig> read_image_config(const content::ContentStore& store,
                                                 const oci::Descriptor& manifest_or_index,
                                                 const ir::Platform& platform) {
  TRY_ASSIGN(BaseImage base, read_base_image(store, manifest_or_index, platform));
  return std::move(base.config);
}

}  // namespace solver::image
