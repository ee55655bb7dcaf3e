#pragma once
// The image configuration (OCI image-spec config.md), with the Docker
// extensions BuildKit writes (Healthcheck, OnBuild, Shell). Unknown fields, at
// the top level and inside "config", are kept in `extra` and written back
// unchanged: an image built FROM a Docker-produced base keeps what we do not
// model (e.g. "container_config", "Hostname"). Known fields win over `extra`.
//
// Entrypoint and Cmd distinguish "unset" (nullopt, JSON null or absent) from
// "set to empty" ([]), because `ENTRYPOINT []` means something different from
// no ENTRYPOINT.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/digest.h"
#include "base/result.h"

namespace oci {

using base::Result;

// Docker's HEALTHCHECK settings; durations in nanoseconds, 0 = inherit/default.
struct Healthcheck {
  std::vector<std::string> test;  // ["NONE"], ["CMD", ...] or ["CMD-SHELL", "..."]
  int64_t interval = 0;
  int64_t timeout = 0;
  int64_t start_period = 0;
  int64_t start_interval = 0;
  int64_t retries = 0;

  friend bool operator==(const Healthcheck&, const Healthcheck&) = default;
};

// The "config" member: how to run a container from the image.
struct ContainerConfig {
  std::string user;
  std::set<std::string> exposed_ports;  // "80/tcp"
  std::vector<std::string> env;         // "KEY=value"
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
  std::set<std::string> volumes;
  std::string working_dir;
  std::map<std::string, std::string> labels;
  std::string stop_signal;
  bool args_escaped = false;  // Windows-only in practice; kept for round trips
  std::optional<Healthcheck> healthcheck;
  std::vector<std::string> on_build;
  std::vector<std::string> shell;
  nlohmann::json extra = nlohmann::json::object();

  friend bool operator==(const ContainerConfig&, const ContainerConfig&) = default;
};

struct RootFs {
  std::string type = "layers";
  std::vector<base::Digest> diff_ids;  // uncompressed layer digests, base first

  friend bool operator==(const RootFs&, const RootFs&) = default;
};

struct History {
  std::optional<std::string> created;  // RFC 3339
  std::string created_by;
  std::string author;
  std::string comment;
  bool empty_layer = false;

  friend bool operator==(const History&, const History&) = default;
};

struct ImageConfig {
  std::optional<std::string> created;  // RFC 3339
  std::string author;
  std::string architecture;
  std::string os;
  std::string os_version;
  std::vector<std::string> os_features;
  std::string variant;
  ContainerConfig config;
  RootFs rootfs;
  std::vector<History> history;
  nlohmann::json extra = nlohmann::json::object();

  friend bool operator==(const ImageConfig&, const ImageConfig&) = default;
};

// Errors start with "invalid image config" and name the field.
Result<ImageConfig> parse_image_config(std::string_view bytes);
nlohmann::json to_json(const ImageConfig& config);
std::string serialize(const ImageConfig& config);

// The image spec's ChainID of a layer stack: the first layer's diff_id, then
// sha256 of "<parent chain id> <diff_id>" for each layer on top.
base::Digest chain_id(const base::Digest& parent_chain, const base::Digest& diff_id);

// The number of history entries that are not empty_layer must equal the
// number of diff_ids when history is present (BuildKit and containerd check
// this); a mismatch is an error naming both counts.
Result<void> check_history_matches_layers(const ImageConfig& config);

}  // namespace oci
