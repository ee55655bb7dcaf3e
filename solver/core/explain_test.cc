#include "solver/core/explain.h"

#include <set>

#include <gtest/gtest.h>

namespace solver {
namespace {

class NoExplain final : public OpExecutor {
 public:
  base::Result<std::optional<ContentKey>> content_key(uint32_t,
                                                      const std::vector<const VertexResult*>&) override {
    return std::optional<ContentKey>{};
  }
  base::Result<VertexResult> run(uint32_t, const std::vector<const VertexResult*>&,
                                 StepContext&) override {
    return VertexResult{};
  }
  base::Result<bool> still_valid(const VertexResult&) override { return true; }
  std::vector<std::string> explain(const std::string&, const std::string&,
                                   const std::string&) override {
    return {};
  }
};

StepRecord record(std::string key, std::string definition) {
  StepRecord r;
  r.key = std::move(key);
  r.instruction = "[build 3/4] RUN make";
  r.definition = std::move(definition);
  r.input_keys = {"k0"};
  r.input_names = {"[build 2/4] COPY . ."};
  return r;
}

TEST(Explain, BuildArgChangeNamesTheVariableAndBothValues) {
  NoExplain exec;
  auto before = record("a", R"({"kind":"exec","env":[["MODE","debug"],["PATH","/bin"]]})");
  auto now = record("b", R"({"kind":"exec","env":[["MODE","release"],["NEW","1"],["PATH","/bin"]]})");
  now.instruction = "[build 4/5] RUN make";  // a line added above: not a change of this step
  auto lines = explain_miss(before, now, exec, true);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "build arg or env MODE changed: \"debug\" -> \"release\"");
  EXPECT_EQ(lines[1], "build arg or env NEW added: \"1\"");
}

// RUN echo "ver=$VER" shows the expanded text: a new --build-arg value
// changes it, and the arg, not the Dockerfile line, is what changed.
TEST(Explain, AnInstructionThatExpandsAChangedArgNamesTheArg) {
  NoExplain exec;
  auto before = record("a", R"({"kind":"exec","env":[["VER","1.2"]]})");
  auto now = record("b", R"({"kind":"exec","env":[["VER","1.3"]]})");
  before.instruction = "[build 3/4] RUN echo \"ver=1.2\" > /ver";
  now.instruction = "[build 3/4] RUN echo \"ver=1.3\" > /ver";
  auto lines = explain_miss(before, now, exec, true);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "build arg or env VER changed: \"1.2\" -> \"1.3\"");

  // A definition field the arg does not account for is still named.
  auto moved = record("c", R"({"kind":"exec","cwd":"/src","env":[["VER","1.3"]]})");
  auto stayed = record("d", R"({"kind":"exec","cwd":"/app","env":[["VER","1.2"]]})");
  moved.instruction = now.instruction;
  stayed.instruction = before.instruction;
  lines = explain_miss(stayed, moved, exec, true);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "cwd changed: \"/app\" -> \"/src\"");
  EXPECT_EQ(lines[1], "build arg or env VER changed: \"1.2\" -> \"1.3\"");

  // An edit of the line itself is still reported, beside the arg.
  now.instruction = "[build 3/4] RUN echo \"version=1.3\" > /ver";
  lines = explain_miss(before, now, exec, true);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "instruction changed: \"RUN echo \"ver=1.2\" > /ver\" -> \"RUN echo \"version=1.3\" > /ver\"");
  EXPECT_EQ(lines[1], "build arg or env VER changed: \"1.2\" -> \"1.3\"");
}

TEST(Explain, BaseImageDigestChange) {
  NoExplain exec;
  auto before = record("a", "{}");
  auto now = record("b", "{}");
  before.content = ContentKey{base::Sha256::of("x"), "image", ""};
  now.content = ContentKey{base::Sha256::of("y"), "image", ""};
  auto lines = explain_miss(before, now, exec, true);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "image changed: " + base::Sha256::of("x").str() + " -> " +
                          base::Sha256::of("y").str());
}

TEST(Explain, RoundTripOfStepRecords) {
  auto r = record("a", "{}");
  r.content = ContentKey{base::Sha256::of("x"), "files", "detail\nbytes"};
  auto parsed = parse_step_record(serialize_step_record(r));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->key, "a");
  EXPECT_EQ(parsed->input_names, r.input_names);
  ASSERT_TRUE(parsed->content.has_value());
  EXPECT_EQ(parsed->content->detail, "detail\nbytes");
  EXPECT_FALSE(parse_step_record("{").ok());
}

TEST(Explain, FingerprintsDifferWhenAnyFieldDoes) {
  auto base_record = record("a", "{}");
  base_record.content = ContentKey{base::Sha256::of("x"), "files", "detail"};
  const std::string same = step_record_fingerprint(base_record);
  EXPECT_EQ(step_record_fingerprint(base_record), same);
  std::vector<StepRecord> variants(8, base_record);
  variants[0].key = "b";
  variants[1].instruction += " ";
  variants[2].definition = "{\"x\":1}";
  variants[3].input_keys.push_back("k");
  variants[4].input_names.push_back("n");
  variants[5].content->digest = base::Sha256::of("y");
  variants[6].content->kind = "image";
  variants[7].content.reset();
  std::set<std::string> seen{same};
  for (const StepRecord& v : variants) EXPECT_TRUE(seen.insert(step_record_fingerprint(v)).second) << v.key;
  // The detail is left out: the executor derives it from the same content as
  // the digest, and a cached step must not have to serialize it.
  StepRecord other_detail = base_record;
  other_detail.content->detail = "detaiL";
  EXPECT_EQ(step_record_fingerprint(other_detail), same);
}

}  // namespace
}  // namespace solver
