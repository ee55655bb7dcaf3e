#include "solver/ir/serialize.h"

#include <gtest/gtest.h>

#include "solver/ir/digest.h"

namespace ir {
namespace {

Definition two_stage() {
  Definition def;
  def.stages.push_back(Stage{"build", 0, 0, "alpine", {"linux", "amd64", ""}});
  def.stages.push_back(Stage{"", 1, 0, "scratch", {"linux", "amd64", ""}});
  uint32_t ctx = def.add(ContextSource{"context", {"src"}, {".git"}}, {}, {"", -1, {}});
  uint32_t img = def.add(ImageSource{"docker.io/library/alpine:latest", {"linux", "amd64", ""}}, {},
                         {"[build 1/2] FROM docker.io/library/alpine:latest", 0, {"Dockerfile", 1, 1}});
  Exec run;
  run.argv = {"/bin/sh", "-c", "echo \"hi\" > /out"};
  run.env = {{"PATH", "/usr/bin:/bin"}};
  run.mounts.push_back(Mount{.type = MountType::bind, .target = "/src", .input = 1, .source = "/src"});
  uint32_t r = def.add(run, {{img, 0}, {ctx, 0}}, {"[build 2/2] RUN echo \"hi\" > /out", 0, {"Dockerfile", 2, 2}});
  def.stages[0].terminal = r;
  uint32_t scratch = def.add(Scratch{}, {}, {"", 1, {}});
  File copy;
  copy.actions.push_back(Copy{.src_input = 1, .src = "/out", .dest = "/out", .create_dest_path = true});
  uint32_t c = def.add(copy, {{scratch, 0}, {r, 0}}, {"[stage-1 1/1] COPY --from=build /out /out", 1, {"Dockerfile", 4, 4}});
  def.stages[1].terminal = c;
  def.terminal = {c, 0};
  return def;
}

TEST(Json, HasSchemaOpsInfoAndDigests) {
  Definition def = two_stage();
  ASSERT_TRUE(validate(def).ok());
  auto j = to_json_value(def);
  EXPECT_EQ(j["schema"], "kiln.ir.v1");
  ASSERT_EQ(j["ops"].size(), 5u);
  EXPECT_EQ(j["ops"][0]["kind"], "context");
  EXPECT_EQ(j["ops"][0]["include_patterns"][0], "src");
  EXPECT_EQ(j["ops"][2]["kind"], "exec");
  EXPECT_EQ(j["ops"][2]["mounts"][0]["input"], 1);
  EXPECT_EQ(j["ops"][2]["inputs"][1][0], 0);
  EXPECT_EQ(j["ops"][2]["info"]["lines"][0], 2);
  EXPECT_EQ(j["ops"][4]["actions"][0]["action"], "copy");
  EXPECT_EQ(j["ops"][4]["digest"], op_digests(def)[4].op.str());
  EXPECT_EQ(j["stages"][0]["name"], "build");
  EXPECT_EQ(j["terminal"]["op"], 4);
}

TEST(Json, ByteIdenticalForEqualDefinitions) {
  std::string a = to_json(two_stage());
  std::string b = to_json(two_stage());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.back(), '\n');
  // Keys come in a fixed, logical order rather than alphabetically.
  EXPECT_LT(a.find("\"schema\""), a.find("\"target\""));
  EXPECT_LT(a.find("\"index\": 0"), a.find("\"kind\": \"context\""));
}

TEST(Json, InvalidUtf8IsReplacedNotThrown) {
  Definition def = two_stage();
  std::get<Exec>(def.ops[2]).argv.back() = "echo \xff";
  std::string out = to_json(def);
  EXPECT_NE(out.find("echo \xef\xbf\xbd"), std::string::npos);  // U+FFFD
  EXPECT_NE(to_dot(def).find("echo"), std::string::npos);
}

TEST(Dot, ClustersPerStageAndLabelledSideEdges) {
  std::string dot = to_dot(two_stage());
  EXPECT_EQ(dot, to_dot(two_stage()));
  EXPECT_EQ(dot.rfind("digraph kiln {", 0), 0u);
  EXPECT_NE(dot.find("subgraph cluster_stage0"), std::string::npos);
  EXPECT_NE(dot.find("label=\"stage 0: build  (linux/amd64)\""), std::string::npos);
  EXPECT_NE(dot.find("subgraph cluster_stage1"), std::string::npos);
  EXPECT_NE(dot.find("op2 -> op4 [style=dashed"), std::string::npos);
  EXPECT_NE(dot.find("label=\"copy /out\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"mount /src\""), std::string::npos);
  EXPECT_NE(dot.find("op1 -> op2 [penwidth"), std::string::npos);
  // Quotes in display names are escaped.
  EXPECT_NE(dot.find("RUN echo \\\"hi\\\" > /out"), std::string::npos);
  EXPECT_NE(dot.find("op4 [label=") , std::string::npos);
  EXPECT_NE(dot.find("peripheries=2"), std::string::npos);
}

}  // namespace
}  // namespace ir
