// Unit tests of the metadata, command and HEALTHCHECK/ONBUILD instructions on
// parser nodes built in code.
#include "frontend/instructions/instructions.h"

#include <gtest/gtest.h>

#include <memory>

#include "frontend/instructions/test_doc_builder.h"

namespace frontend::instructions {
namespace {

using namespace testing_util;

// ---- ENV / LABEL / ARG ---------------------------------------------------------------

TEST(Env, Pairs) {
  DocBuilder b = with_from();
  b.add("ENV A=1 B=\"two words\"", {"A", "1", "=", "B", "\"two words\"", "="});
  b.add("ENV C three words", {"C", "three words", ""});
  ParsedDockerfile p = parse_ok(b);
  const auto& e1 = std::get<EnvInstr>(p.stages[0].commands[0].instr);
  ASSERT_EQ(e1.pairs.size(), 2u);
  EXPECT_EQ(e1.pairs[0].key, "A");
  EXPECT_EQ(e1.pairs[0].value, "1");
  EXPECT_FALSE(e1.pairs[0].legacy_form);
  EXPECT_EQ(e1.pairs[1].value, "\"two words\"");
  const auto& e2 = std::get<EnvInstr>(p.stages[0].commands[1].instr);
  ASSERT_EQ(e2.pairs.size(), 1u);
  EXPECT_EQ(e2.pairs[0].value, "three words");
  EXPECT_TRUE(e2.pairs[0].legacy_form);
}

TEST(Env, Errors) {
  EXPECT_EQ(err_of("ENV", {}).message, "ENV requires at least one argument");
  EXPECT_EQ(err_of("ENV k", {"k"}).message, "ENV must have two arguments");
  EXPECT_EQ(err_of("ENV =v", {"", "v", "="}).message, "ENV names can not be blank");
  EXPECT_EQ(err_of("ENV a b c d", {"a", "b", "=", "c"}).message, "bad input to ENV, too many arguments");
  EXPECT_EQ(err_of("ENV --x a=b", {"a", "b", "="}, {"--x"}).message, "unknown flag: x");
}

TEST(Label, PairsAndErrors) {
  DocBuilder b = with_from();
  b.add("LABEL a=b c=d", {"a", "b", "=", "c", "d", "="});
  LabelInstr l = only<LabelInstr>(b);
  ASSERT_EQ(l.pairs.size(), 2u);
  EXPECT_EQ(l.pairs[1].key, "c");
  EXPECT_EQ(l.pairs[1].value, "d");
  EXPECT_EQ(err_of("LABEL", {}).message, "LABEL requires at least one argument");
  EXPECT_EQ(err_of("LABEL =x", {"", "x", "="}).message, "LABEL names can not be blank");
  EXPECT_EQ(err_of("LABEL k", {"k"}).message, "LABEL must have two arguments");
}

TEST(Arg, NamesAndDefaults) {
  DocBuilder b = with_from();
  b.add("ARG A B=2 C= D=x=y", {"A", "B=2", "C=", "D=x=y"});
  ArgInstr a = only<ArgInstr>(b);
  ASSERT_EQ(a.args.size(), 4u);
  EXPECT_EQ(a.args[0].name, "A");
  EXPECT_FALSE(a.args[0].default_value.has_value());
  EXPECT_EQ(a.args[1].default_value, "2");
  EXPECT_EQ(a.args[2].default_value, "");
  EXPECT_EQ(a.args[3].name, "D");
  EXPECT_EQ(a.args[3].default_value, "x=y");
}

TEST(Arg, Errors) {
  EXPECT_EQ(err_of("ARG", {}).message, "ARG requires at least one argument");
  base::Error e = err_of("ARG A =x", {"A", "=x"});
  EXPECT_EQ(e.message, "ARG names can not be blank");
  EXPECT_EQ(e.pos->column, 7);
}

// ---- CMD / ENTRYPOINT / SHELL ---------------------------------------------------------

TEST(Cmd, Forms) {
  DocBuilder b = with_from();
  b.add("CMD echo $HOME", {"echo $HOME"});
  b.add("CMD [\"a\", \"b\"]", {"a", "b"}, {}, true);
  b.add("CMD []", {}, {}, true);
  ParsedDockerfile p = parse_ok(b);
  const auto& c0 = std::get<CmdInstr>(p.stages[0].commands[0].instr);
  EXPECT_EQ(c0.command.form, CommandForm::shell);
  EXPECT_EQ(c0.command.args, std::vector<std::string>{"echo $HOME"});
  const auto& c1 = std::get<CmdInstr>(p.stages[0].commands[1].instr);
  EXPECT_EQ(c1.command.form, CommandForm::exec);
  EXPECT_EQ(c1.command.args, (std::vector<std::string>{"a", "b"}));
  const auto& c2 = std::get<CmdInstr>(p.stages[0].commands[2].instr);
  EXPECT_TRUE(c2.command.args.empty());
  EXPECT_EQ(err_of("CMD --x echo", {"echo"}, {"--x"}).message, "unknown flag: x");
}

TEST(Entrypoint, Forms) {
  DocBuilder b = with_from();
  b.add("ENTRYPOINT [\"/bin/app\"]", {"/bin/app"}, {}, true);
  EntrypointInstr e = only<EntrypointInstr>(b);
  EXPECT_EQ(e.command.form, CommandForm::exec);
  EXPECT_EQ(e.command.args, std::vector<std::string>{"/bin/app"});
  DocBuilder c = with_from();
  c.add("ENTRYPOINT exec app", {"exec app"});
  EXPECT_EQ(only<EntrypointInstr>(c).command.form, CommandForm::shell);
  EXPECT_EQ(err_of("ENTRYPOINT --x a", {"a"}, {"--x"}).message, "unknown flag: x");
}

TEST(Shell, JsonOnly) {
  DocBuilder b = with_from();
  b.add("SHELL [\"/bin/bash\", \"-c\"]", {"/bin/bash", "-c"}, {}, true);
  EXPECT_EQ(only<ShellInstr>(b).shell, (std::vector<std::string>{"/bin/bash", "-c"}));
  base::Error e = err_of("SHELL /bin/bash -c", {"/bin/bash -c"});
  EXPECT_EQ(e.message, "SHELL requires the arguments to be in JSON form");
  EXPECT_FALSE(e.hint.empty());
  EXPECT_EQ(err_of("SHELL []", {}, {}, true).message, "SHELL requires at least one argument");
}

// ---- single-value instructions -------------------------------------------------------

TEST(Single, WorkdirUserStopsignalMaintainer) {
  DocBuilder b = with_from();
  b.add("WORKDIR /app dir", {"/app dir"});
  b.add("USER app:app", {"app:app"});
  b.add("STOPSIGNAL SIGKILL", {"SIGKILL"});
  b.add("MAINTAINER Jane <j@e.com>", {"Jane <j@e.com>"});
  ParsedDockerfile p = parse_ok(b);
  ASSERT_EQ(p.stages[0].commands.size(), 4u);
  EXPECT_EQ(std::get<WorkdirInstr>(p.stages[0].commands[0].instr).path, "/app dir");
  EXPECT_EQ(std::get<UserInstr>(p.stages[0].commands[1].instr).user, "app:app");
  EXPECT_EQ(std::get<StopSignalInstr>(p.stages[0].commands[2].instr).signal, "SIGKILL");
  EXPECT_EQ(std::get<MaintainerInstr>(p.stages[0].commands[3].instr).maintainer, "Jane <j@e.com>");
}

TEST(Single, ExactlyOneArgument) {
  EXPECT_EQ(err_of("WORKDIR", {}).message, "WORKDIR requires exactly one argument");
  EXPECT_EQ(err_of("USER", {}).message, "USER requires exactly one argument");
  EXPECT_EQ(err_of("STOPSIGNAL", {}).message, "STOPSIGNAL requires exactly one argument");
  EXPECT_EQ(err_of("MAINTAINER", {}).message, "MAINTAINER requires exactly one argument");
  EXPECT_EQ(err_of("WORKDIR a b", {"a", "b"}).message, "WORKDIR requires exactly one argument");
  EXPECT_EQ(err_of("WORKDIR --x /a", {"/a"}, {"--x"}).message, "unknown flag: x");
  EXPECT_EQ(err_of("USER --x a", {"a"}, {"--x"}).message, "unknown flag: x");
  EXPECT_EQ(err_of("MAINTAINER --x a", {"a"}, {"--x"}).message, "unknown flag: x");
}

TEST(Single, StopsignalIgnoresFlagsLikeBuildKit) {
  DocBuilder b = with_from();
  b.add("STOPSIGNAL --x SIGTERM", {"SIGTERM"}, {"--x"});
  EXPECT_EQ(only<StopSignalInstr>(b).signal, "SIGTERM");
}

TEST(Expose, SortedPorts) {
  DocBuilder b = with_from();
  b.add("EXPOSE 8080 443/tcp 53/udp 8000-8010", {"8080", "443/tcp", "53/udp", "8000-8010"});
  EXPECT_EQ(only<ExposeInstr>(b).ports,
            (std::vector<std::string>{"443/tcp", "53/udp", "8000-8010", "8080"}));
  EXPECT_EQ(err_of("EXPOSE", {}).message, "EXPOSE requires at least one argument");
  EXPECT_EQ(err_of("EXPOSE --x 80", {"80"}, {"--x"}).message, "unknown flag: x");
}

TEST(Volume, ListsAndEmpty) {
  DocBuilder b = with_from();
  b.add("VOLUME [\" /data \", \"/logs\"]", {" /data ", "/logs"}, {}, true);
  EXPECT_EQ(only<VolumeInstr>(b).volumes, (std::vector<std::string>{"/data", "/logs"}));
  EXPECT_EQ(err_of("VOLUME", {}).message, "VOLUME requires at least one argument");
  EXPECT_EQ(err_of("VOLUME [\"\"]", {""}, {}, true).message, "VOLUME specified can not be an empty string");
  EXPECT_EQ(err_of("VOLUME [\"/a\", \"  \"]", {"/a", "  "}, {}, true).message,
            "VOLUME specified can not be an empty string");
}

// ---- HEALTHCHECK ---------------------------------------------------------------------

TEST(Healthcheck, CmdShellAndExec) {
  DocBuilder b = with_from();
  b.add("HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=500ms --retries=5 CMD curl -f http://localhost/",
        {"CMD", "curl -f http://localhost/"},
        {"--interval=5m", "--timeout=3s", "--start-period=1m30s", "--start-interval=500ms", "--retries=5"});
  b.add("HEALTHCHECK cmd [\"/bin/check\", \"-q\"]", {"cmd", "/bin/check", "-q"}, {}, true);
  ParsedDockerfile p = parse_ok(b);
  const auto& h = std::get<HealthcheckInstr>(p.stages[0].commands[0].instr);
  EXPECT_EQ(h.kind, HealthcheckInstr::Kind::cmd_shell);
  EXPECT_EQ(h.command, std::vector<std::string>{"curl -f http://localhost/"});
  EXPECT_EQ(h.interval_ns, 300 * k_s);
  EXPECT_EQ(h.timeout_ns, 3 * k_s);
  EXPECT_EQ(h.start_period_ns, 90 * k_s);
  EXPECT_EQ(h.start_interval_ns, k_s / 2);
  EXPECT_EQ(h.retries, 5);
  EXPECT_EQ(h.test(), (std::vector<std::string>{"CMD-SHELL", "curl -f http://localhost/"}));
  const auto& x = std::get<HealthcheckInstr>(p.stages[0].commands[1].instr);
  EXPECT_EQ(x.kind, HealthcheckInstr::Kind::cmd);
  EXPECT_EQ(x.test(), (std::vector<std::string>{"CMD", "/bin/check", "-q"}));
  EXPECT_EQ(x.interval_ns, 0);
  EXPECT_EQ(x.retries, 0);
}

TEST(Healthcheck, None) {
  DocBuilder b = with_from();
  b.add("HEALTHCHECK none", {"none"});
  HealthcheckInstr h = only<HealthcheckInstr>(b);
  EXPECT_EQ(h.kind, HealthcheckInstr::Kind::none);
  EXPECT_EQ(h.test(), std::vector<std::string>{"NONE"});
  EXPECT_EQ(err_of("HEALTHCHECK NONE x", {"NONE", "x"}).message, "HEALTHCHECK NONE takes no arguments");
}

TEST(Healthcheck, ZeroDurationsAndRetries) {
  DocBuilder b = with_from();
  b.add("HEALTHCHECK --interval=0 --timeout=0s --retries=0 CMD true", {"CMD", "true"},
        {"--interval=0", "--timeout=0s", "--retries=0"});
  HealthcheckInstr h = only<HealthcheckInstr>(b);
  EXPECT_EQ(h.interval_ns, 0);
  EXPECT_EQ(h.timeout_ns, 0);
  EXPECT_EQ(h.retries, 0);
}

TEST(Healthcheck, Errors) {
  EXPECT_EQ(err_of("HEALTHCHECK", {}).message, "HEALTHCHECK requires at least one argument");
  base::Error e = err_of("HEALTHCHECK TEST true", {"TEST", "true"});
  EXPECT_EQ(e.message, "unknown type \"TEST\" in HEALTHCHECK (try CMD)");
  EXPECT_EQ(err_of("HEALTHCHECK CMD []", {"CMD"}, {}, true).message, "missing command after HEALTHCHECK CMD");
  e = err_of("HEALTHCHECK --interval=1d CMD true", {"CMD", "true"}, {"--interval=1d"});
  EXPECT_EQ(e.message, "time: unknown unit \"d\" in duration \"1d\"");
  EXPECT_EQ(e.pos->column, 13);
  EXPECT_EQ(err_of("HEALTHCHECK --timeout=5 CMD true", {"CMD", "true"}, {"--timeout=5"}).message,
            "time: missing unit in duration \"5\"");
  EXPECT_EQ(err_of("HEALTHCHECK --interval=500us CMD true", {"CMD", "true"}, {"--interval=500us"}).message,
            "interval \"interval\" cannot be less than 1ms");
  EXPECT_EQ(err_of("HEALTHCHECK --start-period=-1s CMD true", {"CMD", "true"}, {"--start-period=-1s"}).message,
            "interval \"start-period\" cannot be less than 1ms");
  EXPECT_EQ(err_of("HEALTHCHECK --retries=-1 CMD true", {"CMD", "true"}, {"--retries=-1"}).message,
            "--retries cannot be negative (-1)");
  EXPECT_EQ(err_of("HEALTHCHECK --retries=many CMD true", {"CMD", "true"}, {"--retries=many"}).message,
            "strconv.ParseInt: parsing \"many\": invalid syntax");
  EXPECT_EQ(err_of("HEALTHCHECK --retry=3 CMD true", {"CMD", "true"}, {"--retry=3"}).message,
            "unknown flag: retry");
  EXPECT_EQ(err_of("HEALTHCHECK --interval CMD true", {"CMD", "true"}, {"--interval"}).message,
            "missing a value on flag: interval");
}

// ---- ONBUILD -------------------------------------------------------------------------

TEST(Onbuild, TriggerTextAndParsedInstruction) {
  DocBuilder b = with_from();
  ast::Node& n = b.add("ONBUILD RUN --network=none make", {});
  auto sub = std::make_shared<ast::Node>();
  sub->keyword = "RUN";
  sub->flags = {"--network=none"};
  sub->args = {"make"};
  sub->original = "RUN --network=none make";
  n.sub = sub;
  OnbuildInstr o = only<OnbuildInstr>(b);
  EXPECT_EQ(o.expression, "RUN --network=none make");
  ASSERT_EQ(o.trigger.size(), 1u);
  const auto* run = std::get_if<RunInstr>(&o.trigger[0].instr);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->network, NetworkMode::none);
  EXPECT_EQ(o.trigger[0].src.start_line, 2);
}

TEST(Onbuild, HeredocAppendedToExpression) {
  DocBuilder b = with_from();
  ast::Node& n = b.add("onbuild COPY <<EOF /x", {});
  auto sub = std::make_shared<ast::Node>();
  sub->keyword = "COPY";
  sub->args = {"<<EOF", "/x"};
  sub->heredocs.push_back(ast::Heredoc{"EOF", "hello\n", true, false, 0});
  n.sub = sub;
  OnbuildInstr o = only<OnbuildInstr>(b);
  EXPECT_EQ(o.expression, "COPY <<EOF /x\nhello\nEOF");
  ASSERT_EQ(o.trigger.size(), 1u);
  EXPECT_EQ(std::get<CopyInstr>(o.trigger[0].instr).heredoc_sources.at(0).content, "hello\n");
}

TEST(Onbuild, BadTriggerIsKeptAsText) {
  DocBuilder b = with_from();
  ast::Node& n = b.add("ONBUILD COPPY a b", {});
  auto sub = std::make_shared<ast::Node>();
  sub->keyword = "COPPY";
  sub->args = {""};
  n.sub = sub;
  OnbuildInstr o = only<OnbuildInstr>(b);
  EXPECT_EQ(o.expression, "COPPY a b");
  EXPECT_TRUE(o.trigger.empty());
}

TEST(Onbuild, ForbiddenTriggers) {
  for (auto [kw, msg] : {std::pair{"ONBUILD", "chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"},
                         std::pair{"from", "FROM isn't allowed as an ONBUILD trigger"},
                         std::pair{"Maintainer", "MAINTAINER isn't allowed as an ONBUILD trigger"}}) {
    DocBuilder b = with_from();
    ast::Node& n = b.add(std::string("ONBUILD ") + kw + " x", {});
    auto sub = std::make_shared<ast::Node>();
    sub->keyword = kw;
    sub->args = {"x"};
    n.sub = sub;
    EXPECT_EQ(parse_err(b).message, msg);
  }
  EXPECT_EQ(err_of("ONBUILD", {}).message, "ONBUILD requires at least one argument");
}

// ---- SourceInfo / names ----------------------------------------------------------------

TEST(Located, SourceInfoAndNames) {
  DocBuilder b = with_from();
  b.add("  RUN x", {"x"});
  ParsedDockerfile p = parse_ok(b);
  const Located& l = p.stages[0].commands[0];
  EXPECT_EQ(l.src.start_line, 2);
  EXPECT_EQ(l.src.end_line, 2);
  EXPECT_EQ(l.src.column, 3);
  EXPECT_EQ(l.src.original, "  RUN x");
  EXPECT_STREQ(instruction_name(l.instr), "RUN");
  EXPECT_STREQ(instruction_name(Instruction{HealthcheckInstr{}}), "HEALTHCHECK");
  EXPECT_STREQ(instruction_name(Instruction{OnbuildInstr{}}), "ONBUILD");
}

}  // namespace
}  // namespace frontend::instructions

