#pragma once
// Whole images between a registry and the content store, on top of Client.
//
// pull_image: the manifest (or index) `ref` names, then — for an index — the
// one manifest matching `platform`, then its config and layers, each verified
// by digest on the way into the store. Returns the root descriptor to tag
// with content::ImageStore (for an index, the index: image_blobs() accepts
// indexes whose other platforms are absent).
//
// push_image: the blobs of a stored image (config and layers, for every child
// manifest of an index that is present in the store), then the child
// manifests by digest, then the root under ref's tag. Blobs the registry
// already has are skipped; `mount_from` names a repository on the same
// registry to mount blobs from. When the registry already serves the same
// manifest digest under ref, nothing else is done: a registry keeps the blobs
// of the manifests it serves, so the image is complete there (as
// go-containerregistry's remote.Write decides).
//
// The blobs of one manifest (config and layers) move in parallel, at most
// TransferOptions::max_concurrent at once (see blob_batch.h); a manifest is
// pushed only after all of its blobs are up. The first failing blob stops the
// others and is the error returned, naming its digest. A failed or stopped
// download publishes nothing (BlobWriter writes under tmp/ and renames only a
// verified blob), so the store never holds half a blob; blobs that did
// complete stay, protected by `guard` and reused by the next pull.

#include <optional>
#include <string>

#include "base/result.h"
#include "content/content_store.h"
#include "oci/descriptor.h"
#include "oci/manifest.h"
#include "registry/blob_batch.h"
#include "registry/client.h"

namespace registry {

// The platform of this machine ("linux" and the GOARCH name of uname's machine).
oci::Platform host_platform();

// The manifest of `index` for `platform`: os and architecture must match; a
// requested variant must match too, and without one the first entry wins.
// Errors list the platforms the index offers.
Result<oci::Descriptor> select_platform(const oci::Index& index, const oci::Platform& platform);

struct TransferOptions {
  int max_concurrent = 4;     // blobs moving at once (at least 1)
  TransferProgress progress;  // per blob: started, bytes, done; may be empty
};

struct PulledImage {
  oci::Descriptor root;      // what `ref` named: a manifest or an index
  oci::Descriptor manifest;  // the image manifest that was pulled
};

// `guard` (e.g. the metadata Lease of the pull) protects every blob the pull
// publishes or finds present until the caller tags the image.
Result<PulledImage> pull_image(Client& client, const Reference& ref, const content::ContentStore& store,
                               const oci::Platform& platform, content::PublishGuard* guard = nullptr,
                               const TransferOptions& options = {});

struct PushedImage {
  // The registry already held `root` under ref (same digest): nothing was
  // checked or sent past that one HEAD request.
  bool up_to_date = false;
};

Result<PushedImage> push_image(Client& client, const Reference& ref, const content::ContentStore& store,
                               const oci::Descriptor& root, const std::string& mount_from = {},
                               const TransferOptions& options = {});

}  // namespace registry
