// Dockerfile text -> parser -> instruction stage: the typed result of real
// Dockerfiles, checked field by field.
#include <gtest/gtest.h>

#include "frontend/instructions/instructions.h"
#include "frontend/parser/parser.h"

namespace frontend::instructions {
namespace {

constexpr int64_t k_s = 1000LL * 1000 * 1000;

ParsedDockerfile parse_text(std::string_view text) {
  auto doc = parser::parse_dockerfile(text, "Dockerfile");
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().render());
  if (!doc.ok()) return {};
  auto r = parse_instructions(*doc);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().render());
  return r.ok() ? *r : ParsedDockerfile{};
}

template <class T>
const T& at(const ParsedDockerfile& p, size_t stage, size_t index) {
  static const T k_empty{};
  if (stage >= p.stages.size() || index >= p.stages[stage].commands.size()) {
    ADD_FAILURE() << "no command " << stage << "/" << index;
    return k_empty;
  }
  const T* t = std::get_if<T>(&p.stages[stage].commands[index].instr);
  if (!t) {
    ADD_FAILURE() << "command " << stage << "/" << index << " is "
                  << instruction_name(p.stages[stage].commands[index].instr);
    return k_empty;
  }
  return *t;
}

TEST(TextToInstructions, MultiStageBuild) {
  ParsedDockerfile p = parse_text(R"(# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG TARGETOS TARGETARCH
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION} AS Build
WORKDIR /src
COPY --link go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=bind,source=.,target=/src,rw \
    GOOS=$TARGETOS go build -o /out/app .

FROM gcr.io/distroless/static AS runtime
COPY --from=build --chmod=0755 /out/app /app
USER nonroot:nonroot
EXPOSE 8080/tcp 443
ENTRYPOINT ["/app"]
CMD ["--port", "8080"]
)");
  ASSERT_EQ(p.meta_args.size(), 2u);
  EXPECT_EQ(p.meta_args[0].arg.args.at(0).name, "GO_VERSION");
  EXPECT_EQ(p.meta_args[0].arg.args.at(0).default_value, "1.22");
  ASSERT_EQ(p.meta_args[1].arg.args.size(), 2u);
  EXPECT_EQ(p.meta_args[1].arg.args[1].name, "TARGETARCH");
  EXPECT_EQ(p.meta_args[1].src.start_line, 3);

  ASSERT_EQ(p.stages.size(), 2u);
  EXPECT_EQ(p.stages[0].name, "build");
  EXPECT_EQ(p.stages[0].base_name, "golang:${GO_VERSION}");
  EXPECT_EQ(p.stages[0].platform, "$BUILDPLATFORM");
  EXPECT_EQ(p.stages[0].src.start_line, 4);
  ASSERT_EQ(p.stages[0].commands.size(), 3u);
  EXPECT_EQ(at<WorkdirInstr>(p, 0, 0).path, "/src");
  const auto& copy = at<CopyInstr>(p, 0, 1);
  EXPECT_TRUE(copy.link);
  EXPECT_EQ(copy.sources, (std::vector<std::string>{"go.mod", "go.sum"}));
  EXPECT_EQ(copy.dest, "./");
  const auto& run = at<RunInstr>(p, 0, 2);
  ASSERT_EQ(run.mounts.size(), 2u);
  EXPECT_EQ(run.mounts[0].type, MountType::cache);
  EXPECT_EQ(run.mounts[0].target, "/go/pkg/mod");
  EXPECT_EQ(run.mounts[1].type, MountType::bind);
  EXPECT_EQ(run.mounts[1].source, ".");
  EXPECT_FALSE(run.mounts[1].read_only);
  EXPECT_EQ(run.command.form, CommandForm::shell);
  ASSERT_EQ(run.command.args.size(), 1u);
  EXPECT_NE(run.command.args[0].find("GOOS=$TARGETOS go build -o /out/app ."), std::string::npos);
  EXPECT_EQ(p.stages[0].commands[2].src.start_line, 7);
  EXPECT_EQ(p.stages[0].commands[2].src.end_line, 9);

  EXPECT_EQ(p.stages[1].name, "runtime");
  EXPECT_EQ(p.stages[1].index, 1);
  const auto& copy2 = at<CopyInstr>(p, 1, 0);
  EXPECT_EQ(copy2.from, "build");
  EXPECT_EQ(copy2.chmod, "0755");
  EXPECT_EQ(at<UserInstr>(p, 1, 1).user, "nonroot:nonroot");
  EXPECT_EQ(at<ExposeInstr>(p, 1, 2).ports, (std::vector<std::string>{"443", "8080/tcp"}));
  const auto& ep = at<EntrypointInstr>(p, 1, 3);
  EXPECT_EQ(ep.command.form, CommandForm::exec);
  EXPECT_EQ(ep.command.args, std::vector<std::string>{"/app"});
  EXPECT_EQ(at<CmdInstr>(p, 1, 4).command.args, (std::vector<std::string>{"--port", "8080"}));
}

TEST(TextToInstructions, EnvLabelForms) {
  ParsedDockerfile p = parse_text(R"(FROM alpine
ENV A=1 B="two words" C=three\ words
ENV LEGACY the rest of the line
LABEL org.opencontainers.image.title="kiln" version=1
)");
  const auto& env = at<EnvInstr>(p, 0, 0);
  ASSERT_EQ(env.pairs.size(), 3u);
  EXPECT_EQ(env.pairs[0].key, "A");
  EXPECT_EQ(env.pairs[0].value, "1");
  // Values stay unexpanded and unquoted-as-written; the lowering processes them.
  EXPECT_EQ(env.pairs[1].value, "\"two words\"");
  EXPECT_EQ(env.pairs[2].value, "three\\ words");
  const auto& legacy = at<EnvInstr>(p, 0, 1);
  ASSERT_EQ(legacy.pairs.size(), 1u);
  EXPECT_EQ(legacy.pairs[0].key, "LEGACY");
  EXPECT_EQ(legacy.pairs[0].value, "the rest of the line");
  EXPECT_TRUE(legacy.pairs[0].legacy_form);
  const auto& label = at<LabelInstr>(p, 0, 2);
  ASSERT_EQ(label.pairs.size(), 2u);
  EXPECT_EQ(label.pairs[0].key, "org.opencontainers.image.title");
}

TEST(TextToInstructions, Heredocs) {
  ParsedDockerfile p = parse_text("FROM alpine\n"
                                  "RUN <<EOF\n"
                                  "set -e\n"
                                  "echo $HOME\n"
                                  "EOF\n"
                                  "COPY <<-'CONF' <<EXTRA /etc/app/\n"
                                  "\tkey=value\n"
                                  "\tCONF\n"
                                  "x=$y\n"
                                  "EXTRA\n");
  const auto& run = at<RunInstr>(p, 0, 0);
  ASSERT_EQ(run.command.heredocs.size(), 1u);
  EXPECT_EQ(run.command.heredocs[0].content, "set -e\necho $HOME\n");
  EXPECT_TRUE(run.command.heredocs[0].expand);
  const auto& copy = at<CopyInstr>(p, 0, 1);
  EXPECT_TRUE(copy.sources.empty());
  EXPECT_EQ(copy.dest, "/etc/app/");
  ASSERT_EQ(copy.heredoc_sources.size(), 2u);
  EXPECT_EQ(copy.heredoc_sources[0].path, "CONF");
  EXPECT_EQ(copy.heredoc_sources[0].content, "key=value\n");
  EXPECT_FALSE(copy.heredoc_sources[0].expand);
  EXPECT_EQ(copy.heredoc_sources[1].path, "EXTRA");
  EXPECT_EQ(copy.heredoc_sources[1].content, "x=$y\n");
  EXPECT_TRUE(copy.heredoc_sources[1].expand);
  EXPECT_EQ(p.stages[0].commands[1].src.end_line, 10);
}

TEST(TextToInstructions, Onbuild) {
  ParsedDockerfile p = parse_text("FROM alpine\n"
                                  "ONBUILD RUN --mount=type=cache,target=/c make\n"
                                  "onbuild COPY <<EOF /greeting\n"
                                  "hello\n"
                                  "EOF\n"
                                  "ONBUILD COPPY a b\n");
  const auto& o1 = at<OnbuildInstr>(p, 0, 0);
  EXPECT_EQ(o1.expression, "RUN --mount=type=cache,target=/c make");
  ASSERT_EQ(o1.trigger.size(), 1u);
  const auto& run = std::get<RunInstr>(o1.trigger[0].instr);
  ASSERT_EQ(run.mounts.size(), 1u);
  EXPECT_EQ(run.mounts[0].target, "/c");
  const auto& o2 = at<OnbuildInstr>(p, 0, 1);
  EXPECT_EQ(o2.expression, "COPY <<EOF /greeting\nhello\nEOF");
  ASSERT_EQ(o2.trigger.size(), 1u);
  const auto& copy = std::get<CopyInstr>(o2.trigger[0].instr);
  ASSERT_EQ(copy.heredoc_sources.size(), 1u);
  EXPECT_EQ(copy.heredoc_sources[0].content, "hello\n");
  const auto& o3 = at<OnbuildInstr>(p, 0, 2);
  EXPECT_EQ(o3.expression, "COPPY a b");
  EXPECT_TRUE(o3.trigger.empty());
}

TEST(TextToInstructions, HealthcheckShellSingleAndMeta) {
  ParsedDockerfile p = parse_text(R"(FROM alpine
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --start-interval=1s --retries=3 \
  CMD curl -f http://localhost/ || exit 1
HEALTHCHECK NONE
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
STOPSIGNAL SIGQUIT
VOLUME /data /logs
MAINTAINER someone@example.com
ADD --checksum=sha256:abcd --unpack=true https://example.com/a.tgz /opt/
)");
  const auto& h = at<HealthcheckInstr>(p, 0, 0);
  EXPECT_EQ(h.kind, HealthcheckInstr::Kind::cmd_shell);
  EXPECT_EQ(h.interval_ns, 30 * k_s);
  EXPECT_EQ(h.timeout_ns, 10 * k_s);
  EXPECT_EQ(h.start_period_ns, 5 * k_s);
  EXPECT_EQ(h.start_interval_ns, k_s);
  EXPECT_EQ(h.retries, 3);
  ASSERT_EQ(h.command.size(), 1u);
  EXPECT_EQ(h.command[0], "curl -f http://localhost/ || exit 1");
  EXPECT_EQ(at<HealthcheckInstr>(p, 0, 1).kind, HealthcheckInstr::Kind::none);
  EXPECT_EQ(at<ShellInstr>(p, 0, 2).shell,
            (std::vector<std::string>{"/bin/bash", "-o", "pipefail", "-c"}));
  EXPECT_EQ(at<StopSignalInstr>(p, 0, 3).signal, "SIGQUIT");
  EXPECT_EQ(at<VolumeInstr>(p, 0, 4).volumes, (std::vector<std::string>{"/data", "/logs"}));
  EXPECT_EQ(at<MaintainerInstr>(p, 0, 5).maintainer, "someone@example.com");
  const auto& add = at<AddInstr>(p, 0, 6);
  EXPECT_EQ(add.checksum, "sha256:abcd");
  EXPECT_EQ(add.unpack, true);
  EXPECT_EQ(add.sources, std::vector<std::string>{"https://example.com/a.tgz"});
}

TEST(TextToInstructions, EscapeDirectiveAndCase) {
  ParsedDockerfile p = parse_text("# escape=`\n"
                                  "from alpine as Base\n"
                                  "run echo a `\n"
                                  "    b\n"
                                  "copy [\"a b\", \"/c d/\"]\n");
  EXPECT_EQ(p.escape_token, '`');
  ASSERT_EQ(p.stages.size(), 1u);
  EXPECT_EQ(p.stages[0].name, "base");
  const auto& run = at<RunInstr>(p, 0, 0);
  EXPECT_EQ(run.command.args.size(), 1u);
  const auto& copy = at<CopyInstr>(p, 0, 1);
  EXPECT_EQ(copy.form, CommandForm::exec);
  EXPECT_EQ(copy.sources, std::vector<std::string>{"a b"});
  EXPECT_EQ(copy.dest, "/c d/");
}

TEST(TextToInstructions, MountWithQuotedValueAndVariables) {
  ParsedDockerfile p = parse_text(R"(FROM alpine
ARG UID=1000
RUN --mount="type=cache,target=/home/u/.cache,uid=${UID}" \
    --mount=type=secret,id=npm,env=NPM_TOKEN,required \
    --mount=type=ssh \
    --mount=type=tmpfs,target=/scratch,size=128m \
    --network=host --security=insecure make
)");
  const auto& run = at<RunInstr>(p, 0, 1);
  ASSERT_EQ(run.mounts.size(), 4u);
  EXPECT_EQ(run.mounts[0].spec, "type=cache,target=/home/u/.cache,uid=${UID}");
  EXPECT_FALSE(run.mounts[0].uid.has_value());  // deferred to the lowering
  EXPECT_EQ(run.mounts[1].type, MountType::secret);
  EXPECT_EQ(run.mounts[1].env, "NPM_TOKEN");
  EXPECT_TRUE(run.mounts[1].required);
  EXPECT_EQ(run.mounts[2].type, MountType::ssh);
  EXPECT_EQ(run.mounts[3].size_bytes, 128LL * 1024 * 1024);
  EXPECT_EQ(run.network, NetworkMode::host);
  EXPECT_EQ(run.security, SecurityMode::insecure);
}

TEST(TextToInstructions, BuildCheckWarnings) {
  ParsedDockerfile p = parse_text("FROM alpine as Build\nMAINTAINER me\n");
  ASSERT_EQ(p.warnings.size(), 3u);
  EXPECT_EQ(p.warnings[0].short_text, "StageNameCasing: Stage name 'Build' should be lowercase");
  EXPECT_EQ(p.warnings[1].short_text, "FromAsCasing: 'as' and 'FROM' keywords' casing do not match");
  EXPECT_EQ(p.warnings[2].short_text,
            "MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label");
  EXPECT_EQ(p.warnings[2].line, 2);
  ParsedDockerfile q = parse_text("# check=skip=all\nFROM alpine as Build\nMAINTAINER me\n");
  EXPECT_TRUE(q.warnings.empty());
}

TEST(TextToInstructions, ErrorRendersLikeACompiler) {
  auto doc = parser::parse_dockerfile("FROM alpine\nRUN --network=bridge \\\n  make\n", "Dockerfile");
  ASSERT_TRUE(doc.ok());
  auto r = parse_instructions(*doc);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().render(),
            "Dockerfile:2:5: invalid network mode \"bridge\"\n"
            " 2 | RUN --network=bridge \\\n"
            "   |     ^\n"
            "hint: use --network=default, --network=none or --network=host");
}

}  // namespace
}  // namespace frontend::instructions
