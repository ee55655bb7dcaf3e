#include "oci/image_config.h"

#include <gtest/gtest.h>

#include "oci/json_fields.h"

namespace oci {
namespace {

const std::string k_diff_a = "sha256:" + std::string(64, 'a');
const std::string k_diff_b = "sha256:" + std::string(64, 'b');

// Trimmed from a config Docker wrote: includes fields we do not model.
std::string docker_config() {
  return R"({
  "architecture": "amd64",
  "config": {
    "Hostname": "", "AttachStdin": false,
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "Cmd": ["/bin/sh"], "Entrypoint": null,
    "ExposedPorts": {"80/tcp": {}},
    "Volumes": {"/data": {}},
    "WorkingDir": "/app", "User": "1000:1000",
    "Labels": {"maintainer": "x"},
    "StopSignal": "SIGQUIT",
    "OnBuild": null,
    "Healthcheck": {"Test": ["CMD-SHELL", "curl -f http://localhost/"], "Interval": 30000000000,
                    "Timeout": 5000000000, "Retries": 3},
    "Shell": ["/bin/bash", "-c"]
  },
  "container": "3c1c2b6e",
  "created": "2024-05-22T18:18:12.052034407Z",
  "docker_version": "20.10.23",
  "history": [
    {"created": "2024-05-22T18:18:11Z", "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
    {"created": "2024-05-22T18:18:12Z", "created_by": "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]",
     "empty_layer": true},
    {"created_by": "RUN /bin/sh -c make # buildkit", "comment": "buildkit.dockerfile.v0"}
  ],
  "os": "linux",
  "rootfs": {"type": "layers", "diff_ids": [")" + k_diff_a + R"(", ")" + k_diff_b + R"("]}
})";
}

TEST(ImageConfig, ReadsDockerConfig) {
  auto c = parse_image_config(docker_config());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->architecture, "amd64");
  EXPECT_EQ(c->os, "linux");
  EXPECT_EQ(c->created, "2024-05-22T18:18:12.052034407Z");
  EXPECT_EQ(c->config.env.size(), 1u);
  EXPECT_EQ(c->config.cmd, std::vector<std::string>{"/bin/sh"});
  EXPECT_FALSE(c->config.entrypoint.has_value());
  EXPECT_EQ(c->config.exposed_ports, std::set<std::string>{"80/tcp"});
  EXPECT_EQ(c->config.volumes, std::set<std::string>{"/data"});
  EXPECT_EQ(c->config.working_dir, "/app");
  EXPECT_EQ(c->config.user, "1000:1000");
  EXPECT_EQ(c->config.labels.at("maintainer"), "x");
  EXPECT_EQ(c->config.stop_signal, "SIGQUIT");
  ASSERT_TRUE(c->config.healthcheck.has_value());
  EXPECT_EQ(c->config.healthcheck->interval, 30'000'000'000);
  EXPECT_EQ(c->config.healthcheck->retries, 3);
  EXPECT_EQ(c->config.shell, (std::vector<std::string>{"/bin/bash", "-c"}));
  ASSERT_EQ(c->history.size(), 3u);
  EXPECT_TRUE(c->history[1].empty_layer);
  EXPECT_FALSE(c->history[2].created.has_value());
  EXPECT_EQ(c->history[2].comment, "buildkit.dockerfile.v0");
  ASSERT_EQ(c->rootfs.diff_ids.size(), 2u);
  EXPECT_EQ(c->rootfs.diff_ids[1].str(), k_diff_b);
  EXPECT_TRUE(check_history_matches_layers(*c).ok());
}

TEST(ImageConfig, KeepsUnknownFieldsThroughRoundTrip) {
  auto c = parse_image_config(docker_config());
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->extra.at("docker_version"), "20.10.23");
  EXPECT_EQ(c->config.extra.at("Hostname"), "");
  std::string bytes = serialize(*c);
  auto back = parse_image_config(bytes);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, *c);
  EXPECT_EQ(serialize(*back), bytes);
  EXPECT_NE(bytes.find("\"container\":\"3c1c2b6e\""), std::string::npos);
  EXPECT_NE(bytes.find("\"AttachStdin\":false"), std::string::npos);
}

TEST(ImageConfig, KnownFieldsWinOverExtra) {
  auto c = parse_image_config(docker_config());
  ASSERT_TRUE(c.ok());
  c->config.extra["User"] = "stale";
  c->config.user = "";
  auto j = to_json(*c);
  EXPECT_FALSE(j["config"].contains("User"));
}

TEST(ImageConfig, EmptyEntrypointDiffersFromUnset) {
  ImageConfig c;
  c.architecture = "arm64";
  c.os = "linux";
  c.config.entrypoint = std::vector<std::string>{};
  std::string bytes = serialize(c);
  EXPECT_NE(bytes.find("\"Entrypoint\":[]"), std::string::npos);
  EXPECT_EQ(bytes.find("\"Cmd\""), std::string::npos);
  auto back = parse_image_config(bytes);
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->config.entrypoint.has_value());
  EXPECT_TRUE(back->config.entrypoint->empty());
  EXPECT_FALSE(back->config.cmd.has_value());
}

TEST(ImageConfig, MinimalConfigSerializesDeterministically) {
  ImageConfig c;
  c.architecture = "amd64";
  c.os = "linux";
  c.created = "1970-01-01T00:00:00Z";
  c.rootfs.diff_ids.push_back(*base::Digest::parse(k_diff_a));
  c.history.push_back(History{c.created, "COPY . / # buildkit", "", "buildkit.dockerfile.v0", false});
  EXPECT_EQ(serialize(c),
            R"({"architecture":"amd64","config":{},"created":"1970-01-01T00:00:00Z","history":[)"
            R"({"comment":"buildkit.dockerfile.v0","created":"1970-01-01T00:00:00Z","created_by":)"
            R"("COPY . / # buildkit"}],"os":"linux","rootfs":{"diff_ids":[")" + k_diff_a +
                R"("],"type":"layers"}})");
}

TEST(ImageConfig, ErrorsNameTheField) {
  struct Case {
    std::string text;
    std::string message;
  };
  std::vector<Case> cases = {
      {R"({"os":"linux","rootfs":{"type":"layers"}})",
       "invalid image config: field \"architecture\" is required"},
      {R"({"architecture":"amd64","os":"linux"})", "invalid image config: field \"rootfs\" is required"},
      {R"({"architecture":"amd64","os":"linux","rootfs":{"type":"tarball"}})",
       "invalid image config: field \"rootfs.type\": expected \"layers\", got \"tarball\""},
      {R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["md5:x"]}})",
       "invalid image config: field \"rootfs.diff_ids[0]\": invalid digest \"md5:x\": unsupported "
       "algorithm \"md5\""},
      {R"({"architecture":"amd64","os":"linux","config":{"Env":"A=1"},"rootfs":{"type":"layers"}})",
       "invalid image config: field \"config.Env\": expected an array of strings, got string"},
      {R"({"architecture":"amd64","os":"linux","config":{"Healthcheck":{"Retries":"3"}},"rootfs":{"type":"layers"}})",
       "invalid image config: field \"config.Healthcheck.Retries\": expected an integer, got string"},
      {R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers"},"history":[{"empty_layer":"yes"}]})",
       "invalid image config: field \"history[0].empty_layer\": expected a boolean, got string"},
      {R"({"architecture":"amd64","os":"linux","config":{"ExposedPorts":["80"]},"rootfs":{"type":"layers"}})",
       "invalid image config: field \"config.ExposedPorts\": expected an object, got array"},
  };
  for (const auto& c : cases) {
    auto r = parse_image_config(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.error().message, c.message);
  }
}

TEST(ImageConfig, HistoryLayerCountMismatchIsReported) {
  ImageConfig c;
  c.rootfs.diff_ids.push_back(*base::Digest::parse(k_diff_a));
  c.history.push_back(History{std::nullopt, "CMD x", "", "", true});
  auto r = check_history_matches_layers(c);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "image config has 0 non-empty history entries but 1 layers in rootfs.diff_ids");
}

}  // namespace
}  // namespace oci
