#pragma once
// The build graph: what the frontend hands the solver. A Definition is a list
// of ops in topological order (every input refers to an earlier op), each op a
// small plain struct in the `Op` variant. Everything that must not change a
// cache key (display names, stage membership, Dockerfile line ranges) lives in
// the `info` side table, parallel to `ops` and never read by op_digests().
//
// Ownership: plain values, freely copyable; built once by frontend::lower and
// read-only afterwards. No invariants beyond those checked by validate().

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/result.h"
#include "solver/ir/env_map.h"
#include "solver/ir/platform.h"

namespace ir {

inline constexpr const char* k_schema = "kiln.ir.v1";

// An edge: output `output` of op `op` (every op has one output today, index 0).
struct Input {
  uint32_t op = 0;
  uint32_t output = 0;
  friend bool operator==(const Input&, const Input&) = default;
  friend auto operator<=>(const Input&, const Input&) = default;
};

// ---- sources -------------------------------------------------------------

// The empty filesystem (`FROM scratch`, the base of inline heredoc files).
struct Scratch {};

struct ImageSource {
  std::string ref{};  // normalized: "docker.io/library/alpine:latest", digests kept
  Platform platform{};
};

// Files of a local build context. The solver transfers only what
// `include_patterns` selects (empty = everything) minus what `exclude_patterns`
// (the .dockerignore lines, in order, `!` exceptions included) removes.
struct ContextSource {
  std::string name = "context";                // "context" or a named context
  std::vector<std::string> include_patterns{};  // sorted, relative ("src", "go.mod")
  std::vector<std::string> exclude_patterns{};
};

// ADD <url>: a single file named `filename` at the root of this op's output.
struct HttpSource {
  std::string url{};
  std::string checksum{};  // "sha256:..." or empty
  std::string filename{};  // last path segment of the URL, "__unnamed__" if none
};

enum class KeepGitDir { no, yes };

// ADD <git repository>: a checkout of `ref` at the root of this op's output.
struct GitSource {
  std::string remote{};    // "https://github.com/o/r.git", "git@github.com:o/r.git"
  std::string ref{};       // branch, tag or commit; empty = the default branch
  std::string subdir{};    // only this directory of the checkout, or empty
  std::string checksum{};  // expected commit (prefix allowed), or empty
  KeepGitDir keep_git_dir = KeepGitDir::no;
  bool submodules = true;
};

// ---- exec ----------------------------------------------------------------

enum class NetworkMode { sandbox, none, host };  // "default" is sandbox
enum class SecurityMode { sandbox, insecure };
enum class MountType { bind, cache, tmpfs, secret, ssh };
enum class CacheSharing { shared, private_, locked };
enum class ReadOnly { no, yes };

// A RUN --mount. Bind and cache mounts may read an input (`input` indexes the
// owning op's input list); the others are provided by the executor.
struct Mount {
  MountType type = MountType::bind;
  std::string target{};               // absolute path inside the container
  std::optional<uint32_t> input{};    // index into this op's inputs
  std::string source = "/";         // path inside the input
  ReadOnly readonly = ReadOnly::yes;
  std::string id{};                   // cache id, secret id or ssh id
  CacheSharing sharing = CacheSharing::shared;
  std::string env{};                  // secret exposed as this env var, or empty
  bool required = false;            // secret/ssh must be provided
  std::optional<uint32_t> mode{};     // octal permission bits
  std::optional<uint32_t> uid{};
  std::optional<uint32_t> gid{};
  uint64_t size = 0;                // tmpfs size in bytes, 0 = unlimited
};

// A CDI device the process asks for (RUN --device); `required` fails the
// step when the device is not available.
struct Device {
  std::string name{};
  bool required = false;
  friend bool operator==(const Device&, const Device&) = default;
};

// A process run on input 0 (the root filesystem); its output is that root
// after the process exited successfully.
struct Exec {
  std::vector<std::string> argv{};
  EnvMap env{};  // sorted by name, unique; shares structure with the step before
  std::string cwd = "/";
  std::string user{};  // "" = root
  NetworkMode network = NetworkMode::sandbox;
  SecurityMode security = SecurityMode::sandbox;
  std::vector<Mount> mounts{};  // sorted by target
  std::vector<Device> devices{};  // in Dockerfile order
  // Proxy settings from undeclared predefined proxy args (http_proxy, ...):
  // given to the process but, as in BuildKit, not part of the cache key.
  std::vector<std::pair<std::string, std::string>> proxy_env{};  // sorted
};

// ---- file ----------------------------------------------------------------

// Copies `src` (absolute path, may be a wildcard) of input `src_input` to
// `dest` of the result. Options follow BuildKit's CopyInfo.
struct Copy {
  uint32_t src_input = 0;  // index into this op's inputs
  std::string src{};
  std::string dest{};  // absolute; a trailing "/" means "into this directory"
  std::string chown{};  // "user[:group]" as written (names resolved at build time)
  std::string chmod{};  // octal ("755") or symbolic ("u=rwX,go=rX") as written
  std::vector<std::string> include_patterns{};  // COPY --parents pattern
  std::vector<std::string> required_paths{};    // COPY --parents without wildcards
  std::vector<std::string> exclude_patterns{};  // --exclude
  bool follow_symlinks = false;
  bool dir_contents_only = false;
  bool allow_wildcard = false;
  bool allow_empty_wildcard = false;
  bool create_dest_path = false;
  bool attempt_unpack = false;  // ADD of a local archive
};

struct Mkdir {
  std::string path{};
  uint32_t mode = 0755;
  bool make_parents = false;
  std::string chown{};  // "user[:group]" or empty
};

struct Mkfile {
  std::string path{};
  uint32_t mode = 0644;
  std::string data{};
};

using FileAction = std::variant<Copy, Mkdir, Mkfile>;

enum class Link { no, yes };

// Ordered file actions applied to input 0. With `link`, the actions apply to
// an empty directory and the result is stacked on input 0 as its own layer
// (COPY --link), so the layer does not depend on what input 0 contains.
struct File {
  std::vector<FileAction> actions{};
  Link link = Link::no;
};

// ---- image config ----------------------------------------------------------

struct KeyValue {
  std::string key{};
  std::optional<std::string> value{};  // ARG without a value has none
  friend bool operator==(const KeyValue&, const KeyValue&) = default;
};

struct Healthcheck {
  std::vector<std::string> test{};  // ["NONE"], ["CMD", ...] or ["CMD-SHELL", "..."]
  int64_t interval_ns = 0;
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int64_t start_interval_ns = 0;
  int64_t retries = 0;
  friend bool operator==(const Healthcheck&, const Healthcheck&) = default;
};

enum class ConfigKind {
  env, label, workdir, user, expose, volume, cmd, entrypoint, shell, stopsignal,
  healthcheck, onbuild, maintainer, arg
};

// An image-config edit; the filesystem of input 0 passes through unchanged.
// Which fields are used depends on `kind`:
//   env, label, arg      → pairs (in instruction order)
//   expose, volume, cmd, entrypoint, shell, onbuild → values
//   workdir, user, stopsignal, maintainer           → values[0]
//   healthcheck          → healthcheck
// `reset_cmd` on entrypoint: CMD was not set earlier in this stage, so the
// inherited CMD is cleared.
struct ConfigChange {
  ConfigKind kind = ConfigKind::env;
  std::vector<KeyValue> pairs{};
  std::vector<std::string> values{};
  std::optional<Healthcheck> healthcheck{};
  bool reset_cmd = false;
};

using Op = std::variant<Scratch, ImageSource, ContextSource, HttpSource, GitSource, Exec, File,
                        ConfigChange>;

// "scratch", "image", "context", "http", "git", "exec", "file", "config".
const char* op_kind(const Op& op);
const char* config_kind_name(ConfigKind kind);
const char* network_name(NetworkMode mode);
const char* security_name(SecurityMode mode);
const char* mount_type_name(MountType type);
const char* sharing_name(CacheSharing sharing);

// ---- side tables -----------------------------------------------------------

struct SourceRange {
  std::string file{};
  int start_line = 0;  // 1-based; 0 = not from a Dockerfile line
  int end_line = 0;
};

struct OpInfo {
  std::string display_name{};  // "[build 3/5] RUN make"
  int stage = -1;            // index into Definition::stages, -1 = shared/internal
  SourceRange range;
};

struct Stage {
  std::string name{};     // as declared (lower-cased), or "" for unnamed stages
  int index = 0;        // position in the Dockerfile (0-based)
  uint32_t terminal = 0;  // op whose output is the stage's final filesystem
  std::string base{};     // the FROM argument after expansion ("alpine", "build")
  Platform platform{};
};

struct Definition {
  std::vector<Op> ops{};
  std::vector<std::vector<Input>> inputs{};  // parallel to ops
  std::vector<OpInfo> info{};                // side table, parallel to ops
  Input terminal;
  std::vector<Stage> stages{};  // the stages kept after --target pruning, in Dockerfile order
  std::string target{};         // name of the target stage, or "" when unnamed

  // Appends an op and returns its index.
  uint32_t add(Op op, std::vector<Input> op_inputs, OpInfo op_info = {});
};

// Checks the structural invariants: parallel tables, inputs refer to earlier
// ops, per-op input indices (mounts, copies) in range, terminals in range.
base::Result<void> validate(const Definition& def);

}  // namespace ir
