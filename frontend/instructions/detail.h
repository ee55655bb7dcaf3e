#pragma once
// Internal to frontend/instructions: what each per-instruction parser gets,
// and how errors are placed on the Dockerfile text.

#include <string>
#include <string_view>

#include "base/result.h"
#include "frontend/instructions/bflags.h"
#include "frontend/instructions/instructions.h"
#include "frontend/parser/ast.h"

namespace frontend::instructions::detail {

// One node being turned into an instruction.
struct Request {
  const ast::Node& node;
  const ast::Document& doc;
  std::string keyword;  // upper-cased
};

// An error at the instruction. When `needle` is given and found on one of
// the instruction's physical lines, the column points at it instead of the
// keyword (a flag, a stage name, ...).
base::Error error_at(const Request& req, std::string message, std::string hint = {},
                     std::string_view needle = {});

// An error about the node's flag word number `flag_index`; the column points
// at that flag's "--" (found in order on the instruction's physical lines).
base::Error error_at_flag(const Request& req, size_t flag_index, std::string message,
                          std::string hint = {});

// The index in node.flags of the last word for flag `name` ("network"), or
// the number of flags when absent.
size_t flag_index(const Request& req, std::string_view name);

// Parses the node's flags into `flags`, placing a failure on the bad flag.
base::Result<void> parse_flags(const Request& req, FlagSet& flags);

// BuildKit's handleJSONArgs: exec form keeps the array, shell form joins the
// words into one command string.
CommandLine command_line(const Request& req);

// Per-instruction parsers (commands_*.cc).
base::Result<Instruction> parse_run(const Request& req);
base::Result<Instruction> parse_copy(const Request& req);
base::Result<Instruction> parse_add(const Request& req);
base::Result<Instruction> parse_env(const Request& req);
base::Result<Instruction> parse_label(const Request& req);
base::Result<Instruction> parse_arg(const Request& req);
base::Result<Instruction> parse_cmd(const Request& req);
base::Result<Instruction> parse_entrypoint(const Request& req);
base::Result<Instruction> parse_shell(const Request& req);
base::Result<Instruction> parse_workdir(const Request& req);
base::Result<Instruction> parse_user(const Request& req);
base::Result<Instruction> parse_expose(const Request& req);
base::Result<Instruction> parse_volume(const Request& req);
base::Result<Instruction> parse_stopsignal(const Request& req);
base::Result<Instruction> parse_maintainer(const Request& req);
base::Result<Instruction> parse_healthcheck(const Request& req);
base::Result<Instruction> parse_onbuild(const Request& req);

// FROM starts a stage rather than producing an instruction.
base::Result<Stage> parse_from(const Request& req);

}  // namespace frontend::instructions::detail
