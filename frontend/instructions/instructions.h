#pragma once
// The instruction stage's output: a Dockerfile as typed, checked instructions
// grouped into build stages, before any variable expansion. This is the seam
// between frontend/instructions (which checks what BuildKit checks when it
// turns parser nodes into commands) and the lowering to the build graph
// (which expands ARG/ENV and decides what runs). Plain data, freely copyable.
//
// Values are the raw, UNEXPANDED strings of the Dockerfile unless a comment
// says otherwise; the lowering expands them because only it knows the ARG/ENV
// scope. What BuildKit already interprets at this stage is interpreted here:
// flag booleans, HEALTHCHECK durations and retries, stage names, RUN
// --network/--security/--device, the structure of RUN --mount.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/result.h"
#include "frontend/instructions/lint.h"
#include "frontend/parser/ast.h"

namespace frontend::instructions {

// Where an instruction came from. Lines and columns are 1-based.
struct SourceInfo {
  int start_line = 0;
  int end_line = 0;
  int column = 1;
  std::string original;  // the logical line as written (continuations joined)
};

// Shell form ("RUN make all") or exec form ("RUN [\"make\", \"all\"]").
enum class CommandForm { shell, exec };

// The command of RUN / CMD / ENTRYPOINT / HEALTHCHECK CMD.
struct CommandLine {
  CommandForm form = CommandForm::shell;
  // Shell form: exactly one element, the command text (to be run by SHELL).
  // Exec form: the argv. May be empty for `CMD []` / `ENTRYPOINT []`.
  std::vector<std::string> args;
  // Heredoc bodies written inline after the instruction (RUN <<EOF ...).
  // The command text still contains the `<<EOF` words, as in BuildKit.
  std::vector<ast::Heredoc> heredocs;
};

// ---- RUN -------------------------------------------------------------------

enum class MountType { bind, cache, tmpfs, secret, ssh };
enum class CacheSharing { shared, private_, locked };

// One `RUN --mount=...`. BuildKit reads mounts twice: structurally while
// parsing instructions, and with variables expanded while converting. The
// typed fields below hold what could be read from the LITERAL spec; an option
// whose value contains `$` is kept raw in its string field and its typed
// field left unset (validation deferred). The lowering must call
// `parse_run_mount(spec, expand)` (run_mount.h) with its expander to get the
// final, fully validated mount, exactly as BuildKit re-reads with an expander.
struct RunMount {
  std::string spec;  // the --mount value as written
  MountType type = MountType::bind;
  std::string from;    // stage name/index, image or named context; never expanded
  std::string source;  // source | src
  std::string target;  // target | dst | destination
  std::string id;      // cache id / secret id / ssh id
  std::optional<std::string> env;   // secret only: expose as this env var
  bool read_only = true;            // default: true for bind/secret/ssh, false for cache/tmpfs
  std::optional<CacheSharing> sharing;  // cache only; unset means shared
  bool required = false;            // secret/ssh only
  std::optional<uint32_t> mode;     // octal in the spec; cache/secret/ssh only
  std::optional<uint32_t> uid;      // cache/secret/ssh only
  std::optional<uint32_t> gid;      // cache/secret/ssh only
  std::optional<int64_t> size_bytes;  // tmpfs only: "size=64m" etc.
};

enum class NetworkMode { default_, none, host };
enum class SecurityMode { sandbox, insecure };

// `RUN --device=<name>[,required[=bool]]` (CDI device request).
struct RunDevice {
  std::string name;
  bool required = false;
};

struct RunInstr {
  CommandLine command;
  std::vector<RunMount> mounts;
  NetworkMode network = NetworkMode::default_;
  bool network_set = false;  // --network given explicitly
  SecurityMode security = SecurityMode::sandbox;
  std::vector<RunDevice> devices;
  std::vector<std::string> flags_used;  // flag names given, sorted (BuildKit's FlagsUsed)
};

// ---- COPY / ADD ------------------------------------------------------------

// A source given as a heredoc: `COPY <<EOF /dest`.
struct HeredocSource {
  std::string path;     // the delimiter word; becomes the file name
  std::string content;  // body; leading tabs already removed for <<-
  bool expand = true;   // variables in the body are expanded (unquoted delimiter)
};

struct CopyInstr {
  std::vector<std::string> sources;      // paths/globs in order (heredoc words excluded)
  std::vector<HeredocSource> heredoc_sources;
  std::string dest;
  std::string from;    // --from: stage name/index, image or named context
  std::string chown;   // --chown (unexpanded)
  std::string chmod;   // --chmod (unexpanded; format checked in the lowering)
  bool link = false;
  bool parents = false;
  std::vector<std::string> excludes;     // --exclude, repeatable
  CommandForm form = CommandForm::shell; // JSON form was used
};

struct AddInstr {
  std::vector<std::string> sources;
  std::vector<HeredocSource> heredoc_sources;
  std::string dest;
  std::string chown;
  std::string chmod;
  bool link = false;
  std::optional<bool> keep_git_dir;  // set only when --keep-git-dir is given
  std::string checksum;             // --checksum (unexpanded)
  std::optional<bool> unpack;       // --unpack; unset = default by source kind
  std::vector<std::string> excludes;
  CommandForm form = CommandForm::shell;
};

// ---- metadata instructions -------------------------------------------------

struct KeyValue {
  std::string key;
  std::string value;
  bool legacy_form = false;  // `ENV k v` / `LABEL k v` (no '=')
};

struct EnvInstr {
  std::vector<KeyValue> pairs;
};

struct LabelInstr {
  std::vector<KeyValue> pairs;
};

struct ArgPair {
  std::string name;
  std::optional<std::string> default_value;  // unset for `ARG name`
};

// `ARG a=1 b` declares several args in one instruction.
struct ArgInstr {
  std::vector<ArgPair> args;
};

struct CmdInstr {
  CommandLine command;
};

struct EntrypointInstr {
  CommandLine command;
};

struct ShellInstr {
  std::vector<std::string> shell;  // always exec form, non-empty
};

struct WorkdirInstr {
  std::string path;
};

struct UserInstr {
  std::string user;
};

struct ExposeInstr {
  std::vector<std::string> ports;  // as written ("80/tcp", "8000-8010"), sorted like BuildKit
};

struct VolumeInstr {
  std::vector<std::string> volumes;  // trimmed, non-empty
};

struct StopSignalInstr {
  std::string signal;
};

struct MaintainerInstr {
  std::string maintainer;
};

// HEALTHCHECK. Durations are nanoseconds, like Go's time.Duration; 0 means
// "not set, use the default" (BuildKit stores them this way too).
struct HealthcheckInstr {
  enum class Kind { none, cmd, cmd_shell };
  Kind kind = Kind::none;
  // CMD: the argv; CMD-SHELL: one element, the command text; NONE: empty.
  std::vector<std::string> command;
  int64_t interval_ns = 0;
  int64_t timeout_ns = 0;
  int64_t start_period_ns = 0;
  int64_t start_interval_ns = 0;
  int retries = 0;  // 0 = default
  // The Docker image-config form: ["NONE"], ["CMD", argv...] or ["CMD-SHELL", text].
  std::vector<std::string> test() const;
};

struct Located;  // defined below; an ONBUILD trigger is itself an instruction

struct OnbuildInstr {
  // The trigger as stored in the image config: the original text with the
  // leading "ONBUILD" removed, heredoc bodies appended as BuildKit does.
  std::string expression;
  // The trigger parsed as an instruction. Held through a vector so the
  // recursive type stays plain data: one element when the trigger parses,
  // empty when it does not (BuildKit checks a trigger only when the image is
  // used as a base, so a bad trigger is not an error here).
  std::vector<Located> trigger;
};

// ---- the variant -------------------------------------------------------------

using Instruction =
    std::variant<RunInstr, CopyInstr, AddInstr, EnvInstr, LabelInstr, ArgInstr, CmdInstr,
                 EntrypointInstr, ShellInstr, WorkdirInstr, UserInstr, ExposeInstr, VolumeInstr,
                 StopSignalInstr, HealthcheckInstr, OnbuildInstr, MaintainerInstr>;

struct Located {
  Instruction instr;
  SourceInfo src;
};

// Upper-case keyword of an instruction ("RUN", "COPY", ...).
const char* instruction_name(const Instruction& instr);

// ---- stages and the whole file ------------------------------------------------

struct Stage {
  std::string name;       // lower-cased `AS` name; empty when unnamed
  std::string base_name;  // image or stage reference, raw and unexpanded
  std::string platform;   // --platform, raw and unexpanded; empty when absent
  int index = 0;          // 0-based position among the stages
  SourceInfo src;         // the FROM instruction
  std::vector<Located> commands;
};

// A global ARG (before the first FROM), with where it was declared.
struct MetaArg {
  ArgInstr arg;
  SourceInfo src;
};

struct ParsedDockerfile {
  std::vector<MetaArg> meta_args;
  std::vector<Stage> stages;
  char escape_token = '\\';
  std::string file;                     // display name for errors
  // The parser's warnings, then this stage's build checks as
  // "<Rule>: <message>" (StageNameCasing, FromAsCasing, MaintainerDeprecated).
  std::vector<ast::Warning> warnings;
  // Every build check that fired, skipped or not ("<Rule>: <message>"), so
  // that a BUILDKIT_DOCKERFILE_CHECK build arg can replace the directive.
  std::vector<CheckFinding> checks;
  std::string check_directive;  // value of `# check=`, or ""
  // The document's text (shared, not copied) and where each physical line
  // starts, so later stages can quote the offending line in errors.
  std::shared_ptr<const std::string> source;
  std::vector<size_t> line_offsets;

  // Physical line `line` (1-based) without its terminator; "" if unknown.
  std::string_view line_text(int line) const;
};

// Turns the parser's document into typed instructions, checking every
// instruction as BuildKit's instructions package does. Stops at the first
// error, which carries the file, line, column and offending line. Pure:
// no I/O, no shared state; safe to call from several threads.
base::Result<ParsedDockerfile> parse_instructions(const ast::Document& doc);

// Parses one node (as used for ONBUILD triggers and by tests). `doc` supplies
// the file name and source lines for error positions.
base::Result<Located> parse_instruction(const ast::Node& node, const ast::Document& doc);

}  // namespace frontend::instructions
