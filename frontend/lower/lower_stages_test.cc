// Stages: references by name and index, images in --from, --target pruning,
// forward references, cycles, ONBUILD of base stages, display names.
#include "frontend/lower/lower_test_util.h"

namespace frontend::lower::testing {
namespace {

using ::testing::HasSubstr;

TEST(Stages, FromStageContinuesItsFilesystemAndEnvironment) {
  auto def = must("FROM alpine AS base\nENV A=1\nWORKDIR /w\nRUN a\nFROM base\nRUN b\n");
  auto execs = all<ir::Exec>(def);
  ASSERT_EQ(execs.size(), 2u);
  EXPECT_EQ(execs[1]->cwd, "/w");
  EXPECT_EQ(env_of(*execs[1], "A"), "1");
  ASSERT_EQ(def.stages.size(), 2u);
  // The second RUN reads the first one's output.
  uint32_t first = def.stages[0].terminal;
  EXPECT_EQ(def.inputs[def.terminal.op].at(0).op, first);
  EXPECT_EQ(all<ir::ImageSource>(def).size(), 1u);
}

TEST(Stages, CopyFromByNameCaseInsensitiveAndByIndex) {
  auto def = must("FROM alpine AS Build\nRUN make\nFROM scratch\nCOPY --from=BUILD /a /a\nCOPY --from=0 /b /b\n");
  uint32_t build = def.stages[0].terminal;
  auto files = all<ir::File>(def);
  ASSERT_EQ(files.size(), 2u);
  size_t t = def.terminal.op;
  EXPECT_EQ(def.inputs[t].at(1).op, build);
  EXPECT_EQ(def.inputs[def.inputs[t][0].op].at(1).op, build);
}

TEST(Stages, CopyFromImageMakesAnImageSource) {
  auto def = must("FROM scratch\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\n");
  auto images = all<ir::ImageSource>(def);
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0]->ref, "docker.io/library/nginx:1.25");
  EXPECT_EQ(images[0]->platform.str(), "linux/amd64");
}

TEST(Stages, InvalidIndexAndForwardReferences) {
  EXPECT_THAT(fails("FROM alpine\nCOPY --from=3 /a /a\n"), HasSubstr("invalid stage index 3"));
  std::string err = fails("FROM alpine AS a\nCOPY --from=b /x /x\nFROM alpine AS b\n", [] {
    auto o = amd64();
    o.target = "a";
    return o;
  }());
  EXPECT_THAT(err, HasSubstr("cannot copy from stage \"b\", it needs to be defined before current stage \"a\""));
  EXPECT_THAT(err, HasSubstr("Dockerfile:2"));
  EXPECT_THAT(fails("FROM alpine AS a\nRUN --mount=from=b,target=/b ls\nFROM alpine AS b\nFROM a\n"),
              HasSubstr("cannot mount from stage \"b\" to \"/b\""));
}

TEST(Stages, CyclesAreReported) {
  std::string err = fails(
      "FROM alpine AS a\nCOPY --from=b /x /x\n"
      "FROM alpine AS b\nCOPY --from=a /y /y\n");
  EXPECT_THAT(err, HasSubstr("circular dependency detected on stage: a"));
  EXPECT_THAT(fails("FROM alpine AS a\nCOPY --from=a /x /x\n"), HasSubstr("circular dependency"));
}

TEST(Stages, TargetSelectsAndPrunes) {
  const std::string df =
      "FROM alpine AS deps\nRUN fetch\n"
      "FROM alpine AS unused\nRUN never\n"
      "FROM alpine AS build\nCOPY --from=deps /d /d\nRUN make\n"
      "FROM build AS test\nRUN make test\n"
      "FROM scratch AS final\nCOPY --from=build /out /out\n";
  auto opt = amd64();
  opt.target = "test";
  auto def = must(df, opt);
  EXPECT_EQ(def.target, "test");
  std::vector<std::string> stage_names;
  for (const auto& s : def.stages) stage_names.push_back(s.name);
  EXPECT_EQ(stage_names, (std::vector<std::string>{"deps", "build", "test"}));
  for (const auto* e : all<ir::Exec>(def)) EXPECT_NE(e->argv.back(), "never");
  EXPECT_EQ(def.terminal.op, def.stages.back().terminal);
  // Default target: the last stage, which needs deps and build but not test.
  auto full = must(df);
  stage_names.clear();
  for (const auto& s : full.stages) stage_names.push_back(s.name);
  EXPECT_EQ(stage_names, (std::vector<std::string>{"deps", "build", "final"}));
}

TEST(Stages, UnknownTargetListsStages) {
  auto opt = amd64();
  opt.target = "biuld";
  auto r = lower_text("FROM alpine AS build\nFROM alpine AS test\n", opt);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message, HasSubstr("target stage \"biuld\" could not be found"));
  EXPECT_THAT(r.error().hint, HasSubstr("build, test"));
  EXPECT_THAT(r.error().hint, HasSubstr("did you mean build?"));
}

TEST(Stages, LaterStageWithSameNameAsImageIsAnImage) {
  // FROM only sees stages declared before it.
  auto def = must("FROM build\nFROM alpine AS build\n", [] {
    auto o = amd64();
    o.target = "";
    return o;
  }());
  (void)def;
  auto opt = amd64();
  opt.target = "";
  auto d2 = must("FROM alpine AS x\nFROM build AS y\nFROM alpine AS build\nCOPY --from=y / /\n", opt);
  bool found = false;
  for (const auto* img : all<ir::ImageSource>(d2)) found = found || img->ref == "docker.io/library/build:latest";
  EXPECT_TRUE(found);
}

TEST(Stages, OnbuildTriggersOfABaseStageRunInTheChild) {
  auto def = must(
      "FROM alpine AS tools\nRUN mk-tools\n"
      "FROM alpine AS base\nONBUILD RUN echo triggered\nONBUILD COPY --from=tools /t /t\nRUN base-step\n"
      "FROM base\nRUN child-step\n");
  std::vector<std::string> cmds;
  for (const auto* e : all<ir::Exec>(def)) cmds.push_back(e->argv.back());
  EXPECT_EQ(cmds, (std::vector<std::string>{"mk-tools", "base-step", "echo triggered", "child-step"}));
  EXPECT_TRUE(has_name(def, "[stage-2 1/3] ONBUILD RUN echo triggered"));
  // The trigger's COPY --from made `tools` a dependency of the final stage.
  EXPECT_EQ(def.stages.size(), 3u);
  // ONBUILD is recorded in the base's image config.
  EXPECT_EQ(config(def, ir::ConfigKind::onbuild)->values[0].rfind("COPY --from=tools", 0), 0u);
  // Triggers do not run in the stage that declares them, nor in grandchildren.
  auto def2 = must("FROM alpine AS base\nONBUILD RUN once\nFROM base AS child\nFROM child\nRUN x\n");
  int runs = 0;
  for (const auto* e : all<ir::Exec>(def2)) runs += e->argv.back() == "once";
  EXPECT_EQ(runs, 1);
}

TEST(Stages, OnbuildTriggersExpandInTheChild) {
  // The trigger is stored as written and expanded where it runs.
  auto def = must("FROM alpine AS base\nENV DIR=app\nONBUILD WORKDIR /$DIR\nFROM base\nRUN pwd\n");
  EXPECT_EQ(config(def, ir::ConfigKind::onbuild)->values[0], "WORKDIR /$DIR");
  EXPECT_EQ(last<ir::Exec>(def).cwd, "/app");
}

TEST(Stages, DisplayNames) {
  auto def = must("FROM alpine AS build\nWORKDIR /src\nCOPY . .\nRUN make\nLABEL a=b\nFROM build\nRUN x\n");
  EXPECT_TRUE(has_name(def, "[build 1/4] FROM docker.io/library/alpine:latest"));
  EXPECT_TRUE(has_name(def, "[build 2/4] WORKDIR /src"));
  EXPECT_TRUE(has_name(def, "[build 3/4] COPY . ."));
  EXPECT_TRUE(has_name(def, "[build 4/4] RUN make"));
  EXPECT_TRUE(has_name(def, "LABEL a=b"));
  EXPECT_TRUE(has_name(def, "[stage-1 1/1] RUN x"));
  // One stage: no stage name; widths pad the index.
  auto one = must("FROM alpine\nRUN 1\nRUN 2\nRUN 3\nRUN 4\nRUN 5\nRUN 6\nRUN 7\nRUN 8\nRUN 9\nRUN 10\n");
  EXPECT_TRUE(has_name(one, "[ 2/11] RUN 1"));
  EXPECT_TRUE(has_name(one, "[11/11] RUN 10"));
}

TEST(Stages, SharedImagesAreOneOp) {
  auto def = must("FROM alpine AS a\nRUN a\nFROM alpine:latest AS b\nRUN b\nFROM docker.io/library/alpine\nCOPY --from=a / /\nCOPY --from=b / /\n");
  EXPECT_EQ(all<ir::ImageSource>(def).size(), 1u);
}

TEST(Stages, BaseNameErrors) {
  EXPECT_THAT(fails("ARG B\nFROM $B\n"), HasSubstr("base name ($B) should not be blank"));
  EXPECT_THAT(fails("FROM Alpine\n"), HasSubstr("must be lowercase"));
  EXPECT_THAT(fails("FROM --platform=linux/nope/v1/x alpine\n"), HasSubstr("failed to parse platform"));
}

}  // namespace
}  // namespace frontend::lower::testing
