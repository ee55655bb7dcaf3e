#pragma once
// Helpers for the content tests: a real temporary directory, and real child
// processes (fork) for concurrency and crash tests.

#include <functional>
#include <string>

#include "base/result.h"
#include "content/content_store.h"
#include "base/testing/temp_dir.h"
#include "oci/descriptor.h"

namespace content::testing {

using TempDir = base::testing::TempDir;

// Forks; the child runs `fn` and _exits with its return value (2 if it throws).
int spawn(const std::function<int()>& fn);
// Waits for `pid`; returns its exit code, or 128 + signal if it was killed.
int wait_for(int pid);

// Writes `content` to `path` (creating or truncating it, ignoring its mode).
void overwrite_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);

// Writes a one-layer OCI image (layer, config, manifest) through `guard`
// (may be null) and returns the manifest's descriptor. The layer is written
// in 4 KiB chunks so that a crash can land in the middle of it.
base::Result<oci::Descriptor> write_test_image(const ContentStore& store, const std::string& layer,
                                               PublishGuard* guard);

}  // namespace content::testing
