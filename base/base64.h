#pragma once
// Standard base64 (RFC 4648, with padding) through OpenSSL, for binary data
// that must travel inside JSON text.
#include <string>
#include <string_view>

#include "base/result.h"

namespace base {

std::string base64_encode(std::string_view bytes);
// Errors on characters outside the alphabet or a bad length.
Result<std::string> base64_decode(std::string_view text);

}  // namespace base
