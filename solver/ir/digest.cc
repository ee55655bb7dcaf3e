#include "solver/ir/digest.h"

#include <type_traits>

namespace ir {
namespace {

void hash_strings(base::Hasher& h, const std::vector<std::string>& values) {
  h.list(values.size());
  for (const auto& v : values) h.str(v);
}

void hash_pairs(base::Hasher& h, const EnvMap& pairs) {
  h.list(pairs.size());
  for (const auto& [k, v] : pairs) h.str(k).str(v);
}

void hash_optional_u32(base::Hasher& h, const std::optional<uint32_t>& v) {
  h.boolean(v.has_value());
  if (v) h.u64(*v);
}

void hash_platform(base::Hasher& h, const Platform& p) {
  h.str(p.os).str(p.architecture).str(p.variant);
}

void hash_mount(base::Hasher& h, const Mount& m) {
  h.str(mount_type_name(m.type)).str(m.target);
  h.boolean(m.input.has_value());
  if (m.input) h.u64(*m.input);
  h.str(m.source).boolean(m.readonly == ReadOnly::yes).str(m.id).str(sharing_name(m.sharing));
  h.str(m.env).boolean(m.required);
  hash_optional_u32(h, m.mode);
  hash_optional_u32(h, m.uid);
  hash_optional_u32(h, m.gid);
  h.u64(m.size);
}

void hash_action(base::Hasher& h, const FileAction& action) {
  if (const auto* c = std::get_if<Copy>(&action)) {
    h.str("copy").u64(c->src_input).str(c->src).str(c->dest).str(c->chown).str(c->chmod);
    hash_strings(h, c->include_patterns);
    hash_strings(h, c->required_paths);
    hash_strings(h, c->exclude_patterns);
    h.boolean(c->follow_symlinks).boolean(c->dir_contents_only).boolean(c->allow_wildcard);
    h.boolean(c->allow_empty_wildcard).boolean(c->create_dest_path).boolean(c->attempt_unpack);
  } else if (const auto* d = std::get_if<Mkdir>(&action)) {
    h.str("mkdir").str(d->path).u64(d->mode).boolean(d->make_parents).str(d->chown);
  } else if (const auto* f = std::get_if<Mkfile>(&action)) {
    h.str("mkfile").str(f->path).u64(f->mode).bytes(f->data);
  }
}

void hash_fields(base::Hasher& h, const Op& op) {
  h.str(op_kind(op));
  std::visit(
      [&h](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Scratch>) {
        } else if constexpr (std::is_same_v<T, ImageSource>) {
          h.str(o.ref);
          hash_platform(h, o.platform);
        } else if constexpr (std::is_same_v<T, ContextSource>) {
          h.str(o.name);
          hash_strings(h, o.include_patterns);
          hash_strings(h, o.exclude_patterns);
        } else if constexpr (std::is_same_v<T, HttpSource>) {
          h.str(o.url).str(o.checksum).str(o.filename);
        } else if constexpr (std::is_same_v<T, GitSource>) {
          h.str(o.remote).str(o.ref).str(o.subdir).str(o.checksum);
          h.boolean(o.keep_git_dir == KeepGitDir::yes).boolean(o.submodules);
        } else if constexpr (std::is_same_v<T, Exec>) {
          hash_strings(h, o.argv);
          hash_pairs(h, o.env);
          h.str(o.cwd).str(o.user).str(network_name(o.network)).str(security_name(o.security));
          h.list(o.mounts.size());
          for (const Mount& m : o.mounts) hash_mount(h, m);
          // Devices joined the schema after mounts; an Exec without any keeps
          // the digest it had before.
          if (!o.devices.empty()) {
            h.str("devices").list(o.devices.size());
            for (const Device& d : o.devices) h.str(d.name).boolean(d.required);
          }
          // proxy_env deliberately left out: see Exec.
        } else if constexpr (std::is_same_v<T, File>) {
          h.boolean(o.link == Link::yes);
          h.list(o.actions.size());
          for (const FileAction& a : o.actions) hash_action(h, a);
        } else if constexpr (std::is_same_v<T, ConfigChange>) {
          h.str(config_kind_name(o.kind));
          h.list(o.pairs.size());
          for (const KeyValue& kv : o.pairs) {
            h.str(kv.key).boolean(kv.value.has_value());
            if (kv.value) h.str(*kv.value);
          }
          hash_strings(h, o.values);
          h.boolean(o.healthcheck.has_value());
          if (o.healthcheck) {
            hash_strings(h, o.healthcheck->test);
            h.i64(o.healthcheck->interval_ns).i64(o.healthcheck->timeout_ns);
            h.i64(o.healthcheck->start_period_ns).i64(o.healthcheck->start_interval_ns);
            h.i64(o.healthcheck->retries);
          }
          h.boolean(o.reset_cmd);
        }
      },
      op);
}

}  // namespace

std::vector<OpDigests> op_digests(const Definition& def) {
  std::vector<OpDigests> out;
  out.reserve(def.ops.size());
  for (size_t i = 0; i < def.ops.size(); ++i) {
    const Op& op = def.ops[i];
    const auto& ins = def.inputs[i];
    base::Hasher full(k_schema);
    hash_fields(full, op);
    full.list(ins.size());
    for (const Input& in : ins) full.digest(out[in.op].op).u64(in.output);
    OpDigests d;
    d.op = full.finish();
    if (std::holds_alternative<ConfigChange>(op)) {
      d.filesystem = out[ins.at(0).op].filesystem;
    } else {
      base::Hasher fs(k_schema);
      if (const auto* ctx = std::get_if<ContextSource>(&op)) {
        // Steps hash what they read from a context themselves; its include
        // patterns only narrow what is read and change with --target, which
        // must not change the steps' keys.
        fs.str(op_kind(op)).str(ctx->name);
      } else {
        hash_fields(fs, op);
      }
      fs.list(ins.size());
      for (const Input& in : ins) fs.digest(out[in.op].filesystem).u64(in.output);
      d.filesystem = fs.finish();
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace ir
