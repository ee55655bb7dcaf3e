// Client's blob downloads and uploads (see client.h).
#include "registry/client.h"
#include "registry/client_internal.h"

namespace registry {

Result<content::BlobInfo> Client::fetch_blob(const Reference& repo, const oci::Descriptor& desc,
                                             const content::ContentStore& store, content::PublishGuard* guard,
                                             const ByteObserver& observe) {
  const std::string what = "downloading blob " + desc.digest.str() + " from " + repo.name();
  TRY_ASSIGN(bool present, store.exists(desc.digest));
  if (present) {
    if (guard) TRY(guard->protect(desc.digest));
    return store.info(desc.digest);
  }
  TRY_ASSIGN(Host * h, host(repo.domain));

  content::WriterOptions options;
  options.expected_digest = desc.digest;
  options.expected_size = desc.size;
  options.guard = guard;
  TRY_ASSIGN(content::BlobWriter writer, store.writer(options));
  BodySink sink = [&writer, &observe](std::string_view chunk) -> Result<void> {
    TRY(writer.write(chunk));
    if (observe) TRY(observe(writer.written()));
    return {};
  };

  int resumes = 0;
  while (true) {
    int64_t offset = writer.written();
    Call call;
    call.url = api_url(*h, repo, "blobs/" + desc.digest.str());
    call.sink = &sink;
    call.scopes = {repository_scope(repo.path, false)};
    if (offset > 0) {
      call.headers.emplace_back("Range", "bytes=" + std::to_string(offset) + "-");
      call.sink_status = 206;
    } else {
      call.sink_status = 200;
    }
    auto result = execute(*h, call);
    if (!result.ok()) {
      if (call.interrupted && writer.written() > offset && ++resumes < m_options.retry.max_attempts) {
        sleep(backoff(m_options.retry, resumes));
        continue;  // resume from what the writer holds
      }
      return with_context(std::move(result), what).error();
    }
    HttpResponse& response = *result;
    if (offset > 0 && response.status == 200) {
      // The server ignored Range and its body was discarded: start over.
      if (++resumes >= m_options.retry.max_attempts)
        return base::make_error(what + ": the registry does not resume downloads");
      writer.abort();
      TRY_ASSIGN(writer, store.writer(options));
      continue;
    }
    if (response.status != 200 && response.status != 206)
      return base::make_error(what + ": " + describe_error_response(response));
    break;
  }
  // The writer checks digest and size and publishes nothing on a mismatch.
  return with_context(writer.commit(), what);
}

Result<bool> Client::mount_blob(const Reference& repo, const base::Digest& digest, const std::string& from) {
  TRY_ASSIGN(Host * h, host(repo.domain));
  Call call;
  call.method = "POST";
  call.url = api_url(*h, repo, "blobs/uploads/?mount=" + digest.str() + "&from=" + from);
  call.scopes = {repository_scope(repo.path, true), repository_scope(from, false)};
  TRY_ASSIGN(HttpResponse response, with_context(execute(*h, call), "mounting blob " + digest.str()));
  if (response.status == 201) return true;
  if (response.status == 202) {
    // Not mounted; the registry opened an upload session instead. Cancel it
    // so it does not linger until the registry's upload purge.
    std::string location = response.header("location");
    if (!location.empty()) {
      Call cancel;
      cancel.method = "DELETE";
      cancel.url = upload_url(*h, location);
      cancel.scopes = call.scopes;
      (void)execute(*h, cancel);  // best effort: an abandoned session is harmless
    }
    return false;
  }
  return base::make_error("mounting blob " + digest.str() + " from " + from + " into " + repo.name() + ": " +
                          describe_error_response(response));
}

Result<std::string> Client::start_upload(Host& h, const Reference& repo) {
  Call call;
  call.method = "POST";
  call.url = api_url(h, repo, "blobs/uploads/");
  call.scopes = {repository_scope(repo.path, true)};
  TRY_ASSIGN(HttpResponse response, execute(h, call));
  std::string location = response.header("location");
  if (response.status != 202 || location.empty())
    return base::make_error("starting an upload to " + repo.name() + ": " + describe_error_response(response));
  return location;
}

Result<void> Client::upload_monolithic(Host& h, const Reference& repo, std::string location,
                                       const oci::Descriptor& desc, const content::ContentStore& store) {
  TRY_ASSIGN(std::string bytes, store.read(desc.digest));
  Call call;
  call.method = "PUT";
  call.url = upload_url(h, location, "digest=" + desc.digest.str());
  call.headers = {{"Content-Type", "application/octet-stream"}};
  call.body = bytes;
  call.scopes = {repository_scope(repo.path, true)};
  TRY_ASSIGN(HttpResponse response, execute(h, call));
  if (response.status != 201) return base::make_error("HTTP PUT of the blob: " + describe_error_response(response));
  return {};
}

Result<void> Client::upload_chunked(Host& h, const Reference& repo, std::string location, const oci::Descriptor& desc,
                                    const content::ContentStore& store) {
  TRY_ASSIGN(content::BlobReader reader, store.open_reader(desc.digest));
  std::string chunk(static_cast<size_t>(m_options.chunk_size), '\0');
  int64_t offset = 0;
  while (true) {
    size_t filled = 0;
    while (filled < chunk.size()) {
      TRY_ASSIGN(size_t n, reader.read(chunk.data() + filled, chunk.size() - filled));
      if (n == 0) break;
      filled += n;
    }
    if (filled == 0) break;  // the reader verified the whole blob
    Call call;
    call.method = "PATCH";
    call.url = upload_url(h, location);
    call.headers = {{"Content-Type", "application/octet-stream"},
                    {"Content-Range", std::to_string(offset) + "-" + std::to_string(offset + static_cast<int64_t>(filled) - 1)}};
    call.body = std::string_view(chunk.data(), filled);
    call.scopes = {repository_scope(repo.path, true)};
    // A chunk the server may have half-received cannot simply be sent again.
    call.retry = RetryMode::connect_only;
    TRY_ASSIGN(HttpResponse response, execute(h, call));
    if (response.status != 202)
      return base::make_error("HTTP PATCH at offset " + std::to_string(offset) + ": " + describe_error_response(response));
    if (std::string next = response.header("location"); !next.empty()) location = next;
    offset += static_cast<int64_t>(filled);
  }
  Call finish;
  finish.method = "PUT";
  finish.url = upload_url(h, location, "digest=" + desc.digest.str());
  finish.scopes = {repository_scope(repo.path, true)};
  TRY_ASSIGN(HttpResponse response, execute(h, finish));
  if (response.status != 201)
    return base::make_error("HTTP PUT closing the upload: " + describe_error_response(response));
  return {};
}

Result<void> Client::push_blob(const Reference& repo, const oci::Descriptor& desc, const content::ContentStore& store,
                               const std::string& mount_from) {
  const std::string what = "pushing blob " + desc.digest.str() + " to " + repo.name();
  TRY_ASSIGN(auto existing, with_context(head_blob(repo, desc.digest), what));
  if (existing) return {};
  if (!mount_from.empty() && mount_from != repo.path) {
    TRY_ASSIGN(bool mounted, with_context(mount_blob(repo, desc.digest, mount_from), what));
    if (mounted) return {};
  }
  TRY_ASSIGN(Host * h, host(repo.domain));
  TRY_ASSIGN(std::string location, with_context(start_upload(*h, repo), what));
  if (desc.size <= m_options.chunk_size)
    return with_context(upload_monolithic(*h, repo, std::move(location), desc, store), what);
  return with_context(upload_chunked(*h, repo, std::move(location), desc, store), what);
}

}  // namespace registry
