#include "solver/ops/image/config_change.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace solver::image {
namespace {

ir::ConfigChange pairs(ir::ConfigKind kind, std::vector<ir::KeyValue> kv) {
  ir::ConfigChange c;
  c.kind = kind;
  c.pairs = std::move(kv);
  return c;
}

ir::ConfigChange values(ir::ConfigKind kind, std::vector<std::string> v) {
  ir::ConfigChange c;
  c.kind = kind;
  c.values = std::move(v);
  return c;
}

oci::ImageConfig apply(oci::ImageConfig image, const ir::ConfigChange& change) {
  auto r = apply_config_change(image, change);
  EXPECT_TRUE(r.ok()) << r.error().message;
  return image;
}

TEST(ApplyConfigChange, EnvReplacesInPlaceAndAppendsNewKeys) {
  oci::ImageConfig image;
  image.config.env = {"PATH=/bin", "A=1", "B=2"};
  image = apply(image, pairs(ir::ConfigKind::env, {{"A", "x"}, {"C", "3"}, {"PATH", "/usr/bin:/bin"}}));
  EXPECT_EQ(image.config.env, (std::vector<std::string>{"PATH=/usr/bin:/bin", "A=x", "B=2", "C=3"}));
}

TEST(ApplyConfigChange, EnvKeysAreCaseSensitiveAndLaterPairsWin) {
  oci::ImageConfig image;
  image.config.env = {"a=1"};
  image = apply(image, pairs(ir::ConfigKind::env, {{"A", "1"}, {"A", "2"}, {"E", ""}}));
  EXPECT_EQ(image.config.env, (std::vector<std::string>{"a=1", "A=2", "E="}));
}

TEST(ApplyConfigChange, LabelsMergeOverInherited) {
  oci::ImageConfig image;
  image.config.labels = {{"a", "1"}, {"keep", "yes"}};
  image = apply(image, pairs(ir::ConfigKind::label, {{"a", "2"}, {"b", "x y"}}));
  EXPECT_EQ(image.config.labels,
            (std::map<std::string, std::string>{{"a", "2"}, {"b", "x y"}, {"keep", "yes"}}));
}

TEST(ApplyConfigChange, WorkdirAbsoluteAndRelative) {
  oci::ImageConfig image;
  image = apply(image, values(ir::ConfigKind::workdir, {"/app/"}));
  EXPECT_EQ(image.config.working_dir, "/app");
  image = apply(image, values(ir::ConfigKind::workdir, {"sub/../src"}));
  EXPECT_EQ(image.config.working_dir, "/app/src");
  EXPECT_FALSE(apply_config_change(image, values(ir::ConfigKind::workdir, {})).ok());
}

TEST(ApplyConfigChange, UserStopSignalShellMaintainer) {
  oci::ImageConfig image;
  image = apply(image, values(ir::ConfigKind::user, {"app:app"}));
  image = apply(image, values(ir::ConfigKind::stopsignal, {"SIGQUIT"}));
  image = apply(image, values(ir::ConfigKind::shell, {"/bin/bash", "-c"}));
  image = apply(image, values(ir::ConfigKind::maintainer, {"Jo <jo@example.com>"}));
  EXPECT_EQ(image.config.user, "app:app");
  EXPECT_EQ(image.config.stop_signal, "SIGQUIT");
  EXPECT_EQ(image.config.shell, (std::vector<std::string>{"/bin/bash", "-c"}));
  EXPECT_EQ(image.author, "Jo <jo@example.com>");
}

TEST(ApplyConfigChange, ExposeAddsProtocolsAndExpandsRanges) {
  oci::ImageConfig image;
  image.config.exposed_ports = {"22/tcp"};
  image = apply(image, values(ir::ConfigKind::expose, {"80", "53/udp", "8000-8002/tcp", "443/TCP", "80/tcp",
                                                        "127.0.0.1:9000:9000/sctp"}));
  EXPECT_EQ(image.config.exposed_ports,
            (std::set<std::string>{"22/tcp", "443/tcp", "53/udp", "80/tcp", "8000/tcp", "8001/tcp", "8002/tcp",
                                   "9000/sctp"}));
}

TEST(ApplyConfigChange, ExposeRejectsBadSpecsLikeBuildKit) {
  oci::ImageConfig image;
  auto proto = apply_config_change(image, values(ir::ConfigKind::expose, {"80/icmp"}));
  ASSERT_FALSE(proto.ok());
  EXPECT_EQ(proto.error().message, "EXPOSE 80/icmp: invalid proto: icmp");
  auto big = apply_config_change(image, values(ir::ConfigKind::expose, {"70000"}));
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().message, "EXPOSE 70000: invalid containerPort: 70000");
  EXPECT_FALSE(apply_config_change(image, values(ir::ConfigKind::expose, {"9-8"})).ok());
  EXPECT_FALSE(apply_config_change(image, values(ir::ConfigKind::expose, {"/tcp"})).ok());
}

TEST(ApplyConfigChange, VolumesAccumulate) {
  oci::ImageConfig image;
  image = apply(image, values(ir::ConfigKind::volume, {"/data", "/logs"}));
  image = apply(image, values(ir::ConfigKind::volume, {"/data"}));
  EXPECT_EQ(image.config.volumes, (std::set<std::string>{"/data", "/logs"}));
  EXPECT_FALSE(apply_config_change(image, values(ir::ConfigKind::volume, {""})).ok());
}

TEST(ApplyConfigChange, CmdSetsArgsEscapedAsBuildKitDoes) {
  oci::ImageConfig image;
  image = apply(image, values(ir::ConfigKind::cmd, {"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(image.config.cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  EXPECT_TRUE(image.config.args_escaped);
  // CMD [] is "set to nothing", which differs from no CMD at all.
  image = apply(image, values(ir::ConfigKind::cmd, {}));
  ASSERT_TRUE(image.config.cmd.has_value());
  EXPECT_TRUE(image.config.cmd->empty());
  EXPECT_EQ(oci::to_json(image)["config"]["Cmd"], nlohmann::json::array());
}

TEST(ApplyConfigChange, EntrypointWithoutEarlierCmdClearsInheritedCmd) {
  oci::ImageConfig base;
  base.config.cmd = std::vector<std::string>{"bash"};
  ir::ConfigChange ep = values(ir::ConfigKind::entrypoint, {"/entry.sh"});
  ep.reset_cmd = true;
  oci::ImageConfig reset = apply(base, ep);
  EXPECT_EQ(reset.config.entrypoint, (std::vector<std::string>{"/entry.sh"}));
  EXPECT_FALSE(reset.config.cmd.has_value());
  EXPECT_FALSE(oci::to_json(reset)["config"].contains("Cmd"));

  // CMD earlier in the same stage: the frontend clears reset_cmd, CMD stays.
  ep.reset_cmd = false;
  oci::ImageConfig kept = apply(apply(base, values(ir::ConfigKind::cmd, {"--help"})), ep);
  EXPECT_EQ(kept.config.cmd, (std::vector<std::string>{"--help"}));
  EXPECT_EQ(kept.config.entrypoint, (std::vector<std::string>{"/entry.sh"}));
}

TEST(ApplyConfigChange, HealthcheckReplacesInheritedSettingsWhole) {
  oci::ImageConfig base;
  base.config.healthcheck = oci::Healthcheck{{"CMD-SHELL", "curl -f http://localhost/"}, 30'000'000'000,
                                             5'000'000'000, 0, 0, 3};
  ir::ConfigChange hc;
  hc.kind = ir::ConfigKind::healthcheck;
  hc.healthcheck = ir::Healthcheck{{"CMD", "/health"}, 10'000'000'000, 0, 0, 0, 0};
  oci::ImageConfig image = apply(base, hc);
  ASSERT_TRUE(image.config.healthcheck.has_value());
  EXPECT_EQ(image.config.healthcheck->test, (std::vector<std::string>{"CMD", "/health"}));
  EXPECT_EQ(image.config.healthcheck->interval, 10'000'000'000);
  // Unset durations stay 0 ("default" when the container starts), as in
  // BuildKit; they are not copied from the base's check.
  EXPECT_EQ(image.config.healthcheck->timeout, 0);
  EXPECT_EQ(image.config.healthcheck->retries, 0);
  EXPECT_EQ(oci::to_json(image)["config"]["Healthcheck"],
            nlohmann::json::parse(R"({"Test":["CMD","/health"],"Interval":10000000000})"));
}

TEST(ApplyConfigChange, HealthcheckNoneDisablesInheritedCheck) {
  oci::ImageConfig base;
  base.config.healthcheck = oci::Healthcheck{{"CMD", "true"}, 1'000'000'000, 0, 0, 0, 2};
  ir::ConfigChange hc;
  hc.kind = ir::ConfigKind::healthcheck;
  hc.healthcheck = ir::Healthcheck{{"NONE"}, 0, 0, 0, 0, 0};
  oci::ImageConfig image = apply(base, hc);
  EXPECT_EQ(oci::to_json(image)["config"]["Healthcheck"], nlohmann::json::parse(R"({"Test":["NONE"]})"));
  hc.healthcheck.reset();
  EXPECT_FALSE(apply_config_change(image, hc).ok());
}

TEST(ApplyConfigChange, OnbuildAppendsTriggerText) {
  oci::ImageConfig image;
  image = apply(image, values(ir::ConfigKind::onbuild, {"RUN echo one"}));
  image = apply(image, values(ir::ConfigKind::onbuild, {"COPY . /src"}));
  EXPECT_EQ(image.config.on_build, (std::vector<std::string>{"RUN echo one", "COPY . /src"}));
}

TEST(ApplyConfigChange, ArgChangesNothing) {
  oci::ImageConfig image;
  image.config.env = {"PATH=/bin"};
  oci::ImageConfig after = apply(image, pairs(ir::ConfigKind::arg, {{"V", "1"}, {"W", std::nullopt}}));
  EXPECT_EQ(after, image);
}

TEST(BeginStage, AddsDefaultPathOnceAndDropsOnbuild) {
  oci::ImageConfig image;
  image.os = "linux";
  image.config.env = {"HOME=/root"};
  image.config.on_build = {"RUN x"};
  begin_stage(image);
  begin_stage(image);
  EXPECT_EQ(image.config.env, (std::vector<std::string>{
                                  "HOME=/root", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}));
  EXPECT_TRUE(image.config.on_build.empty());

  oci::ImageConfig windows;
  windows.os = "windows";
  begin_stage(windows);
  EXPECT_TRUE(windows.config.env.empty());
}

TEST(ScratchConfig, HasPlatformAndRootWorkdir) {
  oci::ImageConfig image = scratch_config({"linux", "arm", "v7"});
  EXPECT_EQ(image.os, "linux");
  EXPECT_EQ(image.architecture, "arm");
  EXPECT_EQ(image.variant, "v7");
  EXPECT_EQ(image.config.working_dir, "/");
}

}  // namespace
}  // namespace solver::image
