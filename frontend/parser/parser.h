#pragma once
// Dockerfile text -> ast::Document, as BuildKit's parser
// (frontend/dockerfile/parser) reads it: parser directives, comments,
// line continuations, heredocs, then per-instruction argument splitting.
// See docs/frontend-parser.md for the split between the hand-written
// physical-line layer here and the ANTLR grammar for instruction lines.
//
// Runs in time linear in the input (ONBUILD nesting is capped at
// k_max_onbuild_depth). Every error carries a SourcePos naming the file,
// the 1-based line and column, and the offending physical line.
// Thread-safe: each call uses its own state.

#include <string>
#include <string_view>

#include "base/result.h"
#include "frontend/parser/ast.h"

namespace frontend::parser {

// BuildKit reads Dockerfiles with a bufio.Scanner whose longest line is
// 64 KiB including the newline.
inline constexpr size_t k_max_line_length = 65535;
// Larger Dockerfiles are refused before parsing. No hand-written Dockerfile
// comes near this; a generated one of this size (about 110,000 instructions)
// takes the frontend about a second and 250 MB, and the cost grows linearly.
inline constexpr size_t k_max_dockerfile_size = 8u * 1024 * 1024;

// `file_name` is only used in error positions and Document::file.
base::Result<ast::Document> parse_dockerfile(std::string_view text, std::string file_name);

}  // namespace frontend::parser
