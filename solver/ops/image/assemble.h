#pragma once
// Image assembly: the config, history and OCI manifest of a built stage.
//
// The caller hands over the base image (or none, for FROM scratch), the
// stage chain's steps in order with the layer each produced, one timestamp,
// and the --label values; assembly applies the config edits with
// BuildKit's semantics, writes one history entry per step, appends the new
// layers after the base's, and serializes config and manifest canonically.
// The same request always gives the same bytes: nothing here reads a clock,
// and every new timestamp is the request's `created` (the build time, or
// SOURCE_DATE_EPOCH for reproducible builds). Base history keeps its own
// timestamps.
//
// make_image is pure; assemble_image also writes both blobs to the content
// store (which makes them visible, but does not name them: tagging is the
// exporter's business).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/digest.h"
#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"
#include "oci/image_config.h"
#include "oci/media_types.h"
#include "solver/ir/ir.h"
#include "solver/ops/image/base_image.h"

namespace solver::image {

// The layer one step produced (the fields of snapshotter::layer::LayerBlob
// the manifest and config need).
struct LayerRef {
  base::Digest diff_id;  // sha256 of the uncompressed tar
  base::Digest digest;   // sha256 of the blob
  int64_t size = 0;      // of the blob
  std::string media_type = std::string(oci::k_media_oci_layer_gzip);
};

// One step of the stage chain: an Exec, File or ConfigChange op with its
// side-table entry. Config edits never have a layer; a RUN or COPY that
// changed nothing may have none either (its history entry is then marked
// empty_layer).
struct Step {
  ir::Op op;
  ir::OpInfo info;
  std::optional<LayerRef> layer;
};

struct AssembleRequest {
  std::optional<BaseImage> base;  // nullopt: FROM scratch
  // The target platform: the config's os/architecture/variant for scratch,
  // and for any base when `override_platform` (an explicit --platform).
  ir::Platform platform;
  bool override_platform = false;
  std::vector<Step> steps;
  std::string created;  // RFC 3339: config.created and every new history entry
  std::map<std::string, std::string> labels;  // --label; override LABEL
};

struct BuiltImage {
  oci::Descriptor manifest;  // OCI image manifest, with the image's platform
  oci::Descriptor config;
  std::string manifest_bytes;
  std::string config_bytes;
  oci::ImageConfig image;
};

// The resulting config alone. Errors name the step (its display name).
base::Result<oci::ImageConfig> build_config(const AssembleRequest& request);

// Config and manifest, serialized; no I/O.
base::Result<BuiltImage> make_image(const AssembleRequest& request);

// make_image, then writes the config and manifest blobs to `store`.
base::Result<BuiltImage> assemble_image(const content::ContentStore& store, const AssembleRequest& request);

// The ops of the chain that ends at `terminal`: following input 0 back from
// it through Exec, File and ConfigChange ops (across stages built FROM other
// stages) to the ImageSource or Scratch it starts from.
struct StageChain {
  uint32_t source = 0;          // the ImageSource or Scratch op
  std::vector<uint32_t> steps;  // in build order
};
base::Result<StageChain> stage_chain(const ir::Definition& def, uint32_t terminal);

// RFC 3339 in UTC with Go's RFC3339Nano trimming: "2024-01-02T03:04:05Z",
// "2024-01-02T03:04:05.5Z".
std::string format_rfc3339(int64_t unix_nanos);

}  // namespace solver::image
