#pragma once
// An OCI platform (os/architecture/variant) as the build graph records it:
// on image sources, stages and as the value of the TARGET*/BUILD* args.
// Plain data; parsing normalizes the spellings containerd accepts.

#include <string>
#include <string_view>

#include "base/result.h"

namespace ir {

struct Platform {
  std::string os;            // "linux"
  std::string architecture;  // "amd64", "arm64", "arm", ...
  std::string variant;       // "v7", or empty

  // "linux/amd64", "linux/arm/v7".
  std::string str() const;
  bool empty() const { return os.empty() && architecture.empty(); }

  friend bool operator==(const Platform&, const Platform&) = default;
};

// Parses "os[/arch[/variant]]" or a bare architecture ("arm64" means linux/arm64),
// normalizing aliases the way containerd does: x86_64 → amd64, aarch64 → arm64
// (its v8 variant dropped), armhf → arm/v7, armel → arm/v6, arm without a variant → arm/v7.
base::Result<Platform> parse_platform(std::string_view text);

// The platform kiln itself runs on (the default build and target platform).
Platform host_platform();

// The PATH BuildKit gives every stage whose image has none: the usual Linux
// directories on every OS but Windows, which leaves it to the OS ("").
std::string default_path_env(std::string_view os);

}  // namespace ir
