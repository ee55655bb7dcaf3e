#include "solver/ir/platform.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "base/strings.h"

namespace ir {
namespace {

bool valid_component(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-' || c == '.';
  });
}

const std::vector<std::string_view> k_known_os = {
    "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios",
    "js",    "linux",   "nacl",   "netbsd",    "openbsd", "plan9", "solaris", "wasip1",
    "windows", "zos"};

// Normalizes an architecture and variant pair in place.
void normalize_arch(std::string& arch, std::string& variant) {
  if (arch == "i386") {
    arch = "386";
    variant.clear();
  } else if (arch == "x86_64" || arch == "x86-64" || arch == "amd64") {
    arch = "amd64";
    if (variant == "v1") variant.clear();
  } else if (arch == "aarch64" || arch == "arm64") {
    arch = "arm64";
    if (variant == "8" || variant == "v8") variant.clear();
  } else if (arch == "armhf") {
    arch = "arm";
    variant = "v7";
  } else if (arch == "armel") {
    arch = "arm";
    variant = "v6";
  } else if (arch == "arm") {
    if (variant.empty() || variant == "7") variant = "v7";
    else if (variant == "5" || variant == "6" || variant == "8") variant = "v" + variant;
  }
}

}  // namespace

std::string Platform::str() const {
  std::string out = os + "/" + architecture;
  if (!variant.empty()) out += "/" + variant;
  return out;
}

base::Result<Platform> parse_platform(std::string_view text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.push_back(base::ascii_lower(text.substr(start, slash == std::string_view::npos ? slash : slash - start)));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() > 3 ||
      !std::all_of(parts.begin(), parts.end(), [](const std::string& p) { return valid_component(p); }))
    return base::make_error("invalid platform \"" + std::string(text) +
                            "\": expected os/arch[/variant]");
  Platform p;
  if (parts.size() == 1) {
    // A bare word is an OS when it names one ("linux"), else an architecture.
    if (std::find(k_known_os.begin(), k_known_os.end(), parts[0]) != k_known_os.end()) {
      p.os = parts[0];
      p.architecture = host_platform().architecture;
    } else {
      p.os = "linux";
      p.architecture = parts[0];
    }
  } else {
    p.os = parts[0];
    p.architecture = parts[1];
    if (parts.size() == 3) p.variant = parts[2];
  }
  if (p.os == "macos") p.os = "darwin";
  if (std::find(k_known_os.begin(), k_known_os.end(), p.os) == k_known_os.end())
    return base::make_error("invalid platform \"" + std::string(text) + "\": unknown operating system \"" +
                            p.os + "\"");
  normalize_arch(p.architecture, p.variant);
  return p;
}

Platform host_platform() {
#if defined(__x86_64__)
  return Platform{"linux", "amd64", ""};
#elif defined(__aarch64__)
  return Platform{"linux", "arm64", ""};
#elif defined(__arm__)
  return Platform{"linux", "arm", "v7"};
#elif defined(__i386__)
  return Platform{"linux", "386", ""};
#elif defined(__riscv)
  return Platform{"linux", "riscv64", ""};
#elif defined(__s390x__)
  return Platform{"linux", "s390x", ""};
#elif defined(__powerpc64__)
  return Platform{"linux", "ppc64le", ""};
#else
  return Platform{"linux", "unknown", ""};
#endif
}

std::string default_path_env(std::string_view os) {
  if (os == "windows") return "";
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

}  // namespace ir
