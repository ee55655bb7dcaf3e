#include "frontend/instructions/instructions_json.h"

#include <gtest/gtest.h>

namespace frontend::instructions {
namespace {

TEST(InstructionsJson, StagesCommandsAndFields) {
  ParsedDockerfile p;
  p.file = "Dockerfile";
  p.meta_args.push_back(MetaArg{ArgInstr{{ArgPair{"V", "1"}, ArgPair{"W", std::nullopt}}}, SourceInfo{1, 1, 1, "ARG V=1 W"}});
  Stage s;
  s.name = "build";
  s.base_name = "alpine:${V}";
  s.src = SourceInfo{2, 2, 1, "FROM alpine:${V} AS build"};
  RunInstr run;
  run.command.args = {"make"};
  RunMount m;
  m.spec = "type=cache,target=/c,mode=0700";
  m.type = MountType::cache;
  m.target = "/c";
  m.read_only = false;
  m.mode = 0700;
  run.mounts.push_back(m);
  run.network = NetworkMode::none;
  s.commands.push_back(Located{run, SourceInfo{3, 4, 1, "RUN ..."}});
  HealthcheckInstr h;
  h.kind = HealthcheckInstr::Kind::cmd_shell;
  h.command = {"true"};
  h.interval_ns = 5'000'000'000;
  s.commands.push_back(Located{h, SourceInfo{5, 5, 1, "HEALTHCHECK ..."}});
  AddInstr add;
  add.sources = {"a"};
  add.dest = "/b";
  s.commands.push_back(Located{add, SourceInfo{6, 6, 1, "ADD a /b"}});
  p.stages.push_back(s);

  auto j = to_json(p);
  EXPECT_EQ(j["kiln_instructions_version"], 1);
  EXPECT_EQ(j["meta_args"][0]["args"][0]["default"], "1");
  EXPECT_FALSE(j["meta_args"][0]["args"][1].contains("default"));
  EXPECT_EQ(j["stages"][0]["name"], "build");
  EXPECT_EQ(j["stages"][0]["base_name"], "alpine:${V}");
  const auto& r = j["stages"][0]["commands"][0];
  EXPECT_EQ(r["instruction"], "RUN");
  EXPECT_EQ(r["line"], 3);
  EXPECT_EQ(r["end_line"], 4);
  EXPECT_EQ(r["command"]["form"], "shell");
  EXPECT_EQ(r["mounts"][0]["type"], "cache");
  EXPECT_EQ(r["mounts"][0]["mode"], 0700);
  EXPECT_FALSE(r["mounts"][0].contains("uid"));
  EXPECT_EQ(r["network"], "none");
  const auto& hc = j["stages"][0]["commands"][1];
  EXPECT_EQ(hc["test"], (nlohmann::ordered_json{"CMD-SHELL", "true"}));
  EXPECT_EQ(hc["interval_ns"], 5'000'000'000LL);
  EXPECT_FALSE(j["stages"][0]["commands"][2].contains("unpack"));
  std::string dumped = dump_json(p);
  EXPECT_EQ(dumped.back(), '\n');
  EXPECT_NE(dumped.find("\"kiln_instructions_version\": 1"), std::string::npos);
}

}  // namespace
}  // namespace frontend::instructions
