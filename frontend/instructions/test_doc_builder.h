#pragma once
// Test helper for the instruction stage's unit tests: builds an ast::Document
// one instruction per physical line, so tests do not depend on the parser.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "frontend/instructions/instructions.h"

namespace frontend::instructions::testing_util {

inline constexpr int64_t k_s = 1000LL * 1000 * 1000;

// Builds an ast::Document one instruction per physical line.
class DocBuilder {
 public:
  // `line` is the physical text; keyword is its first word.
  ast::Node& add(std::string line, std::vector<std::string> args, std::vector<std::string> flags = {},
                 bool json = false) {
    ast::Node n;
    size_t b = line.find_first_not_of(" \t");
    size_t e = line.find_first_of(" \t", b);
    n.keyword = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
    n.flags = std::move(flags);
    n.args = std::move(args);
    n.json = json;
    n.start_line = n.end_line = m_line++;
    n.column = static_cast<int>(b) + 1;
    n.original = line;
    m_text += line + "\n";
    m_doc.instructions.push_back(std::move(n));
    return m_doc.instructions.back();
  }
  ast::Document build() {
    ast::Document d = m_doc;
    d.file = "Dockerfile";
    d.source = std::make_shared<const std::string>(m_text);
    size_t at = 0;
    while (at < m_text.size()) {
      d.line_offsets.push_back(at);
      size_t nl = m_text.find('\n', at);
      at = nl == std::string::npos ? m_text.size() : nl + 1;
    }
    return d;
  }

 private:
  ast::Document m_doc;
  std::string m_text;
  int m_line = 1;
};

inline ParsedDockerfile parse_ok(DocBuilder& b) {
  auto r = parse_instructions(b.build());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().render());
  return r.ok() ? *r : ParsedDockerfile{};
}

inline base::Error parse_err(DocBuilder& b) {
  auto r = parse_instructions(b.build());
  EXPECT_FALSE(r.ok());
  return r.ok() ? base::Error{} : r.error();
}

// A one-stage file "FROM alpine" followed by one instruction; returns it.
template <class T>
T only(DocBuilder& b) {
  ParsedDockerfile p = parse_ok(b);
  EXPECT_EQ(p.stages.size(), 1u);
  if (p.stages.size() != 1 || p.stages[0].commands.size() != 1) {
    ADD_FAILURE() << "expected one command";
    return T{};
  }
  const T* t = std::get_if<T>(&p.stages[0].commands[0].instr);
  EXPECT_NE(t, nullptr) << instruction_name(p.stages[0].commands[0].instr);
  return t ? *t : T{};
}

inline DocBuilder with_from() {
  DocBuilder b;
  b.add("FROM alpine", {"alpine"});
  return b;
}

// An error from "FROM alpine" + `line`.
inline base::Error err_of(std::string line, std::vector<std::string> args, std::vector<std::string> flags = {},
                   bool json = false) {
  DocBuilder b = with_from();
  b.add(std::move(line), std::move(args), std::move(flags), json);
  return parse_err(b);
}

}  // namespace frontend::instructions::testing_util
