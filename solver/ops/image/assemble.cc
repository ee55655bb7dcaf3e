#include "solver/ops/image/assemble.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "oci/manifest.h"
#include "solver/ops/image/config_change.h"
#include "solver/ops/image/history.h"

namespace solver::image {
namespace {

// An OCI manifest carries OCI layer media types; Docker's are converted as
// BuildKit's exporter converts them.
std::string oci_layer_type(const std::string& media_type) {
  if (media_type == oci::k_media_docker_layer_gzip) return std::string(oci::k_media_oci_layer_gzip);
  if (media_type == oci::k_media_docker_layer_foreign_gzip)
    return std::string(oci::k_media_oci_layer_nondist_gzip);
  return media_type;
}

std::string step_name(const Step& step, size_t index) {
  if (!step.info.display_name.empty()) return "step \"" + step.info.display_name + "\"";
  return "step " + std::to_string(index + 1) + " (" + ir::op_kind(step.op) + ")";
}

// WORKDIR is lowered to a config edit followed by the mkdir of its
// directory; BuildKit records the pair as a single "WORKDIR" entry carrying
// the mkdir's layer, so the config edit's own entry is dropped.
bool workdir_followed_by_mkdir(const std::vector<Step>& steps, size_t i) {
  const auto* change = std::get_if<ir::ConfigChange>(&steps[i].op);
  if (!change || change->kind != ir::ConfigKind::workdir || change->values.empty()) return false;
  if (i + 1 >= steps.size()) return false;
  const auto* file = std::get_if<ir::File>(&steps[i + 1].op);
  if (!file || file->actions.size() != 1) return false;
  const auto* mkdir = std::get_if<ir::Mkdir>(&file->actions[0]);
  const ir::SourceRange& a = steps[i].info.range;
  const ir::SourceRange& b = steps[i + 1].info.range;
  return mkdir && mkdir->path == change->values[0] && a.file == b.file && a.start_line == b.start_line &&
         a.end_line == b.end_line;
}

// A base image without history (some minimal images have none) still needs
// one entry per layer for the history to pair up with rootfs.
void fill_missing_base_history(oci::ImageConfig& image) {
  size_t with_layer = 0;
  for (const oci::History& h : image.history) with_layer += h.empty_layer ? 0 : 1;
  if (with_layer >= image.rootfs.diff_ids.size()) return;
  std::vector<oci::History> filler(image.rootfs.diff_ids.size() - with_layer);
  image.history.insert(image.history.begin(), filler.begin(), filler.end());
}

void apply_platform(oci::ImageConfig& image, const ir::Platform& platform) {
  bool same_os_arch = image.os == platform.os && image.architecture == platform.architecture;
  image.os = platform.os;
  image.architecture = platform.architecture;
  if (!platform.variant.empty() || !same_os_arch) image.variant = platform.variant;
}

// The spelling containerd's platforms.Normalize gives, which BuildKit
// applies to the final config: arm64/v8 is plain arm64, arm means arm/v7,
// amd64/v1 is plain amd64.
void normalize_platform(oci::ImageConfig& image) {
  std::string& v = image.variant;
  if (image.architecture == "arm64") {
    if (v == "8" || v == "v8" || v == "v8.0") v.clear();
    else if (v == "9" || v == "9.0" || v == "v9.0") v = "v9";
  } else if (image.architecture == "arm") {
    if (v.empty() || v == "7") v = "v7";
    else if (v == "5" || v == "6" || v == "8") v = "v" + v;
  } else if (image.architecture == "amd64" && v == "v1") {
    v.clear();
  }
}

}  // namespace

base::Result<oci::ImageConfig> build_config(const AssembleRequest& request) {
  oci::ImageConfig image;
  if (request.base) {
    image = request.base->config;
    if (image.rootfs.diff_ids.size() != request.base->layers.size())
      return base::make_error("base image " + request.base->manifest.digest.str() + " has " +
                              std::to_string(request.base->layers.size()) + " layers but " +
                              std::to_string(image.rootfs.diff_ids.size()) + " diff_ids");
    fill_missing_base_history(image);
    // BuildKit reads the base config into typed structs and writes those
    // back, so fields it does not model ("container_config", "Hostname",
    // "docker_version", ...) are not carried into the new image.
    image.extra = nlohmann::json::object();
    image.config.extra = nlohmann::json::object();
  } else {
    image = scratch_config(request.platform);
  }
  image.rootfs.type = "layers";
  begin_stage(image);

  std::vector<ir::KeyValue> build_args;
  int stage = request.steps.empty() ? -1 : request.steps[0].info.stage;
  for (size_t i = 0; i < request.steps.size(); ++i) {
    const Step& step = request.steps[i];
    // A stage built FROM an earlier stage of the chain starts over as a
    // stage does: the earlier stage's ONBUILD triggers do not carry over.
    if (step.info.stage >= 0 && stage >= 0 && step.info.stage != stage) begin_stage(image);
    if (step.info.stage >= 0) stage = step.info.stage;

    if (const auto* change = std::get_if<ir::ConfigChange>(&step.op)) {
      if (step.layer) return base::make_error(step_name(step, i) + " edits the config but has a layer");
      TRY(base::with_context(apply_config_change(image, *change), step_name(step, i)));
      if (change->kind == ir::ConfigKind::arg)
        build_args.insert(build_args.end(), change->pairs.begin(), change->pairs.end());
      if (workdir_followed_by_mkdir(request.steps, i)) continue;
    }
    std::optional<oci::History> h = make_history(step.op, step.info, !step.layer, request.created, build_args);
    if (!h) {
      if (step.layer) return base::make_error(step_name(step, i) + " has a layer but records no history");
      continue;
    }
    image.history.push_back(std::move(*h));
    if (step.layer) image.rootfs.diff_ids.push_back(step.layer->diff_id);
  }

  for (const auto& [key, value] : request.labels) image.config.labels[key] = value;
  if (request.override_platform) apply_platform(image, request.platform);
  normalize_platform(image);
  if (image.os.empty() || image.architecture.empty())
    return base::make_error("image config has no os or architecture (platform \"" + request.platform.str() +
                            "\")");
  image.created = request.created;
  TRY(oci::check_history_matches_layers(image));
  return image;
}

base::Result<BuiltImage> make_image(const AssembleRequest& request) {
  BuiltImage out;
  TRY_ASSIGN(out.image, build_config(request));
  out.config_bytes = oci::serialize(out.image);
  out.config = oci::describe(std::string(oci::k_media_oci_config), out.config_bytes);

  oci::Manifest manifest;
  manifest.media_type = std::string(oci::k_media_oci_manifest);
  manifest.config = out.config;
  if (request.base) {
    for (oci::Descriptor layer : request.base->layers) {
      layer.media_type = oci_layer_type(layer.media_type);
      layer.platform.reset();
      manifest.layers.push_back(std::move(layer));
    }
  }
  for (const Step& step : request.steps) {
    if (!step.layer) continue;
    oci::Descriptor layer;
    layer.media_type = step.layer->media_type;
    layer.digest = step.layer->digest;
    layer.size = step.layer->size;
    manifest.layers.push_back(std::move(layer));
  }
  out.manifest_bytes = oci::serialize(manifest);
  out.manifest = oci::describe(std::string(oci::k_media_oci_manifest), out.manifest_bytes);
  oci::Platform platform;
  platform.architecture = out.image.architecture;
  platform.os = out.image.os;
  platform.os_version = out.image.os_version;
  platform.os_features = out.image.os_features;
  platform.variant = out.image.variant;
  out.manifest.platform = std::move(platform);
  return out;
}

base::Result<BuiltImage> assemble_image(const content::ContentStore& store, const AssembleRequest& request) {
  TRY_ASSIGN(BuiltImage out, make_image(request));
  TRY(base::with_context(store.write_blob(out.config_bytes), "writing image config " + out.config.digest.str()));
  TRY(base::with_context(store.write_blob(out.manifest_bytes),
                         "writing image manifest " + out.manifest.digest.str()));
  return out;
}

base::Result<StageChain> stage_chain(const ir::Definition& def, uint32_t terminal) {
  StageChain chain;
  uint32_t index = terminal;
  // Every input refers to an earlier op, so the walk ends within ops.size() steps.
  for (size_t guard = 0; guard <= def.ops.size(); ++guard) {
    if (index >= def.ops.size() || index >= def.inputs.size())
      return base::make_error("op " + std::to_string(index) + " is out of range");
    const ir::Op& op = def.ops[index];
    if (std::holds_alternative<ir::ImageSource>(op) || std::holds_alternative<ir::Scratch>(op)) {
      chain.source = index;
      std::reverse(chain.steps.begin(), chain.steps.end());
      return chain;
    }
    if (!std::holds_alternative<ir::Exec>(op) && !std::holds_alternative<ir::File>(op) &&
        !std::holds_alternative<ir::ConfigChange>(op))
      return base::make_error("op " + std::to_string(index) + " (" + ir::op_kind(op) +
                              ") cannot be part of a stage's filesystem chain");
    if (def.inputs[index].empty())
      return base::make_error("op " + std::to_string(index) + " (" + ir::op_kind(op) + ") has no input");
    chain.steps.push_back(index);
    uint32_t next = def.inputs[index][0].op;
    if (next >= index) return base::make_error("op " + std::to_string(index) + " refers to a later op");
    index = next;
  }
  return base::make_error("stage chain of op " + std::to_string(terminal) + " does not end");
}

std::string format_rfc3339(int64_t unix_nanos) {
  int64_t secs = unix_nanos / 1'000'000'000;
  int64_t nanos = unix_nanos % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buf[128];  // room for any int64 year, so the format cannot truncate
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day), static_cast<long long>(rem / 3600),
                static_cast<long long>(rem % 3600 / 60), static_cast<long long>(rem % 60));
  std::string out = buf;
  if (nanos != 0) {
    std::snprintf(buf, sizeof buf, ".%09lld", static_cast<long long>(nanos));
    std::string frac = buf;
    while (frac.back() == '0') frac.pop_back();
    out += frac;
  }
  return out + "Z";
}

}  // namespace solver::image
