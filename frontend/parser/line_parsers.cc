#include "frontend/parser/line_parsers.h"

#include "base/strings.h"
#include "frontend/parser/go_text.h"
#include "frontend/parser/heredoc_markers.h"

namespace frontend::parser {

namespace {

// Go's WriteRune(rune(b)): a byte taken as a code point, so bytes >= 0x80
// come out as two-byte UTF-8 (BuildKit's flag scanner works byte-wise).
void append_byte_as_rune(std::string& out, unsigned char b) { append_utf8(out, b); }

}  // namespace

std::string_view extract_flags(std::string_view line, char escape, std::vector<std::string>& flags) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  unsigned char ch = 0;
  const size_t n = line.size();
  for (size_t pos = 0; pos <= n; ++pos) {
    if (pos != n) ch = static_cast<unsigned char>(line[pos]);
    if (phase == in_spaces) {
      if (pos == n) break;
      if (is_go_space_byte(ch)) continue;
      if (ch != '-' || pos + 1 == n || line[pos + 1] != '-') return line.substr(pos);
      phase = in_word;
    }
    if (pos == n) {
      if (word != "--" && (blank_ok || !word.empty())) flags.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (is_go_space_byte(ch)) {
        phase = in_spaces;
        if (word == "--") return line.substr(pos);
        if (blank_ok || !word.empty()) flags.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = static_cast<char>(ch);
        blank_ok = true;
        phase = in_quote;
        continue;
      }
      if (ch == static_cast<unsigned char>(escape)) {
        if (pos + 1 == n) continue;  // an escape at the very end is dropped
        ch = static_cast<unsigned char>(line[++pos]);
      }
      append_byte_as_rune(word, ch);
      continue;
    }
    // in_quote
    if (ch == static_cast<unsigned char>(quote)) {
      phase = in_word;
      continue;
    }
    if (ch == static_cast<unsigned char>(escape)) {
      if (pos + 1 == n) {
        phase = in_word;
        continue;
      }
      ch = static_cast<unsigned char>(line[++pos]);
    }
    append_byte_as_rune(word, ch);
  }
  return {};
}

std::vector<std::string> parse_words(std::string_view rest, char escape) {
  enum { in_spaces, in_word, in_quote } phase = in_spaces;
  std::vector<std::string> words;
  std::string word;
  char32_t quote = 0;
  bool blank_ok = false;
  Rune ch;
  const size_t n = rest.size();
  const char32_t esc = static_cast<unsigned char>(escape);
  for (size_t pos = 0; pos <= n; pos += ch.width) {
    if (pos != n) ch = decode_rune(rest, pos);
    if (phase == in_spaces) {
      if (pos == n) break;
      if (is_go_space(ch.value)) continue;
      phase = in_word;
    }
    if (pos == n) {
      if (blank_ok || !word.empty()) words.push_back(word);
      break;
    }
    if (phase == in_word) {
      if (is_go_space(ch.value)) {
        phase = in_spaces;
        if (blank_ok || !word.empty()) words.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch.value == '\'' || ch.value == '"') {
        quote = ch.value;
        blank_ok = true;
        phase = in_quote;
      }
      if (ch.value == esc) {
        if (pos + ch.width == n) continue;  // a trailing escape is dropped
        append_utf8(word, ch.value);
        pos += ch.width;
        ch = decode_rune(rest, pos);
      }
      append_utf8(word, ch.value);
      continue;
    }
    // in_quote
    if (ch.value == quote) phase = in_word;
    if (ch.value == esc && quote != '\'') {
      if (pos + ch.width == n) {
        phase = in_word;
        continue;
      }
      pos += ch.width;
      append_utf8(word, ch.value);
      ch = decode_rune(rest, pos);
    }
    append_utf8(word, ch.value);
  }
  return words;
}

bool LineParser::parse(std::string_view line, ast::Node& node, LineError& error) {
  m_line_start = line.data();
  return parse_at(line, 0, node, error);
}

bool LineParser::parse_at(std::string_view line, int depth, ast::Node& node, LineError& error) {
  node.original = std::string(line);
  std::string_view trimmed = trim_go_space(line);
  if (trimmed.empty()) {
    // Only reachable through continuation lines that join to nothing;
    // BuildKit keeps an instruction with an empty keyword.
    node.keyword.clear();
    node.args = {""};
    return true;
  }
  LineGrammar::Split split = m_grammar.split_instruction(trimmed);
  node.keyword = std::string(split.keyword);
  std::string_view rest = trim_go_space(extract_flags(split.arguments, m_escape, node.flags));
  return dispatch(split.keyword, rest, depth, node, error);
}

bool LineParser::dispatch(std::string_view keyword, std::string_view rest, int depth, ast::Node& node,
                          LineError& error) {
  std::string kw = base::ascii_lower(keyword);
  if (kw == "run" || kw == "cmd" || kw == "entrypoint" || kw == "shell")
    return parse_maybe_json(rest, node, error);
  if (kw == "add" || kw == "copy" || kw == "volume") return parse_maybe_json_to_list(rest, node, error);
  if (kw == "from" || kw == "expose") {
    if (!rest.empty()) node.args = m_grammar.split_words(rest);
    return true;
  }
  if (kw == "maintainer" || kw == "user" || kw == "workdir" || kw == "stopsignal") {
    if (!rest.empty()) node.args = {std::string(rest)};
    return true;
  }
  if (kw == "env") return parse_name_val(rest, "ENV", node, error);
  if (kw == "label") return parse_name_val(rest, "LABEL", node, error);
  if (kw == "arg") {
    node.args = parse_words(rest, m_escape);
    return true;
  }
  if (kw == "healthcheck") return parse_health_config(rest, node, error);
  if (kw == "onbuild") {
    if (rest.empty()) return true;
    if (depth + 1 >= k_max_onbuild_depth) {
      error = {"too many nested ONBUILD instructions (more than " + std::to_string(k_max_onbuild_depth) + ")",
               offset_of(rest), ""};
      return false;
    }
    auto child = std::make_shared<ast::Node>();
    if (!parse_at(rest, depth + 1, *child, error)) return false;
    node.sub = std::move(child);
    return true;
  }
  // Unknown instructions pass the parser with one empty argument; the
  // instruction stage reports them.
  node.args = {""};
  return true;
}

bool LineParser::parse_name_val(std::string_view rest, std::string_view key, ast::Node& node,
                                LineError& error) {
  std::vector<std::string> words = parse_words(rest, m_escape);
  if (words.empty()) return true;
  if (words[0].find('=') == std::string::npos) {
    // Legacy form: KEY value-is-the-rest-of-the-line.
    size_t cut = 0;
    while (cut < rest.size() && !is_blank(rest[cut])) ++cut;
    if (cut == rest.size()) {
      error = {std::string(key) + " must have two arguments", offset_of(rest),
               "write " + std::string(key) + " " + std::string(rest) + "=<value>"};
      return false;
    }
    size_t value = cut;
    while (value < rest.size() && is_blank(rest[value])) ++value;
    node.args = {std::string(rest.substr(0, cut)), std::string(rest.substr(value)), ""};
    return true;
  }
  node.args.reserve(words.size() * 3);
  for (const std::string& word : words) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) {
      error = {"Syntax error - can't find = in " + go_quote(word) + ". Must be of the form: name=value",
               offset_of(rest), "quote values that contain spaces: name=\"a b\""};
      return false;
    }
    node.args.push_back(word.substr(0, eq));
    node.args.push_back(word.substr(eq + 1));
    node.args.push_back("=");
  }
  return true;
}

std::optional<bool> LineParser::parse_exec_form(std::string_view rest, ast::Node& node, LineError& error,
                                                const char* example) {
  std::vector<std::string> items;
  switch (m_grammar.parse_exec_form(trim_left_go_space(rest), items)) {
    case LineGrammar::ExecForm::strings:
      node.args = std::move(items);
      node.json = true;
      return true;
    case LineGrammar::ExecForm::non_string:
      error = {"when using JSON array syntax, arrays must be comprised of strings only", offset_of(rest),
               std::string("quote every member, e.g. ") + example};
      return false;
    case LineGrammar::ExecForm::not_json:
      break;
  }
  return std::nullopt;
}

bool LineParser::parse_maybe_json(std::string_view rest, ast::Node& node, LineError& error) {
  if (rest.empty()) return true;
  if (auto json = parse_exec_form(rest, node, error, "[\"sleep\", \"10\"]")) return *json;
  node.args = {std::string(rest)};
  return true;
}

bool LineParser::parse_maybe_json_to_list(std::string_view rest, ast::Node& node, LineError& error) {
  if (auto json = parse_exec_form(rest, node, error, "[\"src\", \"/dest/\"]")) return *json;
  if (!rest.empty()) node.args = m_grammar.split_words(rest);
  return true;
}

bool LineParser::parse_health_config(std::string_view rest, ast::Node& node, LineError& error) {
  // Byte-wise like BuildKit: the type ends at the first byte Go reads as a
  // space, and the command starts after the following run of them.
  size_t sep = 0;
  while (sep < rest.size() && !is_go_space_byte(static_cast<unsigned char>(rest[sep]))) ++sep;
  size_t next = sep;
  while (next < rest.size() && is_go_space_byte(static_cast<unsigned char>(rest[next]))) ++next;
  if (sep == 0) return true;
  ast::Node cmd;
  if (!parse_maybe_json(rest.substr(next), cmd, error)) return false;
  node.args.clear();
  node.args.push_back(std::string(rest.substr(0, sep)));
  for (std::string& a : cmd.args) node.args.push_back(std::move(a));
  node.json = cmd.json;
  return true;
}

}  // namespace frontend::parser
