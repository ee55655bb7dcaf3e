#include "solver/ir/ir.h"

#include <gtest/gtest.h>

#include "solver/ir/digest.h"

namespace ir {
namespace {

// image → RUN → LABEL → COPY --from=other
Definition sample() {
  Definition def;
  uint32_t img = def.add(ImageSource{"docker.io/library/alpine:latest", {"linux", "amd64", ""}}, {},
                         {"[internal] load alpine", 0, {}});
  Exec run;
  run.argv = {"/bin/sh", "-c", "make"};
  run.env = {{"PATH", "/bin"}};
  uint32_t r = def.add(run, {{img, 0}}, {"[1/2] RUN make", 0, {"Dockerfile", 2, 2}});
  ConfigChange label{ConfigKind::label, {{"a", std::string("b")}}, {}, std::nullopt, false};
  uint32_t l = def.add(label, {{r, 0}}, {"LABEL a=b", 0, {"Dockerfile", 3, 3}});
  uint32_t other = def.add(Scratch{}, {});
  File copy;
  copy.actions.push_back(Copy{.src_input = 1, .src = "/out", .dest = "/out"});
  uint32_t c = def.add(copy, {{l, 0}, {other, 0}}, {"[2/2] COPY --from=x /out /out", 0, {"Dockerfile", 4, 4}});
  def.terminal = {c, 0};
  def.stages.push_back(Stage{"", 0, c, "alpine", {"linux", "amd64", ""}});
  return def;
}

TEST(Validate, AcceptsWellFormedGraph) { EXPECT_TRUE(validate(sample()).ok()); }

TEST(Validate, RejectsForwardAndDanglingReferences) {
  Definition def = sample();
  def.inputs[1][0].op = 3;  // refers to a later op
  EXPECT_FALSE(validate(def).ok());

  def = sample();
  std::get<File>(def.ops[4]).actions[0] = Copy{.src_input = 7, .src = "/", .dest = "/"};
  auto r = validate(def);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("refers to input 7"), std::string::npos);

  def = sample();
  def.inputs[0].push_back({0, 0});  // a source with an input (also self-reference)
  EXPECT_FALSE(validate(def).ok());

  def = sample();
  def.info.pop_back();
  EXPECT_FALSE(validate(def).ok());

  def = sample();
  std::get<Exec>(def.ops[1]).argv.clear();
  EXPECT_FALSE(validate(def).ok());

  def = sample();
  def.terminal.op = 99;
  EXPECT_FALSE(validate(def).ok());
}

TEST(Digests, SideTablesNeverChangeDigests) {
  Definition a = sample();
  Definition b = sample();
  for (auto& info : b.info) {
    info.display_name += " (renamed)";
    info.range = {"other/Dockerfile", 40, 41};
  }
  b.stages[0].name = "renamed";
  b.target = "renamed";
  auto da = op_digests(a), db = op_digests(b);
  ASSERT_EQ(da.size(), db.size());
  for (size_t i = 0; i < da.size(); ++i) {
    EXPECT_EQ(da[i].op, db[i].op) << i;
    EXPECT_EQ(da[i].filesystem, db[i].filesystem) << i;
  }
}

TEST(Digests, EveryFieldAndInputCounts) {
  auto base = op_digests(sample());
  auto changed = [&](auto mutate, size_t op) {
    Definition d = sample();
    mutate(d);
    return op_digests(d)[op].op != base[op].op;
  };
  EXPECT_TRUE(changed([](Definition& d) { std::get<ImageSource>(d.ops[0]).platform.architecture = "arm64"; }, 0));
  EXPECT_TRUE(changed([](Definition& d) { std::get<Exec>(d.ops[1]).cwd = "/src"; }, 1));
  EXPECT_TRUE(changed([](Definition& d) { std::get<Exec>(d.ops[1]).user = "nobody"; }, 1));
  EXPECT_TRUE(changed([](Definition& d) { std::get<Exec>(d.ops[1]).network = NetworkMode::none; }, 1));
  EXPECT_TRUE(changed([](Definition& d) { std::get<Exec>(d.ops[1]).env.set("X", "1"); }, 1));
  EXPECT_TRUE(changed([](Definition& d) { std::get<Exec>(d.ops[1]).mounts.push_back(Mount{.type = MountType::tmpfs, .target = "/t"}); }, 1));
  // Upstream changes propagate to every later op.
  EXPECT_TRUE(changed([](Definition& d) { std::get<ImageSource>(d.ops[0]).ref = "docker.io/library/busybox:latest"; }, 4));
  EXPECT_TRUE(changed([](Definition& d) { std::get<Copy>(std::get<File>(d.ops[4]).actions[0]).chmod = "755"; }, 4));
  EXPECT_TRUE(changed([](Definition& d) { std::get<Copy>(std::get<File>(d.ops[4]).actions[0]).attempt_unpack = true; }, 4));
  EXPECT_TRUE(changed([](Definition& d) { std::get<File>(d.ops[4]).link = Link::yes; }, 4));
  // Swapping which input a copy reads from is a different op.
  EXPECT_TRUE(changed([](Definition& d) { std::swap(d.inputs[4][0], d.inputs[4][1]); }, 4));
  // proxy settings are not part of the key.
  EXPECT_FALSE(changed([](Definition& d) { std::get<Exec>(d.ops[1]).proxy_env = {{"http_proxy", "http://p:3128"}}; }, 1));
}

TEST(Digests, ConfigChangesAreTransparentToFilesystemDigest) {
  auto base = op_digests(sample());
  EXPECT_EQ(base[2].filesystem, base[1].filesystem);  // LABEL passes the RUN's filesystem through
  EXPECT_NE(base[2].op, base[1].op);
  Definition d = sample();
  std::get<ConfigChange>(d.ops[2]).pairs[0].value = "c";
  auto changed = op_digests(d);
  EXPECT_NE(changed[4].op, base[4].op);                  // full key sees the label
  EXPECT_EQ(changed[4].filesystem, base[4].filesystem);  // the copy's filesystem does not
}

TEST(Digests, StableAcrossRuns) {
  // The schema is part of every key: pin one value so accidental changes to
  // the hashing are noticed (bump k_schema when changing it on purpose).
  Definition def;
  def.add(Scratch{}, {});
  def.terminal = {0, 0};
  auto d = op_digests(def);
  base::Hasher h(k_schema);
  h.str("scratch").list(0);
  EXPECT_EQ(d[0].op, h.finish());
  EXPECT_EQ(d[0].op, op_digests(def)[0].op);
}

}  // namespace
}  // namespace ir
