#include "oci/manifest.h"

#include "oci/media_types.h"

namespace oci {

using base::make_error;

namespace {

Result<void> check_schema_version(const FieldReader& fields) {
  TRY_ASSIGN(auto version, fields.opt_int64("schemaVersion"));
  if (!version) return make_error("field \"schemaVersion\" is required");
  if (*version == 1)
    return make_error("schemaVersion 1 (Docker image manifest v2 schema 1) is not supported");
  if (*version != 2)
    return make_error("field \"schemaVersion\": expected 2, got " + std::to_string(*version));
  return {};
}

Result<std::vector<Descriptor>> read_descriptors(const FieldReader& fields, std::string_view key) {
  TRY_ASSIGN(auto items, fields.object_list(key));
  std::vector<Descriptor> out;
  out.reserve(items.size());
  for (const auto& item : items) {
    TRY_ASSIGN(auto d, read_descriptor(item));
    out.push_back(std::move(d));
  }
  return out;
}

Result<std::optional<Descriptor>> read_subject(const FieldReader& fields) {
  TRY_ASSIGN(auto subject, fields.opt_object("subject"));
  if (!subject) return std::optional<Descriptor>();
  TRY_ASSIGN(auto d, read_descriptor(*subject));
  return std::optional<Descriptor>(std::move(d));
}

Result<Manifest> read_manifest(const nlohmann::json& doc) {
  TRY_ASSIGN(auto fields, FieldReader::make(doc, ""));
  TRY(check_schema_version(fields));
  Manifest m;
  TRY_ASSIGN(auto media_type, fields.opt_string("mediaType"));
  m.media_type = media_type.value_or("");
  if (!m.media_type.empty() && !is_manifest(m.media_type))
    return make_error("field \"mediaType\": \"" + m.media_type + "\" is not an image manifest type");
  if (m.media_type.empty() && fields.has("manifests"))
    return make_error("document has \"manifests\": it is an image index, not a manifest");
  TRY_ASSIGN(auto artifact_type, fields.opt_string("artifactType"));
  m.artifact_type = artifact_type.value_or("");
  TRY_ASSIGN(auto config, fields.object("config"));
  TRY_ASSIGN(m.config, read_descriptor(config));
  TRY_ASSIGN(m.layers, read_descriptors(fields, "layers"));
  TRY_ASSIGN(m.subject, read_subject(fields));
  TRY_ASSIGN(m.annotations, fields.string_map("annotations"));
  return m;
}

Result<Index> read_index(const nlohmann::json& doc) {
  TRY_ASSIGN(auto fields, FieldReader::make(doc, ""));
  TRY(check_schema_version(fields));
  Index idx;
  TRY_ASSIGN(auto media_type, fields.opt_string("mediaType"));
  idx.media_type = media_type.value_or("");
  if (!idx.media_type.empty() && !is_index(idx.media_type))
    return make_error("field \"mediaType\": \"" + idx.media_type + "\" is not an image index type");
  if (idx.media_type.empty() && fields.has("config"))
    return make_error("document has \"config\": it is an image manifest, not an index");
  TRY_ASSIGN(auto artifact_type, fields.opt_string("artifactType"));
  idx.artifact_type = artifact_type.value_or("");
  if (!fields.has("manifests")) return make_error("field \"manifests\" is required");
  TRY_ASSIGN(idx.manifests, read_descriptors(fields, "manifests"));
  TRY_ASSIGN(idx.subject, read_subject(fields));
  TRY_ASSIGN(idx.annotations, fields.string_map("annotations"));
  return idx;
}

}  // namespace

Result<Manifest> parse_manifest(std::string_view bytes) {
  auto doc = parse_json(bytes);
  if (!doc) return with_context(Result<Manifest>(std::move(doc).error()), "invalid image manifest");
  return with_context(read_manifest(*doc), "invalid image manifest");
}

Result<Index> parse_index(std::string_view bytes) {
  auto doc = parse_json(bytes);
  if (!doc) return with_context(Result<Index>(std::move(doc).error()), "invalid image index");
  return with_context(read_index(*doc), "invalid image index");
}

nlohmann::json to_json(const Manifest& m) {
  nlohmann::json j = nlohmann::json::object();
  j["schemaVersion"] = 2;
  if (!m.media_type.empty()) j["mediaType"] = m.media_type;
  if (!m.artifact_type.empty()) j["artifactType"] = m.artifact_type;
  j["config"] = to_json(m.config);
  // "layers" is always written: Docker's schema 2 reader requires the key.
  j["layers"] = nlohmann::json::array();
  for (const auto& layer : m.layers) j["layers"].push_back(to_json(layer));
  if (m.subject) j["subject"] = to_json(*m.subject);
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  return j;
}

nlohmann::json to_json(const Index& idx) {
  nlohmann::json j = nlohmann::json::object();
  j["schemaVersion"] = 2;
  if (!idx.media_type.empty()) j["mediaType"] = idx.media_type;
  if (!idx.artifact_type.empty()) j["artifactType"] = idx.artifact_type;
  j["manifests"] = nlohmann::json::array();
  for (const auto& d : idx.manifests) j["manifests"].push_back(to_json(d));
  if (idx.subject) j["subject"] = to_json(*idx.subject);
  if (!idx.annotations.empty()) j["annotations"] = idx.annotations;
  return j;
}

std::string serialize(const Manifest& m) { return canonical_json(to_json(m)); }
std::string serialize(const Index& idx) { return canonical_json(to_json(idx)); }

Result<std::string> detect_media_type(std::string_view bytes) {
  TRY_ASSIGN(auto doc, parse_json(bytes));
  TRY_ASSIGN(auto fields, FieldReader::make(doc, ""));
  TRY_ASSIGN(auto media_type, fields.opt_string("mediaType"));
  if (media_type) {
    if (*media_type == k_media_docker_manifest_v1 || *media_type == k_media_docker_manifest_v1_signed)
      return make_error("Docker image manifest v2 schema 1 is not supported");
    return *media_type;
  }
  TRY_ASSIGN(auto version, fields.opt_int64("schemaVersion"));
  if (version && *version == 1) return make_error("Docker image manifest v2 schema 1 is not supported");
  if (fields.has("manifests")) return std::string(k_media_oci_index);
  if (fields.has("config")) return std::string(k_media_oci_manifest);
  return make_error("document is neither an image manifest nor an image index");
}

Descriptor describe(std::string media_type, std::string_view bytes) {
  Descriptor d;
  d.media_type = std::move(media_type);
  d.digest = base::Sha256::of(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

}  // namespace oci
