// Unit tests of the instruction stage on parser nodes built in code, so that
// they do not depend on the parser. Text-driven tests live in
// tests/frontend_instructions/.
#include "frontend/instructions/instructions.h"

#include <gtest/gtest.h>

#include <memory>

#include "frontend/instructions/test_doc_builder.h"

namespace frontend::instructions {
namespace {

using namespace testing_util;

// ---- stages -------------------------------------------------------------------

TEST(Stages, FromForms) {
  DocBuilder b;
  b.add("ARG BASE=alpine", {"BASE=alpine"});
  b.add("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build", {"golang:1.22", "AS", "Build"},
        {"--platform=$BUILDPLATFORM"});
  b.add("RUN go build", {"go build"});
  b.add("from ${BASE} as runtime.v2_x-y", {"${BASE}", "as", "runtime.v2_x-y"});
  b.add("FROM scratch", {"scratch"});
  ParsedDockerfile p = parse_ok(b);
  ASSERT_EQ(p.meta_args.size(), 1u);
  EXPECT_EQ(p.meta_args[0].arg.args[0].name, "BASE");
  EXPECT_EQ(p.meta_args[0].arg.args[0].default_value, "alpine");
  EXPECT_EQ(p.meta_args[0].src.start_line, 1);
  ASSERT_EQ(p.stages.size(), 3u);
  EXPECT_EQ(p.stages[0].name, "build");
  EXPECT_EQ(p.stages[0].base_name, "golang:1.22");
  EXPECT_EQ(p.stages[0].platform, "$BUILDPLATFORM");
  EXPECT_EQ(p.stages[0].index, 0);
  EXPECT_EQ(p.stages[0].src.start_line, 2);
  ASSERT_EQ(p.stages[0].commands.size(), 1u);
  EXPECT_EQ(p.stages[0].commands[0].src.start_line, 3);
  EXPECT_EQ(p.stages[1].name, "runtime.v2_x-y");
  EXPECT_EQ(p.stages[1].base_name, "${BASE}");
  EXPECT_EQ(p.stages[1].index, 1);
  EXPECT_EQ(p.stages[2].name, "");
  EXPECT_TRUE(p.stages[2].platform.empty());
  EXPECT_EQ(p.file, "Dockerfile");
}

TEST(Stages, FromArgumentCount) {
  DocBuilder b;
  b.add("FROM a b", {"a", "b"});
  base::Error e = parse_err(b);
  EXPECT_EQ(e.message, "FROM requires either one or three arguments");
  ASSERT_TRUE(e.pos.has_value());
  EXPECT_EQ(e.pos->line, 1);
  EXPECT_EQ(e.pos->column, 1);
  EXPECT_EQ(e.pos->line_text, "FROM a b");

  DocBuilder c;
  c.add("FROM a to b", {"a", "to", "b"});
  EXPECT_EQ(parse_err(c).message, "FROM requires either one or three arguments");
  DocBuilder d;
  d.add("FROM", {});
  EXPECT_EQ(parse_err(d).message, "FROM requires either one or three arguments");
}

TEST(Stages, InvalidStageNames) {
  for (std::string name : {"1build", "build!", "_x", "a/b", "a:b", "-a"}) {
    DocBuilder b;
    b.add("FROM alpine AS " + name, {"alpine", "AS", name});
    base::Error e = parse_err(b);
    EXPECT_EQ(e.message, "invalid name for build stage: \"" + name +
                             "\", name can't start with a number or contain symbols");
    EXPECT_EQ(e.pos->column, 16) << name;  // points at the name
  }
}

TEST(Stages, DuplicateStageName) {
  DocBuilder b;
  b.add("FROM alpine AS base", {"alpine", "AS", "base"});
  b.add("FROM debian AS BASE", {"debian", "AS", "BASE"});
  base::Error e = parse_err(b);
  EXPECT_EQ(e.message, "duplicate stage name \"base\"");
  EXPECT_EQ(e.pos->line, 2);
  EXPECT_EQ(e.pos->column, 16);
  EXPECT_NE(e.hint.find("line 1"), std::string::npos);
}

TEST(Stages, FromFlags) {
  DocBuilder b;
  b.add("FROM --plaform=linux/amd64 alpine", {"alpine"}, {"--plaform=linux/amd64"});
  base::Error e = parse_err(b);
  EXPECT_EQ(e.message, "unknown flag: plaform");
  EXPECT_EQ(e.hint, "did you mean --platform?");
  EXPECT_EQ(e.pos->column, 6);
  DocBuilder c;
  c.add("FROM --platform alpine", {"alpine"}, {"--platform"});
  EXPECT_EQ(parse_err(c).message, "missing a value on flag: platform");
}

TEST(Stages, InstructionBeforeFrom) {
  DocBuilder b;
  b.add("ARG A", {"A"});
  b.add("RUN echo", {"echo"});
  base::Error e = parse_err(b);
  EXPECT_EQ(e.message, "no build stage in current context");
  EXPECT_EQ(e.pos->line, 2);
  EXPECT_FALSE(e.hint.empty());
}

TEST(Stages, ArgAfterFromBelongsToStage) {
  DocBuilder b = with_from();
  b.add("ARG X", {"X"});
  ParsedDockerfile p = parse_ok(b);
  EXPECT_TRUE(p.meta_args.empty());
  ASSERT_EQ(p.stages[0].commands.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<ArgInstr>(p.stages[0].commands[0].instr));
}

TEST(Stages, KeepsParserWarningsAndEscape) {
  DocBuilder b = with_from();
  ast::Document d = b.build();
  d.escape_token = '`';
  d.warnings.push_back(ast::Warning{"Empty continuation line found in: RUN a", 3});
  auto r = parse_instructions(d);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->escape_token, '`');
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0].line, 3);
}

// Large files check their instructions on several threads; what comes out
// must be what a one-by-one pass gives: stages in order, warnings in line
// order, and the first error in the file.
TEST(Stages, LargeFileKeepsOrder) {
  DocBuilder b;
  for (int stage = 0; stage < 40; ++stage) {
    b.add("FROM alpine AS Stage" + std::to_string(stage), {"alpine", "AS", "Stage" + std::to_string(stage)});
    for (int i = 0; i < 30; ++i) b.add("RUN echo " + std::to_string(i), {"echo " + std::to_string(i)});
  }
  ParsedDockerfile p = parse_ok(b);
  ASSERT_EQ(p.stages.size(), 40u);
  for (size_t stage = 0; stage < 40; ++stage) {
    const int first_line = static_cast<int>(stage) * 31 + 1;
    EXPECT_EQ(p.stages[stage].name, "stage" + std::to_string(stage));
    EXPECT_EQ(p.stages[stage].index, static_cast<int>(stage));
    ASSERT_EQ(p.stages[stage].commands.size(), 30u);
    EXPECT_EQ(p.stages[stage].commands[29].src.start_line, first_line + 30);
    // One StageNameCasing warning per stage, in line order.
    ASSERT_EQ(p.warnings.size(), 40u);
    EXPECT_EQ(p.warnings[stage].line, first_line);
  }
}

TEST(Stages, LargeFileReportsTheFirstError) {
  DocBuilder b = with_from();
  for (int i = 0; i < 2000; ++i) {
    if (i == 300) b.add("RUN --bogus=1 a", {"a"}, {"--bogus=1"});
    else if (i == 1700) b.add("COPPY a b", {""});
    else b.add("RUN echo " + std::to_string(i), {"echo " + std::to_string(i)});
  }
  base::Error e = parse_err(b);
  EXPECT_EQ(e.message, "unknown flag: bogus");
  EXPECT_EQ(e.pos->line, 302);
}

TEST(Stages, UnknownInstruction) {
  base::Error e = err_of("COPPY a b", {""});
  EXPECT_EQ(e.message, "unknown instruction: COPPY");
  EXPECT_EQ(e.hint, "did you mean COPY?");
  EXPECT_EQ(e.pos->line, 2);
  EXPECT_EQ(e.pos->column, 1);
  EXPECT_EQ(e.render(), "Dockerfile:2:1: unknown instruction: COPPY\n 2 | COPPY a b\n   | ^\nhint: did you mean COPY?");
  e = err_of("  workdri /x", {""});
  EXPECT_EQ(e.message, "unknown instruction: workdri");
  EXPECT_EQ(e.hint, "did you mean workdir?");
  EXPECT_EQ(e.pos->column, 3);
  e = err_of("FROBNICATE x", {""});
  EXPECT_EQ(e.message, "unknown instruction: FROBNICATE");
  EXPECT_EQ(e.hint, "");
}

TEST(Stages, UnknownInstructionBeforeFromIsReportedAsUnknown) {
  DocBuilder b;
  b.add("RUNN x", {""});
  EXPECT_EQ(parse_err(b).message, "unknown instruction: RUNN");
}

// ---- RUN -----------------------------------------------------------------------

TEST(Run, ShellAndExecForms) {
  DocBuilder b = with_from();
  b.add("RUN echo hi", {"echo hi"});
  b.add("run [\"echo\", \"hi\"]", {"echo", "hi"}, {}, true);
  ParsedDockerfile p = parse_ok(b);
  const auto& shell = std::get<RunInstr>(p.stages[0].commands[0].instr);
  EXPECT_EQ(shell.command.form, CommandForm::shell);
  EXPECT_EQ(shell.command.args, std::vector<std::string>{"echo hi"});
  EXPECT_EQ(shell.network, NetworkMode::default_);
  EXPECT_FALSE(shell.network_set);
  EXPECT_EQ(shell.security, SecurityMode::sandbox);
  EXPECT_TRUE(shell.mounts.empty());
  const auto& exec = std::get<RunInstr>(p.stages[0].commands[1].instr);
  EXPECT_EQ(exec.command.form, CommandForm::exec);
  EXPECT_EQ(exec.command.args, (std::vector<std::string>{"echo", "hi"}));
  EXPECT_EQ(p.stages[0].commands[1].src.original, "run [\"echo\", \"hi\"]");
}

TEST(Run, Heredocs) {
  DocBuilder b = with_from();
  ast::Node& n = b.add("RUN <<EOF", {"<<EOF"});
  n.heredocs.push_back(ast::Heredoc{"EOF", "echo hi\n", true, false, 0});
  RunInstr r = only<RunInstr>(b);
  ASSERT_EQ(r.command.heredocs.size(), 1u);
  EXPECT_EQ(r.command.heredocs[0].name, "EOF");
  EXPECT_EQ(r.command.heredocs[0].content, "echo hi\n");
  EXPECT_EQ(r.command.args, std::vector<std::string>{"<<EOF"});
}

TEST(Run, AllFlags) {
  DocBuilder b = with_from();
  b.add("RUN --mount=type=cache,target=/c --mount=type=secret,id=s --network=none --security=insecure --device=gpu x",
        {"x"},
        {"--mount=type=cache,target=/c", "--mount=type=secret,id=s", "--network=none",
         "--security=insecure", "--device=gpu"});
  RunInstr r = only<RunInstr>(b);
  ASSERT_EQ(r.mounts.size(), 2u);
  EXPECT_EQ(r.mounts[0].type, MountType::cache);
  EXPECT_EQ(r.mounts[0].target, "/c");
  EXPECT_EQ(r.mounts[1].type, MountType::secret);
  EXPECT_EQ(r.mounts[1].id, "s");
  EXPECT_EQ(r.network, NetworkMode::none);
  EXPECT_TRUE(r.network_set);
  EXPECT_EQ(r.security, SecurityMode::insecure);
  ASSERT_EQ(r.devices.size(), 1u);
  EXPECT_EQ(r.devices[0].name, "gpu");
  EXPECT_EQ(r.flags_used, (std::vector<std::string>{"device", "mount", "network", "security"}));
}

TEST(Run, NetworkModes) {
  for (auto [v, mode] : {std::pair{"default", NetworkMode::default_}, std::pair{"none", NetworkMode::none},
                         std::pair{"host", NetworkMode::host}}) {
    DocBuilder b = with_from();
    b.add(std::string("RUN --network=") + v + " x", {"x"}, {std::string("--network=") + v});
    EXPECT_EQ(only<RunInstr>(b).network, mode) << v;
  }
  base::Error e = err_of("RUN --network=bridge x", {"x"}, {"--network=bridge"});
  EXPECT_EQ(e.message, "invalid network mode \"bridge\"");
  EXPECT_EQ(e.pos->column, 5);
  EXPECT_EQ(err_of("RUN --network=$NET x", {"x"}, {"--network=$NET"}).message,
            "invalid network mode \"$NET\"");
}

TEST(Run, SecurityModes) {
  DocBuilder b = with_from();
  b.add("RUN --security=sandbox x", {"x"}, {"--security=sandbox"});
  EXPECT_EQ(only<RunInstr>(b).security, SecurityMode::sandbox);
  EXPECT_EQ(err_of("RUN --security=privileged x", {"x"}, {"--security=privileged"}).message,
            "security \"privileged\" is not valid");
}

TEST(Run, MountErrorsPointAtTheFlag) {
  base::Error e = err_of("RUN --mount=type=cache,target=/x,sharing=bad make", {"make"},
                         {"--mount=type=cache,target=/x,sharing=bad"});
  EXPECT_EQ(e.message, "unsupported sharing value \"bad\"");
  EXPECT_EQ(e.pos->column, 5);
  e = err_of("RUN --mount=type=cache,target=/a --mount=type=tmpfs,target=/t,uid=1 make", {"make"},
             {"--mount=type=cache,target=/a", "--mount=type=tmpfs,target=/t,uid=1"});
  EXPECT_EQ(e.message, "uid not allowed for \"tmpfs\" type mounts");
  EXPECT_EQ(e.pos->column, 34);
  e = err_of("RUN --mount=type=volume make", {"make"}, {"--mount=type=volume"});
  EXPECT_EQ(e.message, "unsupported mount type \"volume\"");
}

TEST(Run, FlagErrors) {
  EXPECT_EQ(err_of("RUN --mount x", {"x"}, {"--mount"}).message, "missing a value on flag: mount");
  base::Error dup = err_of("RUN --network=none --network=host x", {"x"}, {"--network=none", "--network=host"});
  EXPECT_EQ(dup.message, "duplicate flag specified: network");
  EXPECT_EQ(dup.pos->column, 20);
  base::Error e = err_of("RUN --mout=type=cache x", {"x"}, {"--mout=type=cache"});
  EXPECT_EQ(e.message, "unknown flag: mout");
  EXPECT_EQ(e.hint, "did you mean --mount?");
  EXPECT_EQ(err_of("RUN --device x", {"x"}, {"--device"}).message, "missing a value on flag: device");
  EXPECT_EQ(err_of("RUN --device=a,b x", {"x"}, {"--device=a,b"}).message,
            "invalid field 'b' must be a key=value pair");
}

// ---- COPY / ADD ------------------------------------------------------------------

TEST(Copy, AllFlags) {
  DocBuilder b = with_from();
  b.add("COPY --from=build --chown=app:app --chmod=0755 --link --parents --exclude=*.md --exclude=tmp a b /dst/",
        {"a", "b", "/dst/"},
        {"--from=build", "--chown=app:app", "--chmod=0755", "--link", "--parents", "--exclude=*.md",
         "--exclude=tmp"});
  CopyInstr c = only<CopyInstr>(b);
  EXPECT_EQ(c.sources, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.dest, "/dst/");
  EXPECT_EQ(c.from, "build");
  EXPECT_EQ(c.chown, "app:app");
  EXPECT_EQ(c.chmod, "0755");
  EXPECT_TRUE(c.link);
  EXPECT_TRUE(c.parents);
  EXPECT_EQ(c.excludes, (std::vector<std::string>{"*.md", "tmp"}));
  EXPECT_EQ(c.form, CommandForm::shell);
}

TEST(Copy, DefaultsAndJson) {
  DocBuilder b = with_from();
  b.add("COPY [\"a b\", \"/x\"]", {"a b", "/x"}, {}, true);
  CopyInstr c = only<CopyInstr>(b);
  EXPECT_EQ(c.sources, std::vector<std::string>{"a b"});
  EXPECT_EQ(c.dest, "/x");
  EXPECT_FALSE(c.link);
  EXPECT_FALSE(c.parents);
  EXPECT_TRUE(c.from.empty());
  EXPECT_EQ(c.form, CommandForm::exec);
}

TEST(Copy, LinkFalse) {
  DocBuilder b = with_from();
  b.add("COPY --link=false a /x", {"a", "/x"}, {"--link=false"});
  EXPECT_FALSE(only<CopyInstr>(b).link);
}

TEST(Copy, HeredocSources) {
  DocBuilder b = with_from();
  ast::Node& n = b.add("COPY <<EOF <<-'TAB' file /dst/", {"<<EOF", "<<-'TAB'", "file", "/dst/"});
  n.heredocs.push_back(ast::Heredoc{"EOF", "a=$x\n", true, false, 0});
  n.heredocs.push_back(ast::Heredoc{"TAB", "\t\tone\n\ttwo\n", false, true, 0});
  CopyInstr c = only<CopyInstr>(b);
  EXPECT_EQ(c.sources, std::vector<std::string>{"file"});
  ASSERT_EQ(c.heredoc_sources.size(), 2u);
  EXPECT_EQ(c.heredoc_sources[0].path, "EOF");
  EXPECT_EQ(c.heredoc_sources[0].content, "a=$x\n");
  EXPECT_TRUE(c.heredoc_sources[0].expand);
  EXPECT_EQ(c.heredoc_sources[1].path, "TAB");
  EXPECT_EQ(c.heredoc_sources[1].content, "one\ntwo\n");
  EXPECT_FALSE(c.heredoc_sources[1].expand);
}

TEST(Copy, Errors) {
  base::Error e = err_of("COPY onlyone", {"onlyone"});
  EXPECT_EQ(e.message,
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined");
  e = err_of("COPY <<EOF", {"<<EOF"});
  EXPECT_EQ(e.message,
            "COPY requires at least two arguments, but only one was provided. Destination could not be determined");
  e = err_of("COPY a <<EOF", {"a", "<<EOF"});
  EXPECT_EQ(e.message, "COPY cannot accept a heredoc as a destination");
  EXPECT_EQ(e.pos->column, 8);
  e = err_of("COPY --checksum=sha256:abc a /x", {"a", "/x"}, {"--checksum=sha256:abc"});
  EXPECT_EQ(e.message, "unknown flag: checksum");
  EXPECT_EQ(err_of("COPY --keep-git-dir a /x", {"a", "/x"}, {"--keep-git-dir"}).message,
            "unknown flag: keep-git-dir");
  EXPECT_EQ(err_of("COPY --unpack a /x", {"a", "/x"}, {"--unpack"}).message, "unknown flag: unpack");
  EXPECT_EQ(err_of("COPY --link=yes a /x", {"a", "/x"}, {"--link=yes"}).message,
            "expecting boolean value for flag link, not: yes");
  EXPECT_EQ(err_of("COPY --from=a --from=b a /x", {"a", "/x"}, {"--from=a", "--from=b"}).message,
            "duplicate flag specified: from");
  EXPECT_EQ(err_of("COPY --chown a /x", {"a", "/x"}, {"--chown"}).message, "missing a value on flag: chown");
  EXPECT_EQ(err_of("COPY --exclude a /x", {"a", "/x"}, {"--exclude"}).message,
            "missing a value on flag: exclude");
}

TEST(Add, AllFlags) {
  DocBuilder b = with_from();
  b.add("ADD --chown=1:2 --chmod=u=rwX --link --keep-git-dir=true --checksum=sha256:24454f --unpack=false --exclude=x https://e.com/a.tar /x",
        {"https://e.com/a.tar", "/x"},
        {"--chown=1:2", "--chmod=u=rwX", "--link", "--keep-git-dir=true", "--checksum=sha256:24454f",
         "--unpack=false", "--exclude=x"});
  AddInstr a = only<AddInstr>(b);
  EXPECT_EQ(a.sources, std::vector<std::string>{"https://e.com/a.tar"});
  EXPECT_EQ(a.dest, "/x");
  EXPECT_EQ(a.chown, "1:2");
  EXPECT_EQ(a.chmod, "u=rwX");
  EXPECT_TRUE(a.link);
  EXPECT_EQ(a.keep_git_dir, true);
  EXPECT_EQ(a.checksum, "sha256:24454f");
  EXPECT_EQ(a.unpack, false);
  EXPECT_EQ(a.excludes, std::vector<std::string>{"x"});
}

TEST(Add, UnpackUnsetByDefault) {
  DocBuilder b = with_from();
  b.add("ADD a /x", {"a", "/x"});
  AddInstr a = only<AddInstr>(b);
  EXPECT_FALSE(a.unpack.has_value());
  EXPECT_FALSE(a.keep_git_dir.has_value());
  DocBuilder c = with_from();
  c.add("ADD --unpack a /x", {"a", "/x"}, {"--unpack"});
  EXPECT_EQ(only<AddInstr>(c).unpack, true);
}

TEST(Add, Errors) {
  EXPECT_EQ(err_of("ADD a", {"a"}).message,
            "ADD requires at least two arguments, but only one was provided. Destination could not be determined");
  EXPECT_EQ(err_of("ADD --from=x a /b", {"a", "/b"}, {"--from=x"}).message, "unknown flag: from");
  EXPECT_EQ(err_of("ADD --parents a /b", {"a", "/b"}, {"--parents"}).message, "unknown flag: parents");
  EXPECT_EQ(err_of("ADD a <<EOF", {"a", "<<EOF"}).message, "ADD cannot accept a heredoc as a destination");
}

}  // namespace
}  // namespace frontend::instructions
