#include "base/curl/curl_api.h"

#include <dlfcn.h>

#include <string>

namespace base::curl {
namespace {

// The soname of libcurl 7.16 and later, as Debian's libcurl4 ships it.
constexpr const char* k_library = "libcurl.so.4";

template <typename Fn>
Result<void> bind(void* library, const char* name, Fn& out) {
  void* symbol = ::dlsym(library, name);
  if (!symbol) return make_error(std::string(k_library) + " has no " + name);
  out = reinterpret_cast<Fn>(symbol);
  return {};
}

Result<Api> load() {
  // RTLD_LOCAL: its symbols serve only these pointers. RTLD_LAZY, as the
  // dynamic loader binds linked libraries: binding every symbol of libcurl
  // and its dependencies up front costs a re-push about 5 ms.
  void* library = ::dlopen(k_library, RTLD_LAZY | RTLD_LOCAL);
  if (!library) {
    const char* why = ::dlerror();
    Error e = make_error(std::string("cannot load ") + k_library + ": " + (why ? why : "unknown error"));
    e.hint = "install Debian's libcurl4 (registries and ADD <url> need it)";
    return e;
  }
  Api api{};
  TRY(bind(library, "curl_easy_init", api.easy_init));
  TRY(bind(library, "curl_easy_setopt", api.easy_setopt));
  TRY(bind(library, "curl_easy_perform", api.easy_perform));
  TRY(bind(library, "curl_easy_getinfo", api.easy_getinfo));
  TRY(bind(library, "curl_easy_reset", api.easy_reset));
  TRY(bind(library, "curl_easy_cleanup", api.easy_cleanup));
  TRY(bind(library, "curl_easy_strerror", api.easy_strerror));
  TRY(bind(library, "curl_slist_append", api.slist_append));
  TRY(bind(library, "curl_slist_free_all", api.slist_free_all));
  TRY(bind(library, "curl_getdate", api.getdate));
  curl_version_info_data* (*version_info)(CURLversion) = nullptr;
  TRY(bind(library, "curl_version_info", version_info));
  // The oldest libcurl whose options kiln sets (CURLOPT_PROTOCOLS_STR).
  constexpr unsigned k_oldest = 0x075500;
  if (const curl_version_info_data* v = version_info(CURLVERSION_NOW); !v || v->version_num < k_oldest) {
    Error e = make_error(std::string(k_library) + " is version " + (v && v->version ? v->version : "unknown") +
                         "; kiln needs 7.85.0 or later");
    e.hint = "install Debian 12's libcurl4 or newer";
    return e;
  }
  CURLcode (*global_init)(long) = nullptr;
  TRY(bind(library, "curl_global_init", global_init));
  if (CURLcode rc = global_init(CURL_GLOBAL_DEFAULT); rc != CURLE_OK)
    return make_error(std::string("curl_global_init failed with code ") + std::to_string(static_cast<int>(rc)));
  return api;
}

}  // namespace

Result<const Api*> api() {
  // The one process-wide state here: a loaded library and curl's own global
  // initialisation are process-wide by nature. A function-local static is
  // initialised once, thread-safely; it is never destroyed, so threads still
  // running at exit keep valid pointers.
  static const Result<Api>* const loaded = new Result<Api>(load());
  if (!loaded->ok()) return loaded->error();
  return &**loaded;
}

}  // namespace base::curl
