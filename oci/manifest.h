#pragma once
// Image manifest and image index (OCI image-spec manifest.md and
// image-index.md), which also read Docker's schema 2 manifest and manifest
// list: those have the same shape under other media types. Parsing is strict
// about the fields it knows (types, digests, schemaVersion 2) and ignores
// unknown fields, as the spec requires of readers. Serialization is canonical
// (see canonical_json), so the digest of a document we build is reproducible.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/digest.h"
#include "base/result.h"
#include "oci/descriptor.h"

namespace oci {

struct Manifest {
  std::string media_type;  // may be empty in OCI documents that omit it
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;

  friend bool operator==(const Manifest&, const Manifest&) = default;
};

struct Index {
  std::string media_type;  // may be empty in OCI documents that omit it
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;

  friend bool operator==(const Index&, const Index&) = default;
};

// Errors start with "invalid image manifest" / "invalid image index" and name the field.
Result<Manifest> parse_manifest(std::string_view bytes);
Result<Index> parse_index(std::string_view bytes);

nlohmann::json to_json(const Manifest& manifest);
nlohmann::json to_json(const Index& index);
std::string serialize(const Manifest& manifest);
std::string serialize(const Index& index);

// The media type a manifest-like document declares, or, when it declares none
// (allowed by OCI), the one its shape implies: "manifests" → OCI index,
// "config" → OCI manifest. Errors for non-JSON, schema 1, and unknown shapes.
Result<std::string> detect_media_type(std::string_view bytes);

// A descriptor of `bytes` under `media_type`: its sha256 digest and size.
Descriptor describe(std::string media_type, std::string_view bytes);

}  // namespace oci
