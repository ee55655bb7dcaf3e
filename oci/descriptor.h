#pragma once
// Descriptor and Platform of the OCI image spec (descriptor.md,
// image-index.md): plain values with strict JSON reading and canonical JSON
// writing. Fields follow the spec's names; optional JSON fields are written
// only when set, as Go's `omitempty` does.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "base/result.h"
#include "oci/json_fields.h"

namespace oci {

struct Platform {
  std::string architecture;  // "amd64", "arm64", ... (GOARCH values)
  std::string os;            // "linux", "windows", ... (GOOS values)
  std::string os_version;    // "os.version"
  std::vector<std::string> os_features;  // "os.features"
  std::string variant;       // "v7", "v8", ...

  friend bool operator==(const Platform&, const Platform&) = default;
};

struct Descriptor {
  std::string media_type;
  base::Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  std::map<std::string, std::string> annotations;
  std::optional<std::string> data;  // base64 of the embedded content
  std::optional<Platform> platform;  // only meaningful in an index
  std::string artifact_type;

  friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

Result<Platform> read_platform(const FieldReader& fields);
nlohmann::json to_json(const Platform& platform);

// Requires mediaType, digest (sha256) and a non-negative size.
Result<Descriptor> read_descriptor(const FieldReader& fields);
nlohmann::json to_json(const Descriptor& descriptor);

// "linux/arm64/v8" style, as in --platform; the variant is omitted when empty.
std::string format_platform(const Platform& platform);
// Parses "os/arch[/variant]"; errors name the text.
Result<Platform> parse_platform(std::string_view text);

}  // namespace oci
