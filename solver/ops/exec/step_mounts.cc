#include "solver/ops/exec/step_mounts.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/unique_fd.h"
#include "content/file_ops.h"
#include "snapshotter/layer/root_fs.h"
#include "snapshotter/overlay/mount.h"

namespace solver_ops::exec_step {
namespace {

// `source` of a mount resolved inside `root` (symlinks cannot lead out) to
// the host path it names. Inputs are committed snapshots or a context read
// in place, so the answer stays true while the step runs.
base::Result<std::string> resolve_source(const std::string& root, const std::string& source,
                                         const std::string& what) {
  std::string rel = source;
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  if (rel.empty()) return root;
  base::UniqueFd root_fd(::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) return base::make_error("cannot open " + root + ": " + std::strerror(errno));
  int fd = snapshotter::layer::open_in_root(root_fd.get(), rel, O_PATH);
  if (fd < 0)
    return base::make_error("mount source \"" + source + "\" of " + what + ": " + std::strerror(-fd));
  base::UniqueFd held(fd);
  char buf[PATH_MAX];
  std::string proc = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = ::readlink(proc.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf)
    return base::make_error("cannot resolve mount source \"" + source + "\"");
  return std::string(buf, static_cast<size_t>(n));
}

base::Result<std::string> read_secret(const std::string& id, const SecretSource& secret) {
  if (secret.value) return *secret.value;
  TRY_ASSIGN(base::UniqueFd fd, content::open_file(secret.file, O_RDONLY | O_CLOEXEC));
  std::string out;
  char buf[8192];
  for (;;) {
    TRY_ASSIGN(size_t n, content::read_some(fd.get(), buf, sizeof buf, secret.file));
    if (n == 0) break;
    out.append(buf, n);
    if (out.size() > (500u << 10)) return base::make_error("secret " + id + " is larger than 500 KiB");
  }
  return out;
}

}  // namespace

StepMounts::~StepMounts() {
  m_views.clear();
  for (const std::string& id : m_scratch) (void)m_snapshots.remove(id);
}

base::Result<std::string> StepMounts::source_dir(const ir::Mount& mount, const std::vector<MountInput>& inputs,
                                                 const std::string& state_dir, size_t index) {
  if (!mount.input || *mount.input >= inputs.size())
    return base::make_error("mount " + mount.target + " has no input");
  const MountInput& in = inputs[*mount.input];
  bool writable = mount.type == ir::MountType::bind && mount.readonly == ir::ReadOnly::no;
  std::string root;
  if (!in.dir.empty() && !writable) {
    root = in.dir;
  } else if (!in.dir.empty()) {
    // A writable bind of a context directory: an overlay whose upper dir is
    // thrown away with the step, so the context itself is never written.
    std::string base = state_dir + "/bind-" + std::to_string(index);
    for (const char* sub : {"/upper", "/work", "/merged"}) TRY(content::make_dirs(base + sub));
    auto spec = snapshotter::overlay::overlay_mount_spec({base + "/upper", in.dir},
                                                         snapshotter::SnapshotKind::active, base + "/work");
    TRY_ASSIGN(auto view, snapshotter::overlay::mount_spec(spec, base + "/merged"));
    root = view->path();
    m_views.push_back(std::move(view));
  } else if (writable || in.snapshot.empty()) {
    TRY_ASSIGN(std::string scratch, m_snapshots.prepare(in.snapshot));
    m_scratch.push_back(scratch);
    TRY_ASSIGN(auto view, m_snapshots.mount(scratch));
    root = view->path();
    m_views.push_back(std::move(view));
  } else {
    TRY_ASSIGN(auto view, m_snapshots.mount(in.snapshot));
    root = view->path();
    m_views.push_back(std::move(view));
  }
  return resolve_source(root, mount.source, "mount " + mount.target);
}

base::Result<std::unique_ptr<StepMounts>> StepMounts::prepare(
    const ir::Exec& op, const std::vector<MountInput>& inputs, snapshotter::Snapshotter& snapshots,
    const RunSettings& settings, const CacheMounts* caches, const std::string& state_dir,
    exec::ProcessSpec& spec) {
  std::unique_ptr<StepMounts> held(new StepMounts(snapshots));
  std::string first_ssh;
  for (size_t i = 0; i < op.mounts.size(); ++i) {
    const ir::Mount& m = op.mounts[i];
    exec::MountEntry entry;
    entry.target = m.target;
    switch (m.type) {
      case ir::MountType::bind: {
        TRY_ASSIGN(entry.source, held->source_dir(m, inputs, state_dir, i));
        entry.readonly = m.readonly == ir::ReadOnly::yes;
        break;
      }
      case ir::MountType::cache: {
        if (!caches) return base::make_error("cache mounts are not available in this build");
        TRY_ASSIGN(CacheMounts::Lease lease, caches->acquire(m));
        if (lease.created && m.input) {
          // from=: a new cache starts as a copy of that stage's path.
          TRY_ASSIGN(std::string seed, held->source_dir(m, inputs, state_dir, i));
          std::error_code ec;
          std::filesystem::copy(seed, lease.path,
                                std::filesystem::copy_options::recursive |
                                    std::filesystem::copy_options::copy_symlinks |
                                    std::filesystem::copy_options::overwrite_existing,
                                ec);
          if (ec) return base::make_error("cannot seed cache mount " + m.target + ": " + ec.message());
        }
        entry.source = lease.path;
        entry.readonly = m.readonly == ir::ReadOnly::yes;
        held->m_caches.push_back(std::move(lease));
        break;
      }
      case ir::MountType::tmpfs:
        entry.kind = exec::MountEntry::Kind::tmpfs;
        entry.tmpfs_size = m.size;
        entry.mode = m.mode;
        break;
      case ir::MountType::secret: {
        auto found = settings.secrets.find(m.id);
        if (found == settings.secrets.end()) {
          if (m.required)
            return base::make_error("secret " + m.id + " not found: pass it with `kiln build --secret id=" + m.id +
                                    ",src=FILE`");
          continue;
        }
        TRY_ASSIGN(std::string value, read_secret(m.id, found->second));
        if (!m.env.empty()) spec.env.push_back(m.env + "=" + value);
        if (m.target.empty()) continue;
        TRY(content::make_dirs(state_dir + "/secrets", 0700));
        std::string file = state_dir + "/secrets/" + std::to_string(i);
        {
          TRY_ASSIGN(base::UniqueFd fd, content::open_file(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
          TRY(content::write_all(fd.get(), value, "secret " + m.id));
          if (::fchown(fd.get(), m.uid.value_or(0), m.gid.value_or(0)) != 0 ||
              ::fchmod(fd.get(), static_cast<mode_t>(m.mode.value_or(0400) & 07777)) != 0)
            return base::make_error("cannot set the owner and mode of secret " + m.id + ": " + std::strerror(errno));
        }
        entry.source = file;
        entry.readonly = true;
        break;
      }
      case ir::MountType::ssh: {
        auto found = settings.ssh.find(m.id);
        if (found == settings.ssh.end()) {
          if (m.required)
            return base::make_error("no SSH key \"" + m.id + "\" forwarded: pass it with `kiln build --ssh " + m.id + "`");
          continue;
        }
        entry.source = found->second;
        if (first_ssh.empty()) first_ssh = m.target;
        break;
      }
    }
    spec.mounts.push_back(std::move(entry));
  }
  if (!first_ssh.empty()) {
    bool has = false;
    for (const std::string& kv : spec.env) has = has || kv.rfind("SSH_AUTH_SOCK=", 0) == 0;
    if (!has) spec.env.push_back("SSH_AUTH_SOCK=" + first_ssh);
  }
  return held;
}

}  // namespace solver_ops::exec_step
