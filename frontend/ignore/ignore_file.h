#pragma once
// Reading .dockerignore files, and choosing which one applies to a build,
// the way BuildKit's Dockerfile frontend does.
//
// File format (moby/patternmatcher ignorefile.ReadAll): one pattern per line
// ("\n" or "\r\n"); a UTF-8 byte order mark at the start is dropped; a line
// whose first byte is '#' is a comment (" # x" is a pattern, since the check
// comes before trimming); surrounding white space is trimmed and blank lines
// skipped; each pattern is filepath.Clean'ed with a leading '!' kept aside and
// a leading '/' removed ("/a/b" ≡ "a/b", "! /x" ≡ "!x"). Lines of 64 KiB or
// more are an error, as in the reference.
//
// Pure functions apart from the Fs reads; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/fs.h"
#include "base/result.h"

namespace frontend::ignore {

inline constexpr std::string_view k_dockerignore_name = ".dockerignore";

// The cleaned patterns of an ignore file, in order. Unlike the reference,
// which accepts any line here and fails later when building the matcher, a
// pattern PatternMatcher::create would reject is reported now, with
// `file_name`, its line and column in the error.
base::Result<std::vector<std::string>> read_ignore_patterns(std::string_view content,
                                                            std::string_view file_name);

// Which ignore file applies: "<dockerfile_path>.dockerignore" (next to the
// Dockerfile, named after it as given) when it exists and is not empty, else
// "<context_dir>/.dockerignore" when it exists, else none. Returns the path
// used. Files that cannot be read count as absent, as in BuildKit.
//
// An empty Dockerfile-specific file does not take precedence: BuildKit's
// frontend receives file contents over gRPC, where empty content is
// indistinguishable from none, and falls back to the context's file.
base::Result<std::optional<std::string>> find_ignore_file(const base::Fs& fs,
                                                          const std::string& context_dir,
                                                          const std::string& dockerfile_path);

}  // namespace frontend::ignore
