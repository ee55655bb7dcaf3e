#include "cli/registry_transfer.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "content/image_store.h"
#include "content/lease.h"
#include "content/tmp_dir.h"
#include "oci/manifest.h"
#include "oci/media_types.h"
#include "registry/image_transfer.h"
#include "solver/ir/image_ref.h"
#include "solver/ir/platform.h"
#include "solver/ops/build/base_image.h"

namespace cli {
namespace {

// Adds how to authenticate to an error that says credentials are missing or wrong.
base::Error with_login_hint(base::Error error, const registry::Reference& ref) {
  const std::string& m = error.message;
  if (error.hint.empty() && (m.find("username and password") != std::string::npos ||
                             m.find("UNAUTHORIZED") != std::string::npos || m.find("HTTP 401") != std::string::npos ||
                             m.find("DENIED") != std::string::npos))
    error.hint = "log in with `kiln login " + (ref.domain == "docker.io" ? std::string() : ref.domain + " ") +
                 "-u USER --password-stdin`";
  return error;
}

std::string short_id(const std::string& digest) {
  size_t colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

// The layers of the image manifest `manifest` (read from the store).
base::Result<std::vector<oci::Descriptor>> layers_of(const content::ContentStore& blobs,
                                                     const oci::Descriptor& manifest) {
  TRY_ASSIGN(std::string bytes, blobs.read(manifest.digest));
  TRY_ASSIGN(oci::Manifest parsed, oci::parse_manifest(bytes));
  return parsed.layers;
}

// The stored name on `dest`'s registry, in another repository, that shares
// the most blobs with `blobs_needed`: where the registry can mount them from.
base::Result<std::string> mount_source(Store& store, const registry::Reference& dest,
                                       const std::vector<base::Digest>& blobs_needed) {
  std::set<base::Digest> needed(blobs_needed.begin(), blobs_needed.end());
  TRY_ASSIGN(auto records, store.images->list());
  std::string best;
  size_t best_shared = 0;
  for (const content::ImageRecord& r : records) {
    auto ref = registry::parse_reference(r.name);
    if (!ref.ok() || ref->domain != dest.domain || ref->path == dest.path) continue;
    auto blobs = content::image_blobs(*store.blobs, r.target);
    if (!blobs.ok()) continue;
    size_t shared = static_cast<size_t>(
        std::count_if(blobs->begin(), blobs->end(), [&](const base::Digest& d) { return needed.contains(d); }));
    if (shared > best_shared) {
      best_shared = shared;
      best = ref->path;
    }
  }
  return best;
}

}  // namespace

base::Result<oci::Platform> registry_platform(const std::string& text) {
  if (text.empty()) return registry::host_platform();
  TRY_ASSIGN(ir::Platform p, base::with_context(ir::parse_platform(text), "--platform"));
  oci::Platform out;
  out.os = p.os;
  out.architecture = p.architecture;
  out.variant = p.variant;
  return out;
}

base::Result<PullOutcome> pull_to_store(RegistrySession& session, Store& store, const registry::Reference& ref,
                                        const oci::Platform& platform, std::ostream& out) {
  out << (ref.tag.empty() ? ref.digest->str() : ref.tag) << ": Pulling from " << ref.path << "\n" << std::flush;
  content::TmpDir tmp(store.root + "/tmp");
  TRY(tmp.init());
  TRY_ASSIGN(content::Lease lease, store.metadata->create_lease(tmp));
  session.take_events();
  auto pulling = registry::pull_image(session.client(), ref, *store.blobs, platform, &lease);
  if (!pulling.ok()) return with_login_hint(pulling.error(), ref);
  registry::PulledImage pulled = std::move(pulling).value();
  std::set<std::string> fetched;
  for (const BlobEvent& e : session.take_events())
    if (e.outcome == BlobOutcome::fetched) fetched.insert(e.digest);
  TRY_ASSIGN(auto layers, layers_of(*store.blobs, pulled.manifest));
  for (const oci::Descriptor& l : layers)
    out << short_id(l.digest.str()) << ": " << (fetched.contains(l.digest.str()) ? "Pull complete" : "Already exists")
        << "\n";

  PullOutcome outcome;
  outcome.name = ref.str();
  outcome.root = pulled.root;
  std::vector<std::string> names{ref.str()};
  if (auto n = ir::normalize_image_ref(ref.str()); n.ok() && *n != ref.str()) names.push_back(*n);
  TRY_ASSIGN(auto previous, store.images->get(outcome.name));
  outcome.updated = !previous || previous->target.digest != pulled.root.digest;
  for (const std::string& n : names) {
    TRY(keep_replaced_image(store, n, pulled.root));
    TRY(store.images->tag(n, pulled.root));
  }
  if (auto id = image_id(store, content::ImageRecord{outcome.name, pulled.root, 0, 0}); id.ok()) TRY(forget_unnamed(store, *id));
  TRY(lease.release());
  out << "Digest: " << pulled.root.digest.str() << "\n";
  out << "Status: " << (outcome.updated ? "Downloaded newer image for " : "Image is up to date for ")
      << registry::familiar_string(ref) << "\n";
  return outcome;
}

base::Result<base::Digest> push_from_store(RegistrySession& session, Store& store,
                                           const content::ImageRecord& record, const registry::Reference& dest,
                                           std::ostream& out) {
  out << "The push refers to repository [" << dest.name() << "]\n" << std::flush;
  TRY_ASSIGN(auto blobs, content::image_blobs(*store.blobs, record.target));
  TRY_ASSIGN(std::string mount_from, mount_source(store, dest, blobs));
  session.take_events();
  auto pushed = registry::push_image(session.client(), dest, *store.blobs, record.target, mount_from);
  for (const BlobEvent& e : session.take_events()) {
    switch (e.outcome) {
      case BlobOutcome::exists:
        out << short_id(e.digest) << ": Layer already exists\n";
        break;
      case BlobOutcome::mounted:
        out << short_id(e.digest) << ": Mounted from " << e.mounted_from << "\n";
        break;
      case BlobOutcome::pushed:
        out << short_id(e.digest) << ": Pushed\n";
        break;
      case BlobOutcome::fetched:
        break;
    }
  }
  if (!pushed.ok()) return with_login_hint(pushed.error(), dest);
  if (pushed->up_to_date)
    for (const base::Digest& blob : blobs)
      if (blob != record.target.digest) out << short_id(blob.str()) << ": Layer already exists\n";
  out << (dest.tag.empty() ? dest.digest->str() : dest.tag) << ": digest: " << record.target.digest.str()
      << " size: " << record.target.size << "\n";
  // The destination names the image locally too (as `docker tag` before a
  // push would), so later pushes to this registry can mount from it. A name
  // already on this image is left alone: rewriting it would cost a durable
  // store transaction on every re-push.
  if (!dest.tag.empty() && !dest.digest) {
    TRY_ASSIGN(auto existing, store.images->get(dest.str()));
    if (!existing || existing->target.digest != record.target.digest) TRY(store.images->tag(dest.str(), record.target));
  }
  return record.target.digest;
}

base::Result<void> BaseImagePuller::ensure(const std::string& ref, const ir::Platform& platform) {
  std::string key = ref + "\n" + platform.str();
  if (m_done.contains(key)) return {};
  std::optional<base::Error> local_error;
  if (!m_always) {
    auto local = solver::ops::build::resolve_local_image(*m_store.blobs, *m_store.images, ref, platform);
    if (local.ok()) {
      m_done.insert(key);
      return {};
    }
    local_error = local.error();
  }
  TRY_ASSIGN(registry::Reference parsed, registry::parse_reference(ref));
  const ir::Platform& chosen = platform.empty() ? ir::host_platform() : platform;
  oci::Platform wanted;
  wanted.os = chosen.os;
  wanted.architecture = chosen.architecture;
  wanted.variant = chosen.variant;
  if (!m_session) m_session = std::make_unique<RegistrySession>(m_flags);
  auto pulled = pull_to_store(*m_session, m_store, parsed, wanted, m_log);
  if (!pulled.ok()) {
    base::Error e = pulled.error();
    // The image is here for another platform: that is the news, the failed
    // pull only the consequence.
    if (local_error && local_error->message.find(" in the local store is ") != std::string::npos) {
      base::Error mismatch = *local_error;
      mismatch.hint += " (pulling it failed: " + e.message + ")";
      return mismatch;
    }
    if (e.hint.empty()) e.hint = "check the name and the network, or bring the image in with `kiln load`";
    return e;
  }
  m_done.insert(key);
  return {};
}

}  // namespace cli
