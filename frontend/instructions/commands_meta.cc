// Instructions that only record metadata or a single value: ENV, LABEL,
// ARG, CMD, ENTRYPOINT, SHELL, WORKDIR, USER, EXPOSE, VOLUME, STOPSIGNAL,
// MAINTAINER.
#include <algorithm>

#include "frontend/instructions/detail.h"

namespace frontend::instructions::detail {
namespace {

base::Error at_least_one(const Request& req) {
  return error_at(req, req.keyword + " requires at least one argument");
}

base::Error exactly_one(const Request& req) {
  return error_at(req, req.keyword + " requires exactly one argument");
}

base::Result<void> no_flags(const Request& req) {
  FlagSet flags;
  return parse_flags(req, flags);
}

// ENV/LABEL arguments come from the parser as [key, value, separator]
// triples; the separator is "=" or "" for the legacy `ENV key value` form.
base::Result<std::vector<KeyValue>> key_values(const Request& req) {
  const auto& args = req.node.args;
  if (args.empty()) return at_least_one(req);
  if (args.size() % 3 != 0) {
    if (args.size() == 1)
      return error_at(req, req.keyword + " must have two arguments",
                      "write " + req.keyword + " " + args[0] + "=<value>");
    return error_at(req, "bad input to " + req.keyword + ", too many arguments");
  }
  std::vector<KeyValue> out;
  for (size_t i = 0; i < args.size(); i += 3) {
    if (args[i].empty()) return error_at(req, req.keyword + " names can not be blank");
    out.push_back(KeyValue{args[i], args[i + 1], args[i + 2].empty()});
  }
  return out;
}

}  // namespace

base::Result<Instruction> parse_env(const Request& req) {
  TRY(no_flags(req));
  TRY_ASSIGN(auto pairs, key_values(req));
  return Instruction{EnvInstr{std::move(pairs)}};
}

base::Result<Instruction> parse_label(const Request& req) {
  TRY(no_flags(req));
  TRY_ASSIGN(auto pairs, key_values(req));
  return Instruction{LabelInstr{std::move(pairs)}};
}

// BuildKit reads no flags for ARG, so flag words are ignored, not rejected.
base::Result<Instruction> parse_arg(const Request& req) {
  if (req.node.args.empty()) return at_least_one(req);
  ArgInstr arg;
  for (const auto& word : req.node.args) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) {
      arg.args.push_back(ArgPair{word, std::nullopt});
      continue;
    }
    if (eq == 0)
      return error_at(req, "ARG names can not be blank", "write ARG <name>[=<default>]", word);
    arg.args.push_back(ArgPair{word.substr(0, eq), word.substr(eq + 1)});
  }
  return Instruction{std::move(arg)};
}

base::Result<Instruction> parse_cmd(const Request& req) {
  TRY(no_flags(req));
  return Instruction{CmdInstr{command_line(req)}};
}

base::Result<Instruction> parse_entrypoint(const Request& req) {
  TRY(no_flags(req));
  return Instruction{EntrypointInstr{command_line(req)}};
}

base::Result<Instruction> parse_shell(const Request& req) {
  TRY(no_flags(req));
  CommandLine c = command_line(req);
  if (c.args.empty()) return at_least_one(req);
  if (c.form != CommandForm::exec)
    return error_at(req, "SHELL requires the arguments to be in JSON form",
                    "write SHELL [\"executable\", \"parameters\"], e.g. SHELL [\"/bin/bash\", \"-c\"]");
  return Instruction{ShellInstr{std::move(c.args)}};
}

base::Result<Instruction> parse_workdir(const Request& req) {
  if (req.node.args.size() != 1) return exactly_one(req);
  TRY(no_flags(req));
  return Instruction{WorkdirInstr{req.node.args[0]}};
}

base::Result<Instruction> parse_user(const Request& req) {
  if (req.node.args.size() != 1) return exactly_one(req);
  TRY(no_flags(req));
  return Instruction{UserInstr{req.node.args[0]}};
}

base::Result<Instruction> parse_expose(const Request& req) {
  if (req.node.args.empty()) return at_least_one(req);
  TRY(no_flags(req));
  ExposeInstr e{req.node.args};
  std::sort(e.ports.begin(), e.ports.end());
  return Instruction{std::move(e)};
}

base::Result<Instruction> parse_volume(const Request& req) {
  if (req.node.args.empty()) return at_least_one(req);
  TRY(no_flags(req));
  VolumeInstr v;
  for (const auto& arg : req.node.args) {
    size_t b = arg.find_first_not_of(" \t\r\n\v\f");
    if (b == std::string::npos)
      return error_at(req, "VOLUME specified can not be an empty string",
                      "give the path of the volume, e.g. VOLUME /data");
    size_t e = arg.find_last_not_of(" \t\r\n\v\f");
    v.volumes.push_back(arg.substr(b, e - b + 1));
  }
  return Instruction{std::move(v)};
}

// BuildKit reads no flags for STOPSIGNAL either.
base::Result<Instruction> parse_stopsignal(const Request& req) {
  if (req.node.args.size() != 1) return exactly_one(req);
  return Instruction{StopSignalInstr{req.node.args[0]}};
}

base::Result<Instruction> parse_maintainer(const Request& req) {
  if (req.node.args.size() != 1) return exactly_one(req);
  TRY(no_flags(req));
  return Instruction{MaintainerInstr{req.node.args[0]}};
}

}  // namespace frontend::instructions::detail
