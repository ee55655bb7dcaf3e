#include "solver/ops/image/assemble.h"

#include <gtest/gtest.h>

#include "oci/manifest.h"
#include "solver/ops/image/test_util.h"

namespace solver::image {
namespace {

using testing::put_base_image;
using testing::sha;
using testing::TempStore;

const char* const k_path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const char* const k_created = "2024-05-06T07:08:09Z";

ir::OpInfo info(std::string display, int line, int stage = 0) { return {std::move(display), stage, {"Dockerfile", line, line}}; }

Step config_step(ir::ConfigKind kind, std::vector<std::string> values, std::string display, int line,
                 std::vector<ir::KeyValue> pairs = {}) {
  ir::ConfigChange c;
  c.kind = kind;
  c.values = std::move(values);
  c.pairs = std::move(pairs);
  return {c, info(std::move(display), line), std::nullopt};
}

LayerRef layer(char c, int64_t size = 100) { return {sha(c), sha(static_cast<char>(c + 1)), size}; }

Step copy_step(std::string display, int line, char layer_char) {
  ir::File f;
  f.actions.push_back(ir::Copy{});
  return {f, info(std::move(display), line), layer(layer_char)};
}

Step run_step(std::vector<std::string> argv, std::string display, int line, std::optional<LayerRef> l) {
  ir::Exec e;
  e.argv = std::move(argv);
  return {e, info(std::move(display), line), std::move(l)};
}

AssembleRequest scratch_request() {
  AssembleRequest r;
  r.platform = {"linux", "amd64", ""};
  r.created = k_created;
  r.steps.push_back(copy_step("[1/2] COPY app /app", 2, 'a'));
  r.steps.push_back(config_step(ir::ConfigKind::env, {}, "ENV A=b", 3, {{"A", "b"}}));
  r.steps.push_back(config_step(ir::ConfigKind::cmd, {"/app"}, "CMD [\"/app\"]", 4));
  return r;
}

BaseImage base_image() {
  BaseImage b;
  b.config.os = "linux";
  b.config.architecture = "arm64";
  b.config.variant = "v8";
  b.config.created = "2020-01-01T00:00:00Z";
  b.config.config.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
  b.config.config.cmd = std::vector<std::string>{"bash"};
  b.config.config.on_build = {"RUN echo triggered"};
  b.config.config.healthcheck = oci::Healthcheck{{"CMD", "true"}, 1'000'000'000, 0, 0, 0, 3};
  b.config.config.labels = {{"vendor", "base"}, {"version", "1"}};
  b.config.config.extra["Hostname"] = "base-host";
  b.config.extra["container_config"] = nlohmann::json::object();
  b.config.rootfs.diff_ids = {sha('0')};
  b.config.history = {{"2020-01-01T00:00:00Z", "/bin/sh -c #(nop) ADD file:x in /", "", "", false},
                      {"2020-01-01T00:00:01Z", "/bin/sh -c #(nop)  CMD [\"bash\"]", "", "", true}};
  oci::Descriptor l;
  l.media_type = std::string(oci::k_media_docker_layer_gzip);
  l.digest = sha('9');
  l.size = 1234;
  b.layers = {l};
  b.manifest.digest = sha('8');
  return b;
}

TEST(BuildConfig, ScratchStartsWithPlatformPathAndRootWorkdir) {
  auto image = build_config(scratch_request());
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->os, "linux");
  EXPECT_EQ(image->architecture, "amd64");
  EXPECT_EQ(image->created, k_created);
  EXPECT_EQ(image->config.working_dir, "/");
  EXPECT_EQ(image->config.env, (std::vector<std::string>{k_path, "A=b"}));
  EXPECT_EQ(image->config.cmd, (std::vector<std::string>{"/app"}));
  EXPECT_EQ(image->rootfs.diff_ids, (std::vector<base::Digest>{sha('a')}));
  ASSERT_EQ(image->history.size(), 3u);
  EXPECT_EQ(image->history[0].created_by, "COPY app /app # buildkit");
  EXPECT_FALSE(image->history[0].empty_layer);
  EXPECT_EQ(image->history[1].created_by, "ENV A=b");
  EXPECT_TRUE(image->history[1].empty_layer);
  EXPECT_EQ(image->history[2].created_by, "CMD [\"/app\"]");
  for (const auto& h : image->history) {
    EXPECT_EQ(h.created, k_created);
    EXPECT_EQ(h.comment, "buildkit.dockerfile.v0");
  }
}

TEST(BuildConfig, BaseImageIsInheritedAndExtended) {
  AssembleRequest r;
  r.base = base_image();
  r.platform = {"linux", "arm64", ""};
  r.created = k_created;
  ir::ConfigChange ep;
  ep.kind = ir::ConfigKind::entrypoint;
  ep.values = {"/entry.sh"};
  ep.reset_cmd = true;
  r.steps.push_back({ep, info("ENTRYPOINT [\"/entry.sh\"]", 2), std::nullopt});
  r.steps.push_back(config_step(ir::ConfigKind::env, {}, "ENV LANG=en", 3, {{"LANG", "en"}}));
  r.steps.push_back(run_step({"/bin/sh", "-c", "make"}, "[2/2] RUN make", 4, layer('r')));
  r.labels = {{"version", "2"}, {"cli", "yes"}};
  auto image = build_config(r);
  ASSERT_TRUE(image.ok()) << image.error().message;
  // PATH is already set; LANG replaced in place; inherited CMD reset by ENTRYPOINT.
  EXPECT_EQ(image->config.env, (std::vector<std::string>{"PATH=/usr/bin:/bin", "LANG=en"}));
  EXPECT_FALSE(image->config.cmd.has_value());
  EXPECT_EQ(image->config.entrypoint, (std::vector<std::string>{"/entry.sh"}));
  // HEALTHCHECK is inherited untouched; ONBUILD triggers are not.
  ASSERT_TRUE(image->config.healthcheck.has_value());
  EXPECT_EQ(image->config.healthcheck->retries, 3);
  EXPECT_TRUE(image->config.on_build.empty());
  EXPECT_EQ(image->config.labels,
            (std::map<std::string, std::string>{{"cli", "yes"}, {"vendor", "base"}, {"version", "2"}}));
  // Fields BuildKit does not model are dropped, as BuildKit drops them.
  EXPECT_FALSE(image->config.extra.contains("Hostname"));
  EXPECT_FALSE(image->extra.contains("container_config"));
  EXPECT_EQ(image->variant, "");  // arm64/v8 normalizes to arm64, as in containerd
  EXPECT_EQ(image->rootfs.diff_ids, (std::vector<base::Digest>{sha('0'), sha('r')}));
  ASSERT_EQ(image->history.size(), 5u);
  EXPECT_EQ(image->history[0].created, "2020-01-01T00:00:00Z");  // base history kept as is
  EXPECT_EQ(image->history[1].created_by, "/bin/sh -c #(nop)  CMD [\"bash\"]");
  EXPECT_EQ(image->history[2].created_by, "ENTRYPOINT [\"/entry.sh\"]");
  EXPECT_EQ(image->history[4].created_by, "RUN /bin/sh -c make # buildkit");
  EXPECT_EQ(image->history[4].created, k_created);
  EXPECT_EQ(image->created, k_created);
}

TEST(BuildConfig, WorkdirAndItsDirectoryMakeOneEntry) {
  AssembleRequest r = scratch_request();
  r.steps.clear();
  r.steps.push_back(config_step(ir::ConfigKind::workdir, {"/app"}, "WORKDIR /app", 2));
  ir::File mkdir;
  mkdir.actions.push_back(ir::Mkdir{"/app", 0755, true, ""});
  r.steps.push_back({mkdir, info("[1/1] WORKDIR /app", 2), layer('w')});
  r.steps.push_back(config_step(ir::ConfigKind::workdir, {"/"}, "WORKDIR /", 3));
  auto image = build_config(r);
  ASSERT_TRUE(image.ok()) << image.error().message;
  ASSERT_EQ(image->history.size(), 2u);
  EXPECT_EQ(image->history[0].created_by, "WORKDIR /app");
  EXPECT_FALSE(image->history[0].empty_layer);
  EXPECT_EQ(image->history[1].created_by, "WORKDIR /");
  EXPECT_TRUE(image->history[1].empty_layer);
  EXPECT_EQ(image->config.working_dir, "/");
}

TEST(BuildConfig, RunHistoryShowsArgsDeclaredEarlierInTheChain) {
  AssembleRequest r = scratch_request();
  r.steps.clear();
  r.steps.push_back(config_step(ir::ConfigKind::arg, {}, "ARG V=1", 2, {{"V", "1"}}));
  ir::Exec e;
  e.argv = {"/bin/sh", "-c", "echo $V"};
  e.env = ir::EnvMap{{"V", "1"}};
  r.steps.push_back({e, info("[1/1] RUN echo $V", 3), layer('e')});
  auto image = build_config(r);
  ASSERT_TRUE(image.ok()) << image.error().message;
  ASSERT_EQ(image->history.size(), 2u);
  EXPECT_EQ(image->history[0].created_by, "ARG V=1");
  EXPECT_EQ(image->history[1].created_by, "RUN |1 V=1 /bin/sh -c echo $V # buildkit");
}

TEST(BuildConfig, RunWithoutLayerIsAnEmptyLayerEntry) {
  AssembleRequest r = scratch_request();
  r.steps.push_back(run_step({"true"}, "[2/2] RUN true", 5, std::nullopt));
  auto image = build_config(r);
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_TRUE(image->history.back().empty_layer);
  EXPECT_EQ(image->rootfs.diff_ids.size(), 1u);
}

TEST(BuildConfig, OnbuildOfAnEarlierStageDoesNotCarryOver) {
  AssembleRequest r = scratch_request();
  r.steps.clear();
  r.steps.push_back(config_step(ir::ConfigKind::onbuild, {"RUN x"}, "ONBUILD RUN x", 2));
  Step next = config_step(ir::ConfigKind::onbuild, {"RUN y"}, "ONBUILD RUN y", 4);
  next.info.stage = 1;
  r.steps.push_back(next);
  auto image = build_config(r);
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->config.on_build, (std::vector<std::string>{"RUN y"}));
  EXPECT_TRUE(image->history.empty());
}

TEST(BuildConfig, ArmWithoutVariantIsArmV7) {
  AssembleRequest r = scratch_request();
  r.platform = {"linux", "arm", ""};
  auto image = build_config(r);
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->variant, "v7");
}

TEST(BuildConfig, PlatformOverrideAndErrors) {
  AssembleRequest r;
  r.base = base_image();
  r.platform = {"linux", "amd64", ""};
  r.override_platform = true;
  r.created = k_created;
  auto image = build_config(r);
  ASSERT_TRUE(image.ok()) << image.error().message;
  EXPECT_EQ(image->architecture, "amd64");
  EXPECT_EQ(image->variant, "");

  AssembleRequest bad = scratch_request();
  bad.steps[1].layer = layer('x');
  auto with_layer = build_config(bad);
  ASSERT_FALSE(with_layer.ok());
  EXPECT_EQ(with_layer.error().message, "step \"ENV A=b\" edits the config but has a layer");

  AssembleRequest mismatch;
  mismatch.base = base_image();
  mismatch.base->layers.clear();
  mismatch.created = k_created;
  EXPECT_FALSE(build_config(mismatch).ok());

  AssembleRequest no_platform = scratch_request();
  no_platform.platform = {};
  EXPECT_FALSE(build_config(no_platform).ok());
}

TEST(AssembleImage, RoundTripsThroughTheStore) {
  TempStore s;
  oci::ImageConfig base_config = base_image().config;
  oci::Descriptor base_manifest = put_base_image(s, base_config, "base-layer", oci::k_media_docker_layer_gzip);
  auto base = read_base_image(s.store(), base_manifest, {"linux", "arm64", ""});
  ASSERT_TRUE(base.ok()) << base.error().message;

  AssembleRequest r;
  r.base = *base;
  r.platform = {"linux", "arm64", ""};
  r.created = k_created;
  r.steps = scratch_request().steps;
  r.steps[0].layer->media_type = std::string(oci::k_media_oci_layer_zstd);
  auto built = assemble_image(s.store(), r);
  ASSERT_TRUE(built.ok()) << built.error().message;
  EXPECT_EQ(built->manifest.media_type, oci::k_media_oci_manifest);
  ASSERT_TRUE(built->manifest.platform.has_value());
  EXPECT_EQ(built->manifest.platform->architecture, "arm64");
  EXPECT_EQ(built->manifest.platform->variant, "");

  auto manifest_bytes = s.store().read(built->manifest.digest);
  ASSERT_TRUE(manifest_bytes.ok());
  EXPECT_EQ(*manifest_bytes, built->manifest_bytes);
  auto manifest = oci::parse_manifest(*manifest_bytes);
  ASSERT_TRUE(manifest.ok()) << manifest.error().message;
  EXPECT_EQ(manifest->media_type, oci::k_media_oci_manifest);
  EXPECT_EQ(manifest->config.media_type, oci::k_media_oci_config);
  EXPECT_EQ(manifest->config.digest, built->config.digest);
  ASSERT_EQ(manifest->layers.size(), 2u);
  EXPECT_EQ(manifest->layers[0].media_type, oci::k_media_oci_layer_gzip);  // converted from Docker's
  EXPECT_EQ(manifest->layers[0].digest, base->layers[0].digest);
  EXPECT_EQ(manifest->layers[1].media_type, oci::k_media_oci_layer_zstd);
  EXPECT_EQ(manifest->layers[1].digest, sha('b'));
  EXPECT_EQ(manifest->layers[1].size, 100);

  auto config_bytes = s.store().read(manifest->config.digest);
  ASSERT_TRUE(config_bytes.ok());
  auto config = oci::parse_image_config(*config_bytes);
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(*config, built->image);
  EXPECT_EQ(config->rootfs.diff_ids, (std::vector<base::Digest>{sha('0'), sha('a')}));
  EXPECT_EQ(config->history.size(), 5u);
  EXPECT_TRUE(oci::check_history_matches_layers(*config).ok());

  // The result can itself be a base image.
  auto again = read_base_image(s.store(), built->manifest, {"linux", "arm64", ""});
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(again->layers.size(), 2u);
}

TEST(AssembleImage, SameInputsGiveIdenticalBytes) {
  auto a = make_image(scratch_request());
  auto b = make_image(scratch_request());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->config_bytes, b->config_bytes);
  EXPECT_EQ(a->manifest_bytes, b->manifest_bytes);
  EXPECT_EQ(a->manifest.digest, b->manifest.digest);
  AssembleRequest later = scratch_request();
  later.created = "2024-05-06T07:08:10Z";
  auto c = make_image(later);
  ASSERT_TRUE(c.ok());
  EXPECT_NE(c->config.digest, a->config.digest);
}

TEST(AssembleImage, SourceDateEpochPinsEveryNewTimestamp) {
  // Two builds on different days with the same epoch: the caller passes the
  // epoch as `created`, whatever its clock says.
  auto build = [&](int64_t /*day*/) {
    AssembleRequest r;
    r.base = base_image();
    r.platform = {"linux", "arm64", ""};
    r.created = format_rfc3339(1'600'000'000LL * 1'000'000'000);
    r.steps = scratch_request().steps;
    return make_image(r);
  };
  auto first = build(1), second = build(2);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->config_bytes, second->config_bytes);
  EXPECT_EQ(first->manifest.digest, second->manifest.digest);
  EXPECT_EQ(first->image.created, "2020-09-13T12:26:40Z");
  EXPECT_EQ(first->image.history[0].created, "2020-01-01T00:00:00Z");
  for (size_t i = 2; i < first->image.history.size(); ++i)
    EXPECT_EQ(first->image.history[i].created, "2020-09-13T12:26:40Z");
}

TEST(Timestamps, Format) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1'500'000'000), "1970-01-01T00:00:01.5Z");
  EXPECT_EQ(format_rfc3339(951'782'400LL * 1'000'000'000), "2000-02-29T00:00:00Z");
  EXPECT_EQ(format_rfc3339(4'102'444'799LL * 1'000'000'000 + 1), "2099-12-31T23:59:59.000000001Z");
}

TEST(StageChain, FollowsInputZeroAcrossStages) {
  ir::Definition def;
  uint32_t img = def.add(ir::ImageSource{"docker.io/library/alpine:latest", {"linux", "amd64", ""}}, {});
  uint32_t ctx = def.add(ir::ContextSource{}, {});
  ir::File copy;
  copy.actions.push_back(ir::Copy{1, "/", "/app", "", "", {}, {}, {}, false, true});
  uint32_t cp = def.add(copy, {{img, 0}, {ctx, 0}});
  ir::ConfigChange env;
  uint32_t cfg = def.add(env, {{cp, 0}});
  ir::Exec run;
  run.argv = {"true"};
  uint32_t ex = def.add(run, {{cfg, 0}});
  auto chain = stage_chain(def, ex);
  ASSERT_TRUE(chain.ok()) << chain.error().message;
  EXPECT_EQ(chain->source, img);
  EXPECT_EQ(chain->steps, (std::vector<uint32_t>{cp, cfg, ex}));
  EXPECT_FALSE(stage_chain(def, ctx).ok());
  EXPECT_FALSE(stage_chain(def, 99).ok());
}

}  // namespace
}  // namespace solver::image
