// Steps: WORKDIR, SHELL, CMD/ENTRYPOINT, RUN (heredocs, mounts, network,
// security), COPY/ADD sources, the build context selection, determinism.
#include "frontend/lower/lower_test_util.h"

namespace frontend::lower::testing {
namespace {

using ::testing::HasSubstr;
using Strings = std::vector<std::string>;

TEST(Steps, WorkdirJoinsAndCreatesDirectories) {
  auto def = must("FROM alpine\nUSER app\nWORKDIR /a\nWORKDIR b/../c\nRUN pwd\nWORKDIR /\n");
  EXPECT_EQ(last<ir::Exec>(def).cwd, "/a/c");
  std::vector<ir::Mkdir> dirs;
  for (const auto* f : all<ir::File>(def))
    for (const auto& a : f->actions)
      if (const auto* m = std::get_if<ir::Mkdir>(&a)) dirs.push_back(*m);
  ASSERT_EQ(dirs.size(), 2u);  // WORKDIR / creates nothing
  EXPECT_EQ(dirs[1].path, "/a/c");
  EXPECT_TRUE(dirs[1].make_parents);
  EXPECT_EQ(dirs[1].mode, 0755u);
  EXPECT_EQ(dirs[1].chown, "app");
  EXPECT_EQ(config(def, ir::ConfigKind::workdir)->values[0], "/");
  // Relative COPY destinations and mount targets use the working directory.
  auto def2 = must("FROM alpine\nWORKDIR /src\nCOPY a.txt sub/\nRUN --mount=type=tmpfs,target=tmp ls\n");
  EXPECT_EQ(std::get<ir::Copy>(last<ir::File>(def2).actions[0]).dest, "/src/sub/");
  EXPECT_EQ(last<ir::Exec>(def2).mounts[0].target, "/src/tmp");
}

TEST(Steps, ShellAppliesToLaterShellForms) {
  auto def = must(
      "FROM alpine\nRUN a\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN b\nRUN [\"c\"]\n"
      "CMD d\nENTRYPOINT e\n");
  auto execs = all<ir::Exec>(def);
  ASSERT_EQ(execs.size(), 3u);
  EXPECT_EQ(execs[0]->argv, (Strings{"/bin/sh", "-c", "a"}));
  EXPECT_EQ(execs[1]->argv, (Strings{"/bin/bash", "-eo", "pipefail", "-c", "b"}));
  EXPECT_EQ(execs[2]->argv, (Strings{"c"}));
  EXPECT_EQ(config(def, ir::ConfigKind::cmd)->values, (Strings{"/bin/bash", "-eo", "pipefail", "-c", "d"}));
  EXPECT_EQ(config(def, ir::ConfigKind::entrypoint)->values,
            (Strings{"/bin/bash", "-eo", "pipefail", "-c", "e"}));
}

TEST(Steps, EntrypointResetsCmdUnlessSetEarlierInTheStage) {
  EXPECT_TRUE(config(must("FROM alpine\nENTRYPOINT [\"x\"]\n"), ir::ConfigKind::entrypoint)->reset_cmd);
  EXPECT_FALSE(config(must("FROM alpine\nCMD [\"y\"]\nENTRYPOINT [\"x\"]\n"), ir::ConfigKind::entrypoint)->reset_cmd);
  // CMD set in a base stage does not count.
  EXPECT_TRUE(config(must("FROM alpine AS b\nCMD [\"y\"]\nFROM b\nENTRYPOINT [\"x\"]\n"),
                     ir::ConfigKind::entrypoint)->reset_cmd);
}

TEST(Steps, HeredocRunWithoutShebangRunsTheBodyInTheShell) {
  auto def = must("FROM alpine\nRUN <<EOF\necho one\necho two\nEOF\n");
  EXPECT_EQ(last<ir::Exec>(def).argv, (Strings{"/bin/sh", "-c", "echo one\necho two\n"}));
  EXPECT_TRUE(has_name(def, "[2/2] RUN <<EOF (echo one...)"));
  // <<- strips leading tabs.
  auto chomped = must("FROM alpine\nRUN <<-EOF\n\techo one\nEOF\n");
  EXPECT_EQ(last<ir::Exec>(chomped).argv.back(), "echo one\n");
}

TEST(Steps, HeredocRunWithShebangRunsAScriptFile) {
  auto def = must("FROM alpine\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n");
  const auto& e = last<ir::Exec>(def);
  EXPECT_EQ(e.argv, (Strings{"/bin/sh", "-c", "/dev/pipes/EOF"}));
  ASSERT_EQ(e.mounts.size(), 1u);
  EXPECT_EQ(e.mounts[0].target, "/dev/pipes");
  EXPECT_EQ(e.mounts[0].readonly, ir::ReadOnly::yes);
  const auto& script = std::get<ir::Mkfile>(all<ir::File>(def).front()->actions[0]);
  EXPECT_EQ(script.path, "/EOF");
  EXPECT_EQ(script.mode, 0755u);
  EXPECT_EQ(script.data, "#!/usr/bin/env python3\nprint(1)\n");
}

TEST(Steps, ComplexHeredocRunIsReconstitutedForTheShell) {
  auto def = must("FROM alpine\nRUN cat <<A > /a && cat <<B > /b\nfirst\nA\nsecond\nB\n");
  EXPECT_EQ(last<ir::Exec>(def).argv.back(), "cat <<A > /a && cat <<B > /b\nfirst\nA\nsecond\nB");
}

TEST(Steps, CopyHeredocCreatesAFile) {
  auto def = must("FROM alpine\nARG V=1\nCOPY <<EOF /etc/app.conf\nversion=$V\nEOF\nCOPY <<'RAW' /raw\n$V\nRAW\n");
  std::vector<ir::Mkfile> files;
  for (const auto* f : all<ir::File>(def))
    for (const auto& a : f->actions)
      if (const auto* m = std::get_if<ir::Mkfile>(&a)) files.push_back(*m);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "/EOF");
  EXPECT_EQ(files[0].mode, 0644u);
  EXPECT_EQ(files[0].data, "version=1\n");
  EXPECT_EQ(files[1].data, "$V\n");
  const auto& c = std::get<ir::Copy>(last<ir::File>(def).actions[0]);
  EXPECT_EQ(c.src, "/RAW");
  EXPECT_EQ(c.dest, "/raw");
}

TEST(Steps, RunMountsNetworkAndSecurity) {
  auto def = must(
      "FROM alpine AS src\nRUN gen\nFROM alpine\n"
      "RUN --network=none --security=insecure "
      "--mount=type=secret,id=npm,target=/root/.npmrc "
      "--mount=type=ssh "
      "--mount=type=bind,from=src,source=/out,target=/in "
      "--mount=type=bind,source=go.mod,target=/src/go.mod "
      "--mount=type=cache,target=/var/cache/apk,sharing=locked make\n");
  const auto& e = last<ir::Exec>(def);
  EXPECT_EQ(e.network, ir::NetworkMode::none);
  EXPECT_EQ(e.security, ir::SecurityMode::insecure);
  Strings targets;
  for (const auto& m : e.mounts) targets.push_back(m.target);
  EXPECT_EQ(targets, (Strings{"/in", "/root/.npmrc", "/run/buildkit/ssh_agent.0", "/src/go.mod", "/var/cache/apk"}));
  const auto& in = e.mounts[0];
  EXPECT_EQ(in.source, "/out");
  EXPECT_EQ(in.readonly, ir::ReadOnly::yes);
  ASSERT_TRUE(in.input);
  EXPECT_TRUE(std::holds_alternative<ir::Exec>(def.ops[def.inputs[def.terminal.op][*in.input].op]));
  EXPECT_EQ(e.mounts[1].id, "npm");
  EXPECT_EQ(e.mounts[1].mode, 0400u);
  EXPECT_EQ(e.mounts[2].id, "default");
  EXPECT_EQ(env_of(e, "SSH_AUTH_SOCK"), "/run/buildkit/ssh_agent.0");
  ASSERT_TRUE(e.mounts[3].input);
  EXPECT_TRUE(std::holds_alternative<ir::ContextSource>(def.ops[def.inputs[def.terminal.op][*e.mounts[3].input].op]));
  EXPECT_EQ(e.mounts[4].sharing, ir::CacheSharing::locked);
  EXPECT_EQ(e.mounts[4].id, "/var/cache/apk");
  EXPECT_FALSE(e.mounts[4].input);
  EXPECT_EQ(e.mounts[4].readonly, ir::ReadOnly::no);
  // The context transfers only what the mount reads.
  EXPECT_EQ(last<ir::ContextSource>(def).include_patterns, (Strings{"go.mod"}));
}

TEST(Steps, SecretDefaults) {
  auto def = must("FROM alpine\nRUN --mount=type=secret,id=tok --mount=type=secret,id=k,env=KEY x\n");
  const auto& e = last<ir::Exec>(def);
  ASSERT_EQ(e.mounts.size(), 2u);
  EXPECT_EQ(e.mounts[0].target, "");
  EXPECT_EQ(e.mounts[0].env, "KEY");
  EXPECT_EQ(e.mounts[1].target, "/run/secrets/tok");
  EXPECT_THAT(fails("FROM alpine\nRUN --mount=type=bind,target=/ ls\n"), HasSubstr("invalid mount target \"/\""));
}

TEST(Steps, AddSources) {
  auto def = must(
      "FROM alpine\n"
      "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
      "https://example.com/dl/tool.tar.gz?x=1 /opt/\n"
      "ADD --keep-git-dir https://github.com/o/r.git#v1:docs /docs\n"
      "ADD app.tar.gz /srv/\n");
  auto https = all<ir::HttpSource>(def);
  ASSERT_EQ(https.size(), 1u);
  EXPECT_EQ(https[0]->filename, "tool.tar.gz");
  EXPECT_EQ(https[0]->checksum, "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d");
  auto gits = all<ir::GitSource>(def);
  ASSERT_EQ(gits.size(), 1u);
  EXPECT_EQ(gits[0]->remote, "https://github.com/o/r.git");
  EXPECT_EQ(gits[0]->ref, "v1");
  EXPECT_EQ(gits[0]->subdir, "docs");
  EXPECT_EQ(gits[0]->keep_git_dir, ir::KeepGitDir::yes);
  auto files = all<ir::File>(def);
  const auto& http_copy = std::get<ir::Copy>(files[files.size() - 3]->actions[0]);
  EXPECT_EQ(http_copy.src, "/tool.tar.gz");
  EXPECT_FALSE(http_copy.attempt_unpack);  // remote archives are not unpacked
  const auto& local = std::get<ir::Copy>(files.back()->actions[0]);
  EXPECT_TRUE(local.attempt_unpack);
  EXPECT_THAT(fails("FROM alpine\nCOPY https://example.com/a /a\n"), HasSubstr("source can't be a URL for COPY"));
  EXPECT_THAT(fails("FROM alpine\nADD --checksum=sha256:abc a /a\n"), HasSubstr("checksum requires HTTP(S) or Git sources"));
  EXPECT_THAT(fails("FROM alpine\nCOPY --chmod=999 a /a\n"), HasSubstr("invalid chmod parameter"));
  EXPECT_EQ(std::get<ir::Copy>(last<ir::File>(must("FROM alpine\nCOPY --chmod=u=rwX,go=rX a /a\n")).actions[0]).chmod,
            "u=rwX,go=rX");
}

TEST(Steps, CopyOptions) {
  auto def = must("FROM alpine\nCOPY --link --exclude=*.md a b /dst/\n");
  const auto& f = last<ir::File>(def);
  EXPECT_EQ(f.link, ir::Link::yes);
  ASSERT_EQ(f.actions.size(), 2u);
  EXPECT_EQ(std::get<ir::Copy>(f.actions[1]).exclude_patterns, (Strings{"*.md"}));
  EXPECT_EQ(last<ir::File>(must("FROM alpine\nCOPY --link --chmod=644 a /a\n")).link, ir::Link::no);
  auto parents = must("FROM alpine\nCOPY --parents ./x/./y/*.go /dst/\n");
  const auto& p = std::get<ir::Copy>(last<ir::File>(parents).actions[0]);
  EXPECT_EQ(p.src, "/x");
  EXPECT_EQ(p.include_patterns, (Strings{"y/*.go"}));
  EXPECT_TRUE(p.required_paths.empty());
}

TEST(Steps, ContextIncludesWhatIsReadAndExcludesIgnored) {
  auto opt = amd64();
  opt.ignore_patterns = {".git", "*.log", "!keep.log"};
  auto def = must("FROM alpine\nCOPY src/ /src/\nCOPY go.mod go.sum /src/\nRUN x\n", opt);
  const auto& ctx = last<ir::ContextSource>(def);
  EXPECT_EQ(ctx.include_patterns, (Strings{"go.mod", "go.sum", "src"}));
  EXPECT_EQ(ctx.exclude_patterns, (Strings{".git", "*.log", "!keep.log"}));
  EXPECT_EQ(all<ir::ContextSource>(def).size(), 1u);
  // COPY . selects everything.
  EXPECT_TRUE(last<ir::ContextSource>(must("FROM alpine\nCOPY go.mod .\nCOPY . .\n")).include_patterns.empty());
  // Stages pruned by --target do not widen the selection.
  opt.target = "a";
  auto pruned = must("FROM alpine AS a\nCOPY a /a\nFROM alpine AS b\nCOPY b /b\n", opt);
  EXPECT_EQ(last<ir::ContextSource>(pruned).include_patterns, (Strings{"a"}));
}

TEST(Steps, ExecEnvironmentIsSortedAndIncludesArgs) {
  auto def = must("FROM alpine\nENV Z=1 A=2\nARG M=3\nRUN x\n");
  const auto& e = last<ir::Exec>(def);
  Strings keys;
  for (const auto& [k, v] : e.env) keys.push_back(k);
  EXPECT_EQ(keys, (Strings{"A", "M", "PATH", "Z"}));
  EXPECT_EQ(env_of(e, "PATH"), "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

TEST(Steps, ImageConfigFromTheResolver) {
  auto opt = amd64();
  opt.resolve_image = [](const std::string& ref, const ir::Platform&) -> base::Result<BaseImageConfig> {
    if (ref != "docker.io/library/golang:1.22") return base::make_error("not found");
    BaseImageConfig c;
    c.env = {"PATH=/usr/local/go/bin:/usr/bin", "GOPATH=/go"};
    c.working_dir = "/go";
    c.user = "gopher";
    return c;
  };
  auto def = must("FROM golang:1.22\nRUN go version\nWORKDIR src\n", opt);
  auto execs = all<ir::Exec>(def);
  EXPECT_EQ(execs[0]->cwd, "/go");
  EXPECT_EQ(execs[0]->user, "gopher");
  EXPECT_EQ(env_of(*execs[0], "PATH"), "/usr/local/go/bin:/usr/bin");
  EXPECT_EQ(env_of(*execs[0], "GOPATH"), "/go");
  EXPECT_EQ(config(def, ir::ConfigKind::workdir)->values[0], "/go/src");
  EXPECT_THAT(fails("FROM nope\n", opt), HasSubstr("not found"));
}

TEST(Steps, OnbuildTriggersOfABaseImageRunFirst) {
  auto opt = amd64();
  opt.resolve_image = [](const std::string& ref, const ir::Platform&) -> base::Result<BaseImageConfig> {
    BaseImageConfig c;
    if (ref == "docker.io/library/node-onbuild:latest")
      c.onbuild = {"COPY --from=assets /a /app/a", "RUN npm install"};
    return c;
  };
  auto def = must("FROM alpine AS assets\nRUN mk\nFROM node-onbuild\nRUN npm test\n", opt);
  Strings cmds;
  for (const auto* e : all<ir::Exec>(def)) cmds.push_back(e->argv.back());
  EXPECT_EQ(cmds, (Strings{"mk", "npm install", "npm test"}));
  EXPECT_TRUE(has_name(def, "[stage-1 2/4] ONBUILD COPY --from=assets /a /app/a"));
  EXPECT_EQ(def.stages.size(), 2u);  // the trigger made `assets` a dependency
  opt.resolve_image = [](const std::string&, const ir::Platform&) -> base::Result<BaseImageConfig> {
    BaseImageConfig c;
    c.onbuild = {"FROM x"};
    return c;
  };
  EXPECT_THAT(fails("FROM bad\n", opt), HasSubstr("ONBUILD trigger of bad"));
}

TEST(Determinism, SameInputsSameBytes) {
  const std::string df =
      "ARG BASE=alpine\nFROM $BASE AS build\nARG A B\nCOPY . /src\nRUN make\n"
      "FROM scratch\nCOPY --from=build /out /\n";
  auto o1 = amd64();
  o1.build_args = {{"A", "1"}, {"B", "2"}, {"http_proxy", "p"}};
  auto o2 = amd64();
  o2.build_args = {{"http_proxy", "p"}, {"B", "2"}, {"A", "1"}};
  std::string j1 = ir::to_json(must(df, o1));
  std::string j2 = ir::to_json(must(df, o1));
  std::string j3 = ir::to_json(must(df, o2));
  EXPECT_EQ(j1, j2);
  EXPECT_EQ(j1, j3);
  EXPECT_EQ(ir::to_dot(must(df, o1)), ir::to_dot(must(df, o2)));
  // A different value changes the bytes.
  o2.build_args = {{"A", "9"}, {"B", "2"}};
  EXPECT_NE(j1, ir::to_json(must(df, o2)));
}

}  // namespace
}  // namespace frontend::lower::testing
