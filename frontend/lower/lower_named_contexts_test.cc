// Named contexts (--build-context): which names they replace, in BuildKit's
// order, and the ops that read them.
#include "frontend/lower/lower_test_util.h"

namespace frontend::lower::testing {
namespace {

using ::testing::HasSubstr;

LowerOptions with_contexts(std::initializer_list<std::string> names) {
  LowerOptions o = amd64();
  for (const std::string& n : names) {
    auto key = named_context_key(n);
    EXPECT_TRUE(key.ok());
    o.named_contexts[*key] = NamedContext{{"*.log"}};
  }
  o.resolve_image = [](const std::string& ref, const ir::Platform&) -> base::Result<BaseImageConfig> {
    return base::make_error("no image " + ref);  // any image lookup fails the test
  };
  return o;
}

const ir::ContextSource* context_named(const ir::Definition& def, const std::string& name) {
  for (const auto* c : all<ir::ContextSource>(def))
    if (c->name == name) return c;
  return nullptr;
}

TEST(NamedContexts, KeysAreFamiliarNamesWithoutLatest) {
  EXPECT_EQ(*named_context_key("alpine"), "alpine");
  EXPECT_EQ(*named_context_key("alpine:latest"), "alpine");
  EXPECT_EQ(*named_context_key("docker.io/library/alpine"), "alpine");
  EXPECT_EQ(*named_context_key("alpine:3.19"), "alpine:3.19");
  EXPECT_EQ(*named_context_key("example.com/team/app:1"), "example.com/team/app:1");
  EXPECT_EQ(*named_context_key("docker.io/team/app"), "team/app");
  EXPECT_EQ(*named_context_key("build"), "build");
  EXPECT_FALSE(named_context_key("Bad Name").ok());
}

TEST(NamedContexts, CopyFromNameReadsTheContextWithItsIgnoreFile) {
  auto def = must("FROM scratch\nCOPY --from=assets /img /img\n", with_contexts({"assets"}));
  const auto* ctx = context_named(def, "assets");
  ASSERT_NE(ctx, nullptr);
  EXPECT_EQ(ctx->exclude_patterns, std::vector<std::string>{"*.log"});
  EXPECT_TRUE(all<ir::ImageSource>(def).empty());
  const auto& copy = std::get<ir::Copy>(last<ir::File>(def).actions.at(0));
  EXPECT_EQ(copy.src, "/img");
  uint32_t t = def.terminal.op;
  EXPECT_TRUE(std::holds_alternative<ir::ContextSource>(def.ops[def.inputs[t].at(copy.src_input).op]));
}

TEST(NamedContexts, FromImageNameStartsFromTheContextFiles) {
  // Normalized on both sides: FROM docker.io/library/alpine:latest is "alpine".
  auto def = must("FROM docker.io/library/alpine:latest\nCOPY a /a\n", with_contexts({"alpine"}));
  EXPECT_TRUE(all<ir::ImageSource>(def).empty());
  ASSERT_NE(context_named(def, "alpine"), nullptr);
  // COPY a /a on top of a filesystem made of the context's files.
  uint32_t base = def.inputs[def.terminal.op].at(0).op;
  const auto& files = std::get<ir::File>(def.ops[base]);
  const auto& copy = std::get<ir::Copy>(files.actions.at(0));
  EXPECT_EQ(copy.src, "/");
  EXPECT_EQ(copy.dest, "/");
  EXPECT_TRUE(std::holds_alternative<ir::Scratch>(def.ops[def.inputs[base].at(0).op]));
  EXPECT_TRUE(std::holds_alternative<ir::ContextSource>(def.ops[def.inputs[base].at(1).op]));
}

TEST(NamedContexts, AContextReplacesTheStageOfItsName) {
  auto def = must(
      "FROM alpine AS build\nRUN make\nCOPY x /x\n"
      "FROM scratch\nCOPY --from=build /out /out\n",
      with_contexts({"build"}));
  EXPECT_TRUE(all<ir::Exec>(def).empty());        // the stage's RUN is not run
  EXPECT_TRUE(all<ir::ImageSource>(def).empty());  // nor its FROM resolved
  ASSERT_NE(context_named(def, "build"), nullptr);
  uint32_t build = def.stages.at(0).terminal;
  EXPECT_TRUE(std::holds_alternative<ir::File>(def.ops[build]));  // the context as a filesystem
  EXPECT_EQ(def.inputs[def.terminal.op].at(1).op, build);
}

TEST(NamedContexts, FromAReplacedStageContinuesTheContext) {
  auto def = must("FROM alpine AS base\nRUN x\nFROM base\nCOPY a /a\n", with_contexts({"base"}));
  EXPECT_TRUE(all<ir::Exec>(def).empty());
  EXPECT_EQ(def.inputs[def.terminal.op].at(0).op, def.stages.at(0).terminal);
}

TEST(NamedContexts, StagesAndContextsMix) {
  // "alpine" names a context; FROM alpine in the second stage refers to the
  // context (no stage is called alpine), COPY --from=tools to the stage.
  auto def = must("FROM scratch AS tools\nCOPY t /t\nFROM alpine\nCOPY --from=tools /t /t\n",
                  with_contexts({"alpine"}));
  EXPECT_TRUE(all<ir::ImageSource>(def).empty());
  EXPECT_EQ(def.inputs[def.terminal.op].at(1).op, def.stages.at(0).terminal);
}

TEST(NamedContexts, ScratchAndOtherNamesAreUntouched) {
  LowerOptions o = with_contexts({"other"});
  o.resolve_image = nullptr;
  auto def = must("FROM scratch\nCOPY --from=nginx:1 /a /a\n", o);
  ASSERT_EQ(all<ir::ImageSource>(def).size(), 1u);
  EXPECT_EQ(context_named(def, "other"), nullptr);  // unused contexts add nothing
}

TEST(NamedContexts, ATaggedContextReplacesOnlyThatTag) {
  LowerOptions o = with_contexts({"alpine:3.19"});
  o.resolve_image = nullptr;
  auto def = must("FROM alpine:3.19 AS a\nFROM alpine:3.20\nCOPY --from=a / /\n", o);
  auto images = all<ir::ImageSource>(def);
  ASSERT_EQ(images.size(), 1u);
  EXPECT_EQ(images[0]->ref, "docker.io/library/alpine:3.20");
  EXPECT_NE(context_named(def, "alpine:3.19"), nullptr);
}

}  // namespace
}  // namespace frontend::lower::testing
