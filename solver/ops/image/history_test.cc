#include "solver/ops/image/history.h"

#include <gtest/gtest.h>

namespace solver::image {
namespace {

ir::ConfigChange change(ir::ConfigKind kind, std::vector<std::string> values = {},
                        std::vector<ir::KeyValue> pairs = {}) {
  ir::ConfigChange c;
  c.kind = kind;
  c.values = std::move(values);
  c.pairs = std::move(pairs);
  return c;
}

std::string text(const ir::Op& op, const std::string& display = "", std::vector<ir::KeyValue> args = {}) {
  ir::OpInfo info;
  info.display_name = display;
  return created_by(op, info, args).value_or("<none>");
}

ir::File copy_file() {
  ir::File f;
  f.actions.push_back(ir::Copy{});
  return f;
}

TEST(CreatedBy, ConfigInstructions) {
  EXPECT_EQ(text(change(ir::ConfigKind::env, {}, {{"A", "b"}, {"C", "d e"}})), "ENV A=b C=d e");
  EXPECT_EQ(text(change(ir::ConfigKind::label, {}, {{"a", "b"}})), "LABEL a=b");
  EXPECT_EQ(text(change(ir::ConfigKind::arg, {}, {{"V", "1"}, {"W", std::nullopt}, {"E", ""}})), "ARG V=1 W E=");
  EXPECT_EQ(text(change(ir::ConfigKind::workdir, {"/app"})), "WORKDIR /app");
  EXPECT_EQ(text(change(ir::ConfigKind::user, {"app"})), "USER app");
  EXPECT_EQ(text(change(ir::ConfigKind::expose, {"80/tcp", "53/udp"})), "EXPOSE [80/tcp 53/udp]");
  EXPECT_EQ(text(change(ir::ConfigKind::volume, {"/data", "/logs"})), "VOLUME [/data /logs]");
  EXPECT_EQ(text(change(ir::ConfigKind::cmd, {"x"})), "CMD [\"x\"]");
  EXPECT_EQ(text(change(ir::ConfigKind::cmd, {"/bin/sh", "-c", "echo \"hi\"\tthere"})),
            "CMD [\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\\tthere\"]");
  EXPECT_EQ(text(change(ir::ConfigKind::cmd, {})), "CMD []");
  EXPECT_EQ(text(change(ir::ConfigKind::entrypoint, {"/entry.sh", "--flag"})),
            "ENTRYPOINT [\"/entry.sh\" \"--flag\"]");
  EXPECT_EQ(text(change(ir::ConfigKind::shell, {"/bin/bash", "-c"})), "SHELL [/bin/bash -c]");
  EXPECT_EQ(text(change(ir::ConfigKind::stopsignal, {"SIGTERM"})), "STOPSIGNAL SIGTERM");
  EXPECT_EQ(text(change(ir::ConfigKind::maintainer, {"Jo <jo@example.com>"})),
            "MAINTAINER Jo <jo@example.com>");
}

TEST(CreatedBy, HealthcheckIsGoStructText) {
  ir::ConfigChange hc = change(ir::ConfigKind::healthcheck);
  hc.healthcheck = ir::Healthcheck{{"CMD-SHELL", "curl -f http://localhost/"}, 30'000'000'000, 3'000'000'000, 0,
                                   0, 3};
  EXPECT_EQ(text(hc),
            "HEALTHCHECK &{[\"CMD-SHELL\" \"curl -f http://localhost/\"] \"30s\" \"3s\" \"0s\" \"0s\" '\\x03'}");
  hc.healthcheck = ir::Healthcheck{{"NONE"}, 0, 0, 0, 0, 0};
  EXPECT_EQ(text(hc), "HEALTHCHECK &{[\"NONE\"] \"0s\" \"0s\" \"0s\" \"0s\" '\\x00'}");
}

// Retries is a Go int printed with %q: a rune literal as strconv.QuoteRune writes it.
TEST(CreatedBy, HealthcheckRetriesAreGoRuneLiterals) {
  ir::ConfigChange hc = change(ir::ConfigKind::healthcheck);
  auto retries = [&](int64_t n) {
    hc.healthcheck = ir::Healthcheck{{"NONE"}, 0, 0, 0, 0, n};
    std::string t = text(hc);
    return t.substr(t.rfind(' ') + 1);
  };
  EXPECT_EQ(retries(7), "'\\a'}");
  EXPECT_EQ(retries(10), "'\\n'}");
  EXPECT_EQ(retries(31), "'\\x1f'}");
  EXPECT_EQ(retries(65), "'A'}");
  EXPECT_EQ(retries(39), "'\\''}");
  EXPECT_EQ(retries(127), "'\\x7f'}");
  EXPECT_EQ(retries(0x85), "'\\u0085'}");
  EXPECT_EQ(retries(0xE9), "'\xc3\xa9'}");
  EXPECT_EQ(retries(-1), "'\xef\xbf\xbd'}");
  EXPECT_EQ(retries(0xAD), "'\\u00ad'}");
  EXPECT_EQ(retries(0x2028), "'\\u2028'}");          // line separator
  EXPECT_EQ(retries(0xE000), "'\\ue000'}");          // private use
  EXPECT_EQ(retries(0x4E16), "'\xe4\xb8\x96'}");     // 世
  EXPECT_EQ(retries(0x1F600), "'\xf0\x9f\x98\x80'}");  // 😀
  EXPECT_EQ(retries(0x10FFFF), "'\\U0010ffff'}");
}

TEST(CreatedBy, OnbuildAndSourcesAddNoEntry) {
  ir::OpInfo info;
  EXPECT_FALSE(created_by(change(ir::ConfigKind::onbuild, {"RUN x"}), info).has_value());
  EXPECT_FALSE(created_by(ir::Scratch{}, info).has_value());
  EXPECT_FALSE(created_by(ir::ImageSource{}, info).has_value());
}

TEST(CreatedBy, RunShowsArgvAndBuildArgs) {
  ir::Exec exec;
  exec.argv = {"/bin/sh", "-c", "make"};
  EXPECT_EQ(text(exec), "RUN /bin/sh -c make # buildkit");
  exec.argv = {"/bin/sh", "-c", "make install"};
  exec.env = ir::EnvMap{{"V", "2"}, {"PATH", "/bin"}};
  // V is overridden by ENV (the environment wins); W has no value anywhere.
  EXPECT_EQ(text(exec, "", {{"V", "1"}, {"W", std::nullopt}}), "RUN |2 V=2 W= /bin/sh -c make install # buildkit");
  // A redeclared ARG keeps its first position.
  EXPECT_EQ(text(exec, "", {{"A", "1"}, {"B", "x"}, {"A", "3"}}), "RUN |2 A=3 B=x /bin/sh -c make install # buildkit");
  exec.argv = {"echo", "a b"};
  exec.env = {};
  EXPECT_EQ(text(exec), "RUN echo a b # buildkit");
}

TEST(CreatedBy, CopyAndAddFromDisplayName) {
  ir::File f = copy_file();
  EXPECT_EQ(text(f, "[2/3] COPY . /app"), "COPY . /app # buildkit");
  EXPECT_EQ(text(f, "[build 3/4] COPY --from=build --chown=app:app --link --chmod=755 a b /dst/"),
            "COPY --chown=app:app --chmod=755 a b /dst/ # buildkit");
  EXPECT_EQ(text(f, "[3/4] COPY --chmod=644 --parents --exclude=*.md src/./x /dst/"),
            "COPY --parents --chmod=644 src/./x /dst/ # buildkit");
  EXPECT_EQ(text(f, "[2/2] ADD --checksum=sha256:abc https://example.com/x.tgz /"),
            "ADD https://example.com/x.tgz / # buildkit");
  EXPECT_EQ(text(f, "[2/2] COPY <<EOF /etc/motd"), "COPY <<EOF /etc/motd # buildkit");
  EXPECT_EQ(text(f, "[2/2] COPY <<-\"A\" one <<B /dst/"), "COPY one <<A <<B /dst/ # buildkit");
  EXPECT_EQ(text(f, "[2/2] COPY [\"a b\", \"/dst/\"]"), "COPY a b /dst/ # buildkit");
  EXPECT_EQ(text(f, "[linux/amd64 app 5/7] ONBUILD COPY x /y"), "COPY x /y # buildkit");
}

TEST(CreatedBy, WorkdirDirectoryStepIsTheWorkdirEntry) {
  ir::File mkdir;
  mkdir.actions.push_back(ir::Mkdir{"/app/src", 0755, true, ""});
  EXPECT_EQ(text(mkdir, "[2/4] WORKDIR src"), "WORKDIR /app/src");
}

TEST(MakeHistory, CarriesCommentCreatedAndEmptyLayer) {
  ir::OpInfo info;
  auto h = make_history(change(ir::ConfigKind::user, {"app"}), info, true, "2024-01-01T00:00:00Z");
  ASSERT_TRUE(h.has_value());
  EXPECT_EQ(h->created_by, "USER app");
  EXPECT_EQ(h->comment, "buildkit.dockerfile.v0");
  EXPECT_EQ(h->created, "2024-01-01T00:00:00Z");
  EXPECT_TRUE(h->empty_layer);
  ir::Exec exec;
  exec.argv = {"true"};
  auto run = make_history(exec, info, false, std::nullopt);
  ASSERT_TRUE(run.has_value());
  EXPECT_FALSE(run->empty_layer);
  EXPECT_FALSE(run->created.has_value());
}

TEST(GoFormat, Durations) {
  EXPECT_EQ(go_duration(0), "0s");
  EXPECT_EQ(go_duration(30'000'000'000), "30s");
  EXPECT_EQ(go_duration(90'000'000'000), "1m30s");
  EXPECT_EQ(go_duration(3'600'000'000'000), "1h0m0s");
  EXPECT_EQ(go_duration(3'723'500'000'000), "1h2m3.5s");
  EXPECT_EQ(go_duration(1'500'000'000), "1.5s");
  EXPECT_EQ(go_duration(500'000'000), "500ms");
  EXPECT_EQ(go_duration(1'500), "1.5\xc2\xb5s");
  EXPECT_EQ(go_duration(7), "7ns");
  EXPECT_EQ(go_duration(-2'000'000'000), "-2s");
}

TEST(GoFormat, QuoteEscapesAsStrconvQuote) {
  EXPECT_EQ(go_quote("plain"), "\"plain\"");
  EXPECT_EQ(go_quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
  EXPECT_EQ(go_quote("\x01\x7f"), "\"\\x01\\x7f\"");
  EXPECT_EQ(go_quote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(go_quote("\xff"), "\"\\xff\"");
  EXPECT_EQ(go_quote("\xc2\x85"), "\"\\u0085\"");
  EXPECT_EQ(go_list({}), "[]");
}

TEST(InstructionText, StripsPrefixAndOnbuild) {
  EXPECT_EQ(instruction_text("[build 2/5] RUN make"), "RUN make");
  EXPECT_EQ(instruction_text("[ 3/12] ONBUILD RUN x"), "RUN x");
  EXPECT_EQ(instruction_text("ENV A=b"), "ENV A=b");
}

}  // namespace
}  // namespace solver::image
