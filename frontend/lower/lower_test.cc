// ARG/ENV scoping and variable expansion.
#include "frontend/lower/lower_test_util.h"

namespace frontend::lower::testing {
namespace {

using ::testing::HasSubstr;

TEST(Args, GlobalArgExpandsInFrom) {
  auto def = must("ARG BASE=alpine\nARG TAG=3.19\nFROM ${BASE}:$TAG\n");
  EXPECT_EQ(last<ir::ImageSource>(def).ref, "docker.io/library/alpine:3.19");
}

TEST(Args, GlobalArgNeedsRedeclarationInsideStage) {
  auto def = must("ARG V=1\nFROM alpine\nRUN a\nARG V\nRUN b\n");
  auto execs = all<ir::Exec>(def);
  ASSERT_EQ(execs.size(), 2u);
  EXPECT_FALSE(env_of(*execs[0], "V"));
  EXPECT_EQ(env_of(*execs[1], "V"), "1");
  // Without redeclaration, expansion sees nothing either.
  auto def2 = must("ARG V=x\nFROM alpine\nWORKDIR /w$V\n");
  EXPECT_EQ(config(def2, ir::ConfigKind::workdir)->values[0], "/w");
}

TEST(Args, BuildArgOverridesDefaults) {
  auto opt = amd64();
  opt.build_args = {{"BASE", "busybox"}, {"V", "2"}};
  auto def = must("ARG BASE=alpine\nFROM $BASE\nARG V=1\nRUN a\n", opt);
  EXPECT_EQ(last<ir::ImageSource>(def).ref, "docker.io/library/busybox:latest");
  EXPECT_EQ(env_of(last<ir::Exec>(def), "V"), "2");
  // The last of duplicate --build-args wins.
  opt.build_args = {{"V", "2"}, {"V", "3"}};
  EXPECT_EQ(env_of(last<ir::Exec>(must("FROM alpine\nARG V=1\nRUN a\n", opt)), "V"), "3");
}

TEST(Args, UndeclaredBuildArgIsInvisible) {
  auto opt = amd64();
  opt.build_args = {{"SECRET", "x"}};
  auto def = must("FROM alpine\nRUN a\nWORKDIR /$SECRET\n", opt);
  EXPECT_FALSE(env_of(last<ir::Exec>(def), "SECRET"));
  EXPECT_EQ(config(def, ir::ConfigKind::workdir)->values[0], "/");
}

TEST(Args, ArgWithoutValueStaysUnset) {
  auto def = must("FROM alpine\nARG NOVALUE\nRUN a\n");
  EXPECT_FALSE(env_of(last<ir::Exec>(def), "NOVALUE"));
  const auto* arg = config(def, ir::ConfigKind::arg);
  ASSERT_NE(arg, nullptr);
  EXPECT_FALSE(arg->pairs[0].value.has_value());
}

TEST(Args, ArgDefaultExpandsWithStageEnv) {
  auto def = must("FROM alpine\nENV A=x\nARG B=${A}y\nRUN a\n");
  EXPECT_EQ(env_of(last<ir::Exec>(def), "B"), "xy");
}

TEST(Args, EnvAndArgOfTheSameNameLaterWins) {
  // ENV after ARG replaces the value ...
  auto opt = amd64();
  opt.build_args = {{"V", "arg"}};
  auto def = must("FROM alpine\nARG V\nENV V=env\nRUN a\n", opt);
  EXPECT_EQ(env_of(last<ir::Exec>(def), "V"), "env");
  // ... and, as in BuildKit, an ARG with a value declared after ENV replaces it
  // for the following steps (the image config keeps the ENV value).
  def = must("FROM alpine\nENV V=env\nARG V\nRUN a\n", opt);
  EXPECT_EQ(env_of(last<ir::Exec>(def), "V"), "arg");
  // ARG without any value leaves the ENV value alone.
  def = must("FROM alpine\nENV V=env\nARG V\nRUN a\n");
  EXPECT_EQ(env_of(last<ir::Exec>(def), "V"), "env");
}

TEST(Args, ProxyArgsAreUsableWithoutDeclarationAndKeptOutOfTheKey) {
  const std::string df = "FROM alpine\nRUN apk add curl\n";
  auto plain = must(df);
  auto opt = amd64();
  opt.build_args = {{"http_proxy", "http://proxy:3128"}, {"NO_PROXY", "localhost"}};
  auto proxied = must(df, opt);
  const auto& e = last<ir::Exec>(proxied);
  EXPECT_FALSE(env_of(e, "http_proxy"));
  std::vector<std::pair<std::string, std::string>> want = {{"HTTP_PROXY", "http://proxy:3128"},
                                                           {"NO_PROXY", "localhost"},
                                                           {"http_proxy", "http://proxy:3128"},
                                                           {"no_proxy", "localhost"}};
  EXPECT_EQ(e.proxy_env, want);
  EXPECT_EQ(ir::op_digests(plain).back().op, ir::op_digests(proxied).back().op);
  // Declared, the proxy arg becomes part of the environment (and the key).
  auto declared = must("FROM alpine\nARG http_proxy\nRUN apk add curl\n", opt);
  EXPECT_EQ(env_of(last<ir::Exec>(declared), "http_proxy"), "http://proxy:3128");
}

TEST(Args, PlatformArgsAreGlobalAndNeedDeclaration) {
  auto opt = amd64();
  opt.target_platform = ir::Platform{"linux", "arm", "v7"};
  auto def = must(
      "FROM --platform=$BUILDPLATFORM golang AS build\n"
      "RUN a\n"
      "ARG TARGETPLATFORM TARGETOS TARGETARCH TARGETVARIANT BUILDARCH\n"
      "RUN b\n",
      opt);
  EXPECT_EQ(last<ir::ImageSource>(def).platform.str(), "linux/amd64");
  auto execs = all<ir::Exec>(def);
  ASSERT_EQ(execs.size(), 2u);
  EXPECT_FALSE(env_of(*execs[0], "TARGETPLATFORM"));
  EXPECT_EQ(env_of(*execs[1], "TARGETPLATFORM"), "linux/arm/v7");
  EXPECT_EQ(env_of(*execs[1], "TARGETOS"), "linux");
  EXPECT_EQ(env_of(*execs[1], "TARGETARCH"), "arm");
  EXPECT_EQ(env_of(*execs[1], "TARGETVARIANT"), "v7");
  EXPECT_EQ(env_of(*execs[1], "BUILDARCH"), "amd64");
  // Without --platform, a stage is built for the target platform.
  EXPECT_EQ(last<ir::ImageSource>(must("FROM alpine\n", opt)).platform.str(), "linux/arm/v7");
}

TEST(Args, TargetStageNamesTheTarget) {
  auto opt = amd64();
  opt.target = "Dev";
  auto def = must("FROM alpine AS dev\nARG TARGETSTAGE\nRUN a\nFROM alpine AS prod\n", opt);
  EXPECT_EQ(env_of(last<ir::Exec>(def), "TARGETSTAGE"), "Dev");
  def = must("FROM alpine AS dev\nFROM alpine AS prod\nARG TARGETSTAGE\nRUN a\n");
  EXPECT_EQ(env_of(last<ir::Exec>(def), "TARGETSTAGE"), "prod");
}

TEST(Expansion, RunCmdEntrypointAreNotExpanded) {
  auto def = must("FROM alpine\nENV X=1\nRUN echo $X\nCMD echo $X\nENTRYPOINT [\"echo\", \"$X\"]\n");
  EXPECT_EQ(last<ir::Exec>(def).argv, (std::vector<std::string>{"/bin/sh", "-c", "echo $X"}));
  EXPECT_EQ(config(def, ir::ConfigKind::cmd)->values,
            (std::vector<std::string>{"/bin/sh", "-c", "echo $X"}));
  EXPECT_EQ(config(def, ir::ConfigKind::entrypoint)->values, (std::vector<std::string>{"echo", "$X"}));
}

TEST(Expansion, CopyAddAndFlagsAreExpanded) {
  auto def = must(
      "FROM alpine\nARG SRC=app DST=/opt OWNER=1000 MODE=755\n"
      "COPY --chown=$OWNER:$OWNER --chmod=$MODE $SRC/ ${DST}/\n");
  const auto& file = last<ir::File>(def);
  const auto& c = std::get<ir::Copy>(file.actions.at(0));
  EXPECT_EQ(c.src, "/app");
  EXPECT_EQ(c.dest, "/opt/");
  EXPECT_EQ(c.chown, "1000:1000");
  EXPECT_EQ(c.chmod, "0755");
}

TEST(Expansion, FromFlagIsNotExpanded) {
  std::string err = fails("FROM alpine AS a\nFROM alpine\nARG S=a\nCOPY --from=$S /x /x\n");
  EXPECT_THAT(err, HasSubstr("variable expansion is not supported for --from"));
  EXPECT_THAT(err, HasSubstr("Dockerfile:4"));
}

TEST(Expansion, EnvPairsSeeTheOldValues) {
  auto def = must("FROM alpine\nENV A=1\nENV A=2 B=$A\nRUN x\n");
  EXPECT_EQ(env_of(last<ir::Exec>(def), "A"), "2");
  EXPECT_EQ(env_of(last<ir::Exec>(def), "B"), "1");
}

TEST(Expansion, MetadataInstructions) {
  auto def = must(
      "FROM alpine\nARG PORTS=\"80 443/udp\" U=app D=/data S=SIGTERM L=v1\n"
      "EXPOSE $PORTS 8000-8002\nUSER $U\nVOLUME $D\nSTOPSIGNAL $S\nLABEL version=$L \"$L\"=x\n");
  EXPECT_EQ(config(def, ir::ConfigKind::expose)->values,
            (std::vector<std::string>{"80/tcp", "443/udp", "8000/tcp", "8001/tcp", "8002/tcp"}));
  EXPECT_EQ(config(def, ir::ConfigKind::user)->values[0], "app");
  EXPECT_EQ(config(def, ir::ConfigKind::volume)->values[0], "/data");
  EXPECT_EQ(config(def, ir::ConfigKind::stopsignal)->values[0], "SIGTERM");
  const auto* label = config(def, ir::ConfigKind::label);
  ASSERT_EQ(label->pairs.size(), 2u);
  EXPECT_EQ(label->pairs[0].value, "v1");
  EXPECT_EQ(label->pairs[1].key, "v1");
  EXPECT_THAT(fails("FROM alpine\nSTOPSIGNAL SIGNOPE\n"), HasSubstr("invalid signal: SIGNOPE"));
  EXPECT_THAT(fails("FROM alpine\nEXPOSE 80/xtp\n"), HasSubstr("invalid proto: xtp"));
}

TEST(Expansion, MountOptionsAreExpanded) {
  auto def = must("FROM alpine\nARG C=/root/.cache\nRUN --mount=type=cache,target=$C,id=c-$C go build\n");
  const auto& m = last<ir::Exec>(def).mounts.at(0);
  EXPECT_EQ(m.target, "/root/.cache");
  EXPECT_EQ(m.id, "c-/root/.cache");
}

TEST(Expansion, ErrorsCarryThePosition) {
  auto r = lower_text("FROM alpine\n\n  WORKDIR ${V:?must be set}\n");
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(r.error().pos.has_value());
  EXPECT_EQ(r.error().pos->file, "Dockerfile");
  EXPECT_EQ(r.error().pos->line, 3);
  EXPECT_EQ(r.error().pos->column, 3);
  EXPECT_EQ(r.error().pos->line_text, "  WORKDIR ${V:?must be set}");
  EXPECT_THAT(r.error().message, HasSubstr("must be set"));
}

}  // namespace
}  // namespace frontend::lower::testing
