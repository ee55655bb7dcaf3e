#include "frontend/instructions/run_mount.h"

#include <gtest/gtest.h>

namespace frontend::instructions {
namespace {

RunMount ok(std::string_view spec, const ValueExpander& expand = {}) {
  auto r = parse_run_mount(spec, expand);
  EXPECT_TRUE(r.ok()) << spec << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : RunMount{};
}

std::string err(std::string_view spec, const ValueExpander& expand = {}) {
  auto r = parse_run_mount(spec, expand);
  EXPECT_FALSE(r.ok()) << spec;
  return r.ok() ? std::string() : r.error().message;
}

TEST(RunMount, BindDefaults) {
  RunMount m = ok("target=/src");
  EXPECT_EQ(m.type, MountType::bind);
  EXPECT_EQ(m.target, "/src");
  EXPECT_TRUE(m.read_only);
  EXPECT_EQ(m.spec, "target=/src");
}

TEST(RunMount, BindAllOptions) {
  RunMount m = ok("type=bind,from=build,source=/out,dst=/in,rw");
  EXPECT_EQ(m.from, "build");
  EXPECT_EQ(m.source, "/out");
  EXPECT_EQ(m.target, "/in");
  EXPECT_FALSE(m.read_only);
  EXPECT_FALSE(ok("type=bind,target=/x,readwrite=true").read_only);
  EXPECT_TRUE(ok("type=bind,target=/x,readwrite=false").read_only);
  EXPECT_EQ(ok("TYPE=BIND,SRC=a,DESTINATION=/b").source, "a");
  EXPECT_EQ(ok("type=bind,src=a,destination=/b").target, "/b");
}

TEST(RunMount, CacheOptions) {
  RunMount m = ok("type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0700,uid=1000,gid=100,from=base,source=/c");
  EXPECT_EQ(m.type, MountType::cache);
  EXPECT_FALSE(m.read_only);
  EXPECT_EQ(m.id, "pip");
  EXPECT_EQ(m.sharing, CacheSharing::locked);
  EXPECT_EQ(m.mode, 0700u);
  EXPECT_EQ(m.uid, 1000u);
  EXPECT_EQ(m.gid, 100u);
  EXPECT_EQ(m.from, "base");
  EXPECT_EQ(ok("type=cache,target=/c,sharing=PRIVATE").sharing, CacheSharing::private_);
  EXPECT_EQ(ok("type=cache,target=/c,sharing=shared").sharing, CacheSharing::shared);
  EXPECT_FALSE(ok("type=cache,target=/c").sharing.has_value());
  EXPECT_TRUE(ok("type=cache,target=/c,ro").read_only);
  EXPECT_TRUE(ok("type=cache,target=/c,readonly=true").read_only);
}

TEST(RunMount, TmpfsSize) {
  RunMount m = ok("type=tmpfs,target=/tmp,size=64m");
  EXPECT_EQ(m.type, MountType::tmpfs);
  EXPECT_FALSE(m.read_only);
  EXPECT_EQ(m.size_bytes, 64 * 1024 * 1024);
  EXPECT_FALSE(ok("type=tmpfs,target=/tmp").size_bytes.has_value());
}

TEST(RunMount, SecretOptions) {
  RunMount m = ok("type=secret,id=npmrc,target=/root/.npmrc,required,mode=0440,uid=1,gid=2");
  EXPECT_EQ(m.type, MountType::secret);
  EXPECT_TRUE(m.read_only);
  EXPECT_TRUE(m.required);
  EXPECT_EQ(m.mode, 0440u);
  EXPECT_EQ(ok("type=secret,id=tok,env=TOKEN").env, "TOKEN");
  EXPECT_FALSE(ok("type=secret,id=tok,required=false").required);
  EXPECT_TRUE(ok("type=secret,target=/run/secrets/x").id.empty());
  EXPECT_EQ(ok("type=secret,source=x").source, "x");
}

TEST(RunMount, SshOptions) {
  RunMount m = ok("type=ssh");
  EXPECT_EQ(m.type, MountType::ssh);
  EXPECT_TRUE(m.read_only);
  m = ok("type=ssh,id=github,target=/ssh.sock,required=true,mode=0600,uid=5,gid=6");
  EXPECT_EQ(m.id, "github");
  EXPECT_TRUE(m.required);
  EXPECT_EQ(m.mode, 0600u);
}

TEST(RunMount, CsvQuoting) {
  EXPECT_EQ(ok("type=bind,\"target=/a,b\"").target, "/a,b");
  EXPECT_EQ(ok("type=bind,\"target=/a\"\"b\"").target, "/a\"b");
  EXPECT_EQ(err("type=bind,target=/a\"b"), "failed to parse csv mounts: bare \" in non-quoted-field");
  EXPECT_EQ(err("\"type=bind"), "failed to parse csv mounts: extraneous or missing \" in quoted-field");
  EXPECT_EQ(err(""), "failed to parse csv mounts: EOF");
}

TEST(RunMount, Errors) {
  EXPECT_EQ(err("type=foo"), "unsupported mount type \"foo\"");
  EXPECT_EQ(err("type=bind,target"), "invalid field 'target' must be a key=value pair");
  EXPECT_EQ(err("type=bind,target=/x,required"), "unexpected key 'required' for mount type 'bind'");
  EXPECT_EQ(err("type=cache,target=/x,required=true"), "unexpected key 'required' for mount type 'cache'");
  EXPECT_EQ(err("type=cache,target=/x,size=1m"), "unexpected key 'size' for mount type 'cache'");
  EXPECT_EQ(err("type=bind,ro=maybe"), "invalid value for ro: maybe");
  EXPECT_EQ(err("type=bind,rw=2"), "invalid value for rw: 2");
  EXPECT_EQ(err("type=ssh,required=yes"), "invalid value for required: yes");
  EXPECT_EQ(err("type=tmpfs,target=/t,size=lots"), "invalid value for size: lots");
  EXPECT_EQ(err("type=cache,target=/x,sharing=exclusive"), "unsupported sharing value \"exclusive\"");
  EXPECT_EQ(err("type=cache,target=/x,mode=0999"), "invalid value 0999 for mode");
  EXPECT_EQ(err("type=cache,target=/x,uid=-1"), "invalid value -1 for uid");
  EXPECT_EQ(err("type=cache,target=/x,gid=abc"), "invalid value abc for gid");
  EXPECT_EQ(err("type=cache,target=/x,uid=4294967296"), "invalid value 4294967296 for uid");
  EXPECT_EQ(err("type=bind,target=/x,mode=0755"), "mode not allowed for \"bind\" type mounts");
  EXPECT_EQ(err("type=tmpfs,target=/x,uid=0"), "uid not allowed for \"tmpfs\" type mounts");
  EXPECT_EQ(err("type=bind,target=/x,gid=0"), "gid not allowed for \"bind\" type mounts");
  EXPECT_EQ(err("type=bind,target=/x,sharing=locked"), "invalid cache sharing set for bind mount");
  EXPECT_EQ(err("type=secret,id=a,from=x"), "secret mount should not have a from");
  EXPECT_EQ(err("type=secret"), "invalid secret mount. one of source, target required");
  EXPECT_EQ(err("type=secret,id=a,source=b"), "both source and id can't be set");
  EXPECT_EQ(err("type=bind,from=$STAGE"), "'from' doesn't support variable expansion, define alias stage instead");
  EXPECT_EQ(err("type=bind,from=${STAGE}"), "'from' doesn't support variable expansion, define alias stage instead");
}

TEST(RunMount, UnknownKeySuggests) {
  auto r = parse_run_mount("type=cache,taget=/x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "unexpected key 'taget' in 'taget=/x'");
  EXPECT_EQ(r.error().hint, "did you mean target?");
  r = parse_run_mount("type=cahce");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().hint, "did you mean cache?");
}

TEST(RunMount, RequiredNeedsTypeFirst) {
  // Options are read in order, as in BuildKit: `required` before `type=secret`
  // still sees a bind mount.
  EXPECT_EQ(err("required,type=secret,id=a"), "unexpected key 'required' for mount type 'bind'");
}

TEST(RunMount, VariablesAreDeferredWithoutExpander) {
  RunMount m = ok("type=cache,target=$HOME/.cache,mode=$MODE,uid=${UID},sharing=$S");
  EXPECT_EQ(m.target, "$HOME/.cache");
  EXPECT_FALSE(m.mode.has_value());
  EXPECT_FALSE(m.uid.has_value());
  EXPECT_FALSE(m.sharing.has_value());
  // The type itself may come from a variable: nothing type-dependent is checked.
  m = ok("type=$T,target=/x,mode=0755,required");
  EXPECT_EQ(m.mode, 0755u);
  // A trailing '$' is no variable, as in BuildKit.
  EXPECT_EQ(ok("type=bind,from=stage$").from, "stage$");
}

TEST(RunMount, FinalPassExpandsAndValidates) {
  ValueExpander expand = [](const std::string& v) -> base::Result<std::string> {
    std::string out = v;
    auto replace = [&](const std::string& from, const std::string& to) {
      for (size_t at; (at = out.find(from)) != std::string::npos;) out.replace(at, from.size(), to);
    };
    replace("$MODE", "0700");
    replace("$T", "cache");
    replace("$BAD", "0999");
    replace("$FAIL", "");
    if (v == "$FAIL") return base::make_error("FAIL: unset");
    return out;
  };
  RunMount m = ok("type=$T,target=/x,mode=$MODE", expand);
  EXPECT_EQ(m.type, MountType::cache);
  EXPECT_EQ(m.mode, 0700u);
  EXPECT_EQ(err("type=cache,target=/x,mode=$BAD", expand), "invalid value 0999 for mode");
  EXPECT_EQ(err("type=cache,target=$FAIL", expand), "FAIL: unset");
}

TEST(RunDevice, Forms) {
  auto d = parse_run_device("vendor.com/gpu=all");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "vendor.com/gpu=all");
  EXPECT_FALSE(d->required);
  d = parse_run_device("vendor.com/gpu,required");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "vendor.com/gpu");
  EXPECT_TRUE(d->required);
  d = parse_run_device("name=nvidia.com/gpu=0,required=false");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->name, "nvidia.com/gpu=0");
  EXPECT_FALSE(d->required);
}

TEST(RunDevice, Errors) {
  auto d = parse_run_device("a,b");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "invalid field 'b' must be a key=value pair");
  d = parse_run_device("a,name=b");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "device name already set to a");
  d = parse_run_device("a,required=maybe");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "invalid value for required: maybe");
  d = parse_run_device("a,requird=true");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "unexpected key 'requird' in 'requird=true'");
  EXPECT_EQ(d.error().hint, "did you mean required?");
  d = parse_run_device("");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "failed to parse csv devices: EOF");
}

}  // namespace
}  // namespace frontend::instructions
