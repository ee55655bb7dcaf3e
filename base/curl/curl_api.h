#pragma once
// libcurl, loaded when first needed. Every kiln command used to map libcurl
// and the ~30 libraries it pulls in (GnuTLS, Kerberos, LDAP, …) at start,
// about 15 ms of a 27 ms start on a 2-core VM, although only commands that
// reach a registry or an ADD <url> use it. Callers get the functions through
// `curl::api()`, which opens libcurl.so.4 once with dlopen and runs
// curl_global_init once; the types and constants still come from
// <curl/curl.h>.
#include <curl/curl.h>

#include <ctime>

#include "base/result.h"

namespace base::curl {

struct Api {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_reset)(CURL*);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  time_t (*getdate)(const char*, const time_t*);
};

// The loaded library, or why it could not be loaded (named, with the
// package to install). Thread-safe; loads at most once per process, and the
// library stays loaded.
Result<const Api*> api();

}  // namespace base::curl
