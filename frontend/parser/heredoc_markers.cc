#include "frontend/parser/heredoc_markers.h"

#include "frontend/parser/go_text.h"

namespace frontend::parser {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool keyword_is(std::string_view keyword, std::string_view lower_name) {
  if (keyword.size() != lower_name.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    char c = keyword[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_name[i]) return false;
  }
  return true;
}

// A simplified replica of BuildKit's shell lexer in ProcessWords mode with
// `\` as escape: splits on unquoted white space; with raw_quotes the quote
// characters stay in the word, with raw_escapes the escape character does.
// `$` is taken literally (the parser looks words up with an empty
// environment that keeps unset variables as written). Returns false where
// BuildKit's lexer fails (an unterminated quote).
bool shell_words(std::string_view text, bool raw_quotes, bool raw_escapes, std::vector<std::string>& words) {
  words.clear();
  std::string word;
  bool in_word = false;
  auto finish = [&] {
    if (!word.empty()) words.push_back(word);
    word.clear();
    in_word = false;
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\'') {
      size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) return false;
      if (raw_quotes) word += '\'';
      word.append(text.substr(i + 1, close - i - 1));
      if (raw_quotes) word += '\'';
      in_word = true;
      i = close + 1;
      continue;
    }
    if (c == '"') {
      if (raw_quotes) word += '"';
      size_t j = i + 1;
      bool closed = false;
      while (j < text.size()) {
        char d = text[j];
        if (d == '"') {
          closed = true;
          break;
        }
        if (d == '\\' && j + 1 < text.size()) {
          char next = text[j + 1];
          if (next == '"' || next == '$' || next == '\\') {
            if (raw_escapes) word += '\\';
            word += next;
            j += 2;
            continue;
          }
        }
        if (d == '\\' && j + 1 == text.size()) {
          if (raw_escapes) word += '\\';
          ++j;
          continue;
        }
        word += d;
        ++j;
      }
      if (!closed) return false;
      if (raw_quotes) word += '"';
      in_word = true;
      i = j + 1;
      continue;
    }
    if (c == '\\') {
      if (raw_escapes) word += '\\';
      in_word = true;
      if (i + 1 == text.size()) break;
      Rune r = decode_rune(text, i + 1);
      word.append(text.substr(i + 1, r.width));
      i += 1 + r.width;
      continue;
    }
    Rune r = decode_rune(text, i);
    if (is_go_space(r.value)) {
      if (in_word) finish();
    } else {
      word.append(text.substr(i, r.width));
      in_word = true;
    }
    i += r.width;
  }
  finish();
  return true;
}

size_t count_quotes(std::string_view text) {
  size_t n = 0;
  for (char c : text) n += (c == '\'' || c == '"') ? 1 : 0;
  return n;
}

// BuildKit's ParseHeredoc: a word of the form [digits]<<[-]NAME where NAME
// has no '<' and lexes to exactly one shell word.
bool heredoc_from_word(std::string_view word, ast::Heredoc& doc) {
  size_t i = 0;
  while (i < word.size() && is_digit(word[i])) ++i;
  std::string_view digits = word.substr(0, i);
  if (word.substr(i, 2) != "<<") return false;
  i += 2;
  bool chomp = i < word.size() && word[i] == '-';
  if (chomp) ++i;
  std::string_view rest = word.substr(i);
  if (rest.empty() || rest.find('<') != std::string_view::npos) return false;

  std::vector<std::string> words, raw_words;
  if (!shell_words(rest, false, false, words) || words.size() != 1) return false;
  if (!shell_words(rest, true, false, raw_words) || raw_words.size() != 1) return false;

  // strconv.ParseUint with its error ignored: an out-of-range fd reads as 0.
  unsigned long long fd = 0;
  bool overflow = false;
  for (char c : digits) {
    unsigned long long d = static_cast<unsigned long long>(c - '0');
    if (fd > (~0ULL - d) / 10) overflow = true;
    fd = fd * 10 + d;
  }
  doc = ast::Heredoc{};
  doc.name = words[0];
  doc.expand = count_quotes(words[0]) == count_quotes(raw_words[0]);
  doc.chomp = chomp;
  doc.fd = (overflow || fd > 0x7fffffffULL) ? 0 : static_cast<int>(fd);
  return true;
}

}  // namespace

std::vector<ast::Heredoc> heredocs_from_line(std::string_view line) {
  std::vector<ast::Heredoc> docs;
  if (line.find("<<") == std::string_view::npos) return docs;
  std::vector<std::string> words;
  if (!shell_words(line, true, true, words)) return docs;
  for (const std::string& w : words) {
    ast::Heredoc doc;
    if (heredoc_from_word(w, doc)) docs.push_back(std::move(doc));
  }
  return docs;
}

bool can_contain_heredoc(const ast::Node& node) {
  const ast::Node* target = &node;
  if (keyword_is(node.keyword, "onbuild") && node.sub) target = node.sub.get();
  const std::string& kw = target->keyword;
  if (!keyword_is(kw, "run") && !keyword_is(kw, "copy") && !keyword_is(kw, "add")) return false;
  return !target->json;
}

}  // namespace frontend::parser
