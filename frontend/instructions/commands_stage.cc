// FROM (which starts a stage), HEALTHCHECK and ONBUILD.
#include <cctype>

#include "base/strings.h"
#include "frontend/instructions/detail.h"
#include "frontend/instructions/go_parse.h"

namespace frontend::instructions::detail {
namespace {

// ^[a-z][a-z0-9-_.]*$
bool valid_stage_name(std::string_view name) {
  if (name.empty() || !(name[0] >= 'a' && name[0] <= 'z')) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

constexpr int64_t k_min_duration_ns = 1000 * 1000;  // 1ms, Docker's minimum

// An optional HEALTHCHECK duration flag: "" → 0, 0 → 0, else ≥ 1ms.
base::Result<int64_t> interval(const Request& req, const FlagSet& flags, const std::string& name) {
  const std::string& value = flags.get_string(name);
  if (value.empty()) return int64_t{0};
  auto d = parse_go_duration(value);
  if (!d.ok())
    return error_at_flag(req, flag_index(req, name), d.error().message,
                         "durations look like 30s, 1m30s or 500ms (units ns, us, ms, s, m, h)");
  if (*d == 0) return int64_t{0};
  if (*d < k_min_duration_ns)
    return error_at_flag(req, flag_index(req, name),
                         "interval \"" + name + "\" cannot be less than 1ms",
                         "use 0 for the default or a duration of at least 1ms");
  return *d;
}

}  // namespace

base::Result<Stage> parse_from(const Request& req) {
  const auto& args = req.node.args;
  Stage stage;
  if (args.size() == 3 && base::ascii_iequals(args[1], "as")) {
    stage.name = base::ascii_lower(args[2]);
    if (!valid_stage_name(stage.name))
      return error_at(req,
                      "invalid name for build stage: \"" + args[2] +
                          "\", name can't start with a number or contain symbols",
                      "stage names match [a-z][a-z0-9-_.]*", args[2]);
  } else if (args.size() != 1) {
    return error_at(req, "FROM requires either one or three arguments",
                    "write FROM <image> or FROM <image> AS <name>");
  }
  FlagSet flags;
  flags.add_string("platform");
  TRY(parse_flags(req, flags));
  stage.base_name = args[0];
  stage.platform = flags.get_string("platform");
  return stage;
}

base::Result<Instruction> parse_healthcheck(const Request& req) {
  const auto& args = req.node.args;
  if (args.empty()) return error_at(req, "HEALTHCHECK requires at least one argument");
  HealthcheckInstr h;
  std::string type = base::ascii_upper(args[0]);
  if (type == "NONE") {
    // BuildKit reads no flags for HEALTHCHECK NONE.
    if (args.size() != 1) return error_at(req, "HEALTHCHECK NONE takes no arguments");
    h.kind = HealthcheckInstr::Kind::none;
    return Instruction{std::move(h)};
  }
  FlagSet flags;
  flags.add_string("interval");
  flags.add_string("timeout");
  flags.add_string("start-period");
  flags.add_string("start-interval");
  flags.add_string("retries");
  TRY(parse_flags(req, flags));

  if (type != "CMD")
    return error_at(req, "unknown type \"" + type + "\" in HEALTHCHECK (try CMD)",
                    "write HEALTHCHECK [options] CMD <command> or HEALTHCHECK NONE", args[0]);
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (req.node.json) {
    if (rest.empty()) return error_at(req, "missing command after HEALTHCHECK CMD");
    h.kind = HealthcheckInstr::Kind::cmd;
    h.command = std::move(rest);
  } else {
    std::string joined;
    for (size_t i = 0; i < rest.size(); ++i) joined += (i ? " " : "") + rest[i];
    h.kind = HealthcheckInstr::Kind::cmd_shell;
    h.command.push_back(std::move(joined));
  }
  TRY_ASSIGN(h.interval_ns, interval(req, flags, "interval"));
  TRY_ASSIGN(h.timeout_ns, interval(req, flags, "timeout"));
  TRY_ASSIGN(h.start_period_ns, interval(req, flags, "start-period"));
  TRY_ASSIGN(h.start_interval_ns, interval(req, flags, "start-interval"));
  const std::string& retries = flags.get_string("retries");
  if (!retries.empty()) {
    auto n = parse_go_int(retries, 32);
    if (!n.ok())
      return error_at_flag(req, flag_index(req, "retries"), n.error().message,
                           "--retries takes a whole number");
    if (*n < 0)
      return error_at_flag(req, flag_index(req, "retries"),
                           "--retries cannot be negative (" + std::to_string(*n) + ")");
    h.retries = static_cast<int>(*n);
  }
  return Instruction{std::move(h)};
}

base::Result<Instruction> parse_onbuild(const Request& req) {
  const ast::Node* sub = req.node.sub.get();
  if (!sub || sub->keyword.empty()) return error_at(req, "ONBUILD requires at least one argument");
  {
    FlagSet flags;
    TRY(parse_flags(req, flags));
  }
  std::string trigger = base::ascii_upper(sub->keyword);
  if (trigger == "ONBUILD")
    return error_at(req, "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (trigger == "MAINTAINER" || trigger == "FROM")
    return error_at(req, trigger + " isn't allowed as an ONBUILD trigger");

  OnbuildInstr o;
  // The stored expression is the line minus its leading "ONBUILD" keyword.
  std::string_view original = req.node.original;
  size_t i = 0;
  while (i < original.size() && std::isspace(static_cast<unsigned char>(original[i]))) ++i;
  if (base::ascii_iequals(original.substr(i, 7), "onbuild")) {
    i += 7;
    while (i < original.size() && std::isspace(static_cast<unsigned char>(original[i]))) ++i;
    o.expression = std::string(original.substr(i));
  } else {
    o.expression = std::string(original);
  }
  const auto& heredocs = req.node.heredocs.empty() ? sub->heredocs : req.node.heredocs;
  for (const auto& h : heredocs) o.expression += "\n" + h.content + h.name;

  // BuildKit checks a trigger only when the image is used as a base, so a
  // trigger that does not parse is kept as text, not rejected here.
  ast::Node inner = *sub;
  if (inner.start_line == 0) {
    inner.start_line = req.node.start_line;
    inner.end_line = req.node.end_line;
    inner.column = req.node.column;
  }
  if (inner.original.empty()) inner.original = o.expression;
  // The parser may hang the heredoc bodies on the ONBUILD node itself.
  if (inner.heredocs.empty()) inner.heredocs = req.node.heredocs;
  auto parsed = parse_instruction(inner, req.doc);
  if (parsed.ok()) o.trigger.push_back(std::move(*parsed));
  return Instruction{std::move(o)};
}

}  // namespace frontend::instructions::detail
