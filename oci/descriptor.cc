#include "oci/descriptor.h"

namespace oci {

using base::make_error;

Result<Platform> read_platform(const FieldReader& fields) {
  Platform p;
  TRY_ASSIGN(p.architecture, fields.string("architecture"));
  TRY_ASSIGN(p.os, fields.string("os"));
  TRY_ASSIGN(auto os_version, fields.opt_string("os.version"));
  p.os_version = os_version.value_or("");
  TRY_ASSIGN(p.os_features, fields.string_list("os.features"));
  TRY_ASSIGN(auto variant, fields.opt_string("variant"));
  p.variant = variant.value_or("");
  return p;
}

nlohmann::json to_json(const Platform& p) {
  nlohmann::json j = nlohmann::json::object();
  j["architecture"] = p.architecture;
  j["os"] = p.os;
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.os_features.empty()) j["os.features"] = p.os_features;
  if (!p.variant.empty()) j["variant"] = p.variant;
  return j;
}

Result<Descriptor> read_descriptor(const FieldReader& fields) {
  Descriptor d;
  TRY_ASSIGN(d.media_type, fields.string("mediaType"));
  TRY_ASSIGN(d.digest, fields.digest("digest"));
  TRY_ASSIGN(d.size, fields.int64("size"));
  if (d.size < 0) return make_error("field \"" + fields.field_path("size") + "\": must not be negative");
  TRY_ASSIGN(d.urls, fields.string_list("urls"));
  TRY_ASSIGN(d.annotations, fields.string_map("annotations"));
  TRY_ASSIGN(d.data, fields.opt_string("data"));
  TRY_ASSIGN(auto platform, fields.opt_object("platform"));
  if (platform) {
    TRY_ASSIGN(auto p, read_platform(*platform));
    d.platform = std::move(p);
  }
  TRY_ASSIGN(auto artifact_type, fields.opt_string("artifactType"));
  d.artifact_type = artifact_type.value_or("");
  return d;
}

nlohmann::json to_json(const Descriptor& d) {
  nlohmann::json j = nlohmann::json::object();
  j["mediaType"] = d.media_type;
  j["digest"] = d.digest.str();
  j["size"] = d.size;
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.data) j["data"] = *d.data;
  if (d.platform) j["platform"] = to_json(*d.platform);
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  return j;
}

std::string format_platform(const Platform& p) {
  std::string out = p.os + "/" + p.architecture;
  if (!p.variant.empty()) out += "/" + p.variant;
  return out;
}

Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  bool empty_part = false;
  for (const auto& part : parts) empty_part = empty_part || part.empty();
  if (parts.size() < 2 || parts.size() > 3 || empty_part)
    return make_error("invalid platform \"" + std::string(text) +
                      "\": expected os/arch or os/arch/variant");
  Platform p;
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  return p;
}

}  // namespace oci
