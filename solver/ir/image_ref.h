#pragma once
// Image references normalized the way docker resolves names, so that `alpine`,
// `library/alpine` and `docker.io/library/alpine:latest` are one source in the
// build graph: docker.io is the default registry, "library/" the default
// namespace of single-component names, ":latest" the default tag when neither a
// tag nor a digest is given. Digest-pinned references keep their digest.

#include <string>
#include <string_view>

#include "base/result.h"

namespace ir {

struct ImageRef {
  std::string domain;  // "docker.io", "registry.example.com:5000"
  std::string path;    // "library/alpine"
  std::string tag;     // "latest", or empty when pinned by digest only
  std::string digest;  // "sha256:...", or empty

  // "docker.io/library/alpine:latest", "ghcr.io/o/r@sha256:..." (tag and digest both when given).
  std::string str() const;
};

// Parses and normalizes `text`; errors name the reference and say what is wrong
// ("repository name must be lowercase", "invalid reference format").
base::Result<ImageRef> parse_image_ref(std::string_view text);

// parse_image_ref(text)->str(), for callers that need only the string.
base::Result<std::string> normalize_image_ref(std::string_view text);

}  // namespace ir
