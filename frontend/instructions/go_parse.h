#pragma once
// Parsers for the value syntaxes BuildKit borrows from Go's standard library
// and docker/go-units, so that kiln accepts and rejects exactly the same
// spellings ("t" is a bool, "1h30m" a duration, "64m" a size). Pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace frontend::instructions {

// strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False.
std::optional<bool> parse_go_bool(std::string_view s);

// strconv.ParseUint(s, base, bits) for base 8 or 10: digits only, no sign,
// no prefix, no underscores; nullopt on syntax error or overflow.
std::optional<uint64_t> parse_go_uint(std::string_view s, int base, int bits);

// strconv.ParseInt(s, 10, bits); the error text is Go's
// (`strconv.ParseInt: parsing "x": invalid syntax` / `value out of range`).
base::Result<int64_t> parse_go_int(std::string_view s, int bits);

// time.ParseDuration, in nanoseconds. Errors read like Go's:
// `time: invalid duration "x"`, `time: missing unit in duration "1"`,
// `time: unknown unit "d" in duration "1d"`.
base::Result<int64_t> parse_go_duration(std::string_view s);

// docker/go-units RAMInBytes: "64m", "1.5GiB", "1024" (binary multiples).
// Error: `invalid size: 'x'`.
base::Result<int64_t> parse_ram_in_bytes(std::string_view s);

}  // namespace frontend::instructions
