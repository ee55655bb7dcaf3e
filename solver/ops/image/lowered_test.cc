// Dockerfile text → frontend lowering → stage chain → image config: the
// config and history texts BuildKit produces for the same Dockerfile.
#include <gtest/gtest.h>

#include "frontend/instructions/instructions.h"
#include "frontend/lower/lower.h"
#include "frontend/parser/parser.h"
#include "solver/ops/image/assemble.h"

namespace solver::image {
namespace {

const char* const k_path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Lowers `text` for linux/amd64 and assembles the target stage from scratch,
// giving every filesystem step a made-up layer.
oci::ImageConfig build(const std::string& text) {
  frontend::lower::LowerOptions opt;
  opt.target_platform = ir::Platform{"linux", "amd64", ""};
  opt.build_platform = ir::Platform{"linux", "amd64", ""};
  auto doc = frontend::parser::parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().render());
  auto df = frontend::instructions::parse_instructions(*doc);
  EXPECT_TRUE(df.ok()) << (df.ok() ? "" : df.error().render());
  auto def = frontend::lower::lower(*df, opt);
  EXPECT_TRUE(def.ok()) << (def.ok() ? "" : def.error().render());
  if (!def.ok()) return {};

  auto chain = stage_chain(*def, def->terminal.op);
  EXPECT_TRUE(chain.ok()) << (chain.ok() ? "" : chain.error().message);
  EXPECT_TRUE(std::holds_alternative<ir::Scratch>(def->ops[chain->source]));
  AssembleRequest r;
  r.platform = {"linux", "amd64", ""};
  r.created = "2024-01-01T00:00:00Z";
  char next = 'a';
  for (uint32_t op : chain->steps) {
    Step step{def->ops[op], def->info[op], std::nullopt};
    if (!std::holds_alternative<ir::ConfigChange>(step.op)) {
      base::Digest d = base::Digest::from_hex("sha256", std::string(64, next++));
      step.layer = LayerRef{d, d, 10};
    }
    r.steps.push_back(std::move(step));
  }
  auto image = build_config(r);
  EXPECT_TRUE(image.ok()) << (image.ok() ? "" : image.error().message);
  return image.ok() ? *image : oci::ImageConfig{};
}

std::vector<std::string> history_texts(const oci::ImageConfig& image) {
  std::vector<std::string> out;
  for (const auto& h : image.history) out.push_back(h.created_by + (h.empty_layer ? "" : " [layer]"));
  return out;
}

TEST(LoweredImage, SingleStageConfigAndHistory) {
  oci::ImageConfig image = build(R"(FROM scratch
ARG V=1
ENV A=b
WORKDIR /app
COPY --chown=1:1 --link . .
RUN echo $V
EXPOSE 53/udp 80
HEALTHCHECK --interval=30s CMD true
ENTRYPOINT ["/app/run"]
LABEL x="y z"
USER 1000
)");
  EXPECT_EQ(history_texts(image), (std::vector<std::string>{
                                      "ARG V=1",
                                      "ENV A=b",
                                      "WORKDIR /app [layer]",
                                      "COPY --chown=1:1 . . # buildkit [layer]",
                                      "RUN |1 V=1 /bin/sh -c echo $V # buildkit [layer]",
                                      "EXPOSE [53/udp 80/tcp]",
                                      "HEALTHCHECK &{[\"CMD-SHELL\" \"true\"] \"30s\" \"0s\" \"0s\" \"0s\" '\\x00'}",
                                      "ENTRYPOINT [\"/app/run\"]",
                                      "LABEL x=y z",
                                      "USER 1000",
                                  }));
  EXPECT_EQ(image.config.env, (std::vector<std::string>{k_path, "A=b"}));
  EXPECT_EQ(image.config.working_dir, "/app");
  EXPECT_EQ(image.config.exposed_ports, (std::set<std::string>{"53/udp", "80/tcp"}));
  EXPECT_EQ(image.config.entrypoint, (std::vector<std::string>{"/app/run"}));
  EXPECT_FALSE(image.config.cmd.has_value());
  EXPECT_EQ(image.config.labels, (std::map<std::string, std::string>{{"x", "y z"}}));
  EXPECT_EQ(image.config.user, "1000");
  ASSERT_TRUE(image.config.healthcheck.has_value());
  EXPECT_EQ(image.config.healthcheck->test, (std::vector<std::string>{"CMD-SHELL", "true"}));
  EXPECT_EQ(image.rootfs.diff_ids.size(), 3u);
}

TEST(LoweredImage, StageFromStageDropsOnbuildAndResetsCmd) {
  oci::ImageConfig image = build(R"(FROM scratch AS base
ONBUILD RUN echo hi
CMD ["base"]
FROM base
ENTRYPOINT ["/e"]
)");
  EXPECT_EQ(history_texts(image), (std::vector<std::string>{
                                      "CMD [\"base\"]",
                                      "RUN /bin/sh -c echo hi # buildkit [layer]",
                                      "ENTRYPOINT [\"/e\"]",
                                  }));
  EXPECT_TRUE(image.config.on_build.empty());
  EXPECT_FALSE(image.config.cmd.has_value());
  EXPECT_TRUE(image.config.args_escaped);
}

TEST(LoweredImage, ShellFormCmdAndShell) {
  oci::ImageConfig image = build(R"(FROM scratch
SHELL ["/bin/bash", "-c"]
CMD echo "hi"
STOPSIGNAL SIGINT
VOLUME /data
)");
  EXPECT_EQ(history_texts(image), (std::vector<std::string>{
                                      "SHELL [/bin/bash -c]",
                                      "CMD [\"/bin/bash\" \"-c\" \"echo \\\"hi\\\"\"]",
                                      "STOPSIGNAL SIGINT",
                                      "VOLUME [/data]",
                                  }));
  EXPECT_EQ(image.config.cmd, (std::vector<std::string>{"/bin/bash", "-c", "echo \"hi\""}));
}

}  // namespace
}  // namespace solver::image
