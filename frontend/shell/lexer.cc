#include "frontend/shell/lexer.h"

#include <map>
#include <memory>
#include <set>

#include "frontend/shell/glob.h"
#include "frontend/shell/utf8.h"

namespace frontend::shell {
namespace {

using Rune = int32_t;
constexpr Rune k_eof = -1;

// Error messages quote at most this much of the word being expanded.
constexpr size_t k_max_quoted_word = 1024;

std::string rune_text(Rune r) {
  std::string out;
  append_utf8(out, r < 0 ? k_replacement_char : static_cast<char32_t>(r));
  return out;
}

// Collects the words of ProcessWords: unquoted whitespace ends a word,
// quoted text and escaped characters never do, and empty words are dropped.
class WordSplitter {
 public:
  void add_char(char32_t c) {
    if (!is_space(c)) {
      add_raw_char(c);
    } else if (m_in_word && !m_word.empty()) {
      m_words.push_back(std::move(m_word));
      m_word.clear();
      m_in_word = false;
    }
  }
  void add_raw_char(char32_t c) {
    append_utf8(m_word, c);
    m_in_word = true;
  }
  // Expanded values split on their whitespace. Runs of ASCII that are not
  // whitespace are copied in one go: values can be megabytes long.
  void add_string(std::string_view s) {
    size_t pos = 0;
    while (pos < s.size()) {
      const auto byte = static_cast<unsigned char>(s[pos]);
      if (byte < 0x80 && !is_space(byte)) {
        size_t end = pos + 1;
        while (end < s.size()) {
          const auto b = static_cast<unsigned char>(s[end]);
          if (b >= 0x80 || is_space(b)) break;
          ++end;
        }
        m_word.append(s.substr(pos, end - pos));
        m_in_word = true;
        pos = end;
        continue;
      }
      const base::Rune d = decode_rune(s, pos);
      add_char(d.value);
      pos += d.width;
    }
  }
  // Quoted text is one piece, even when empty.
  void add_raw_string(std::string_view s) {
    m_word.append(s);
    m_in_word = true;
  }
  std::vector<std::string> finish() {
    if (!m_word.empty()) m_words.push_back(std::move(m_word));
    return std::move(m_words);
  }

 private:
  std::string m_word;
  std::vector<std::string> m_words;
  bool m_in_word = false;
};

// One expansion of one word: a scanner over its code points plus what the
// expansion has seen so far. Mirrors the reference's recursive structure
// (word -> $ / quotes -> nested word) so that its error precedence carries
// over; recursion is bounded by Limits::max_nesting.
class Expansion {
 public:
  Expansion(std::string_view word, const Lexer::Settings& settings, const EnvLookup& env)
      : m_escape(static_cast<unsigned char>(settings.escape)),
        m_raw_quotes(settings.raw_quotes),
        m_raw_escapes(settings.raw_escapes),
        m_skip_quotes(settings.skip_process_quotes),
        m_skip_unset(settings.skip_unset_env),
        m_limits(settings.limits),
        m_env(env),
        m_budget(settings.limits.max_work_steps) {
    m_input.reserve(word.size());
    for (size_t pos = 0; pos < word.size();) {
      const base::Rune d = decode_rune(word, pos);
      // The reference's scanner drops a byte order mark at the very start.
      if (!(pos == 0 && d.value == k_byte_order_mark)) m_input.push_back(static_cast<Rune>(d.value));
      pos += d.width;
    }
  }

  base::Result<WordResult> run() {
    WordSplitter words;
    TRY_ASSIGN(std::string result, process_until(k_eof, m_raw_escapes, &words));
    WordResult out;
    out.result = std::move(result);
    out.words = words.finish();
    out.matched.assign(m_matched.begin(), m_matched.end());
    out.unmatched.assign(m_unmatched.begin(), m_unmatched.end());
    return out;
  }

 private:
  Rune peek() const { return m_pos < m_input.size() ? m_input[m_pos] : k_eof; }
  Rune next() { return m_pos < m_input.size() ? m_input[m_pos++] : k_eof; }

  // Appends `piece` to a result buffer, within the size and work limits.
  base::Result<void> append(std::string& buffer, std::string_view piece) {
    if (buffer.size() + piece.size() > m_limits.max_result_bytes) {
      return base::make_error("expanded word would be larger than " +
                              size_text(m_limits.max_result_bytes));
    }
    if (!m_budget.charge(piece.size())) return work_limit_error(m_budget);
    buffer.append(piece);
    return {};
  }

  // Reads a word up to `stop` (consumed) or the end of input. `raw_escapes`
  // keeps escape characters, as patterns and replacements need them.
  base::Result<std::string> process_until(Rune stop, bool raw_escapes, WordSplitter* words) {
    const bool saved_raw = m_raw_escapes;
    m_raw_escapes = raw_escapes;
    auto result = process_until_inner(stop, words);
    m_raw_escapes = saved_raw;
    return result;
  }

  base::Result<std::string> process_until_inner(Rune stop, WordSplitter* words) {
    std::string result;
    while (peek() != k_eof) {
      Rune ch = peek();
      if (stop != k_eof && ch == stop) {
        next();
        return result;
      }
      if (ch == '$' || (!m_skip_quotes && (ch == '\'' || ch == '"'))) {
        base::Result<std::string> piece = ch == '$'    ? process_dollar()
                                          : ch == '\'' ? process_single_quote()
                                                       : process_double_quote();
        if (!piece.ok()) return std::move(piece).error();
        TRY(append(result, *piece));
        if (words) {
          if (ch == '$') {
            words->add_string(*piece);
          } else {
            words->add_raw_string(*piece);
          }
        }
        continue;
      }
      ch = next();
      if (ch == m_escape) {
        if (m_raw_escapes) {
          if (words) words->add_raw_char(static_cast<char32_t>(ch));
          append_utf8(result, static_cast<char32_t>(ch));
        }
        // The escape character quotes the next one; alone at the end it
        // disappears.
        ch = next();
        if (ch == k_eof) break;
        if (words) words->add_raw_char(static_cast<char32_t>(ch));
      } else if (words) {
        words->add_char(static_cast<char32_t>(ch));
      }
      append_utf8(result, static_cast<char32_t>(ch));
    }
    if (stop != k_eof) {
      return base::make_error("unexpected end of statement while looking for matching " +
                              rune_text(stop));
    }
    return result;
  }

  // '...': everything literal up to the next single quote, no escapes.
  base::Result<std::string> process_single_quote() {
    std::string result;
    Rune ch = next();
    if (m_raw_quotes) append_utf8(result, static_cast<char32_t>(ch));
    for (;;) {
      ch = next();
      if (ch == k_eof) {
        return base::make_error(
            "unexpected end of statement while looking for matching single-quote");
      }
      if (ch == '\'') {
        if (m_raw_quotes) append_utf8(result, static_cast<char32_t>(ch));
        return result;
      }
      append_utf8(result, static_cast<char32_t>(ch));
    }
  }

  // "...": literal except for $ expansions; the escape character only
  // escapes `"`, `$` and itself and is otherwise kept.
  base::Result<std::string> process_double_quote() {
    std::string result;
    Rune ch = next();
    if (m_raw_quotes) append_utf8(result, static_cast<char32_t>(ch));
    for (;;) {
      const Rune peeked = peek();
      if (peeked == k_eof) {
        return base::make_error(
            "unexpected end of statement while looking for matching double-quote");
      }
      if (peeked == '"') {
        ch = next();
        if (m_raw_quotes) append_utf8(result, static_cast<char32_t>(ch));
        return result;
      }
      if (peeked == '$') {
        TRY_ASSIGN(std::string value, process_dollar());
        TRY(append(result, value));
        continue;
      }
      ch = next();
      if (ch == m_escape) {
        if (m_raw_escapes) append_utf8(result, static_cast<char32_t>(ch));
        const Rune after = peek();
        if (after == k_eof) continue;  // dropped at the end of the word
        if (after == '"' || after == '$' || after == m_escape) ch = next();
      }
      append_utf8(result, static_cast<char32_t>(ch));
    }
  }

  // A name after `$`: a run of digits, one special parameter character, or
  // letters, digits and underscores.
  std::string process_name() {
    std::string name;
    while (peek() != k_eof) {
      Rune ch = peek();
      if (name.empty() && is_digit(static_cast<char32_t>(ch))) {
        while (peek() != k_eof && is_digit(static_cast<char32_t>(peek())))
          append_utf8(name, static_cast<char32_t>(next()));
        return name;
      }
      if (name.empty() && is_special_parameter(ch)) {
        append_utf8(name, static_cast<char32_t>(next()));
        return name;
      }
      if (!is_letter(static_cast<char32_t>(ch)) && !is_digit(static_cast<char32_t>(ch)) &&
          ch != '_')
        break;
      append_utf8(name, static_cast<char32_t>(next()));
    }
    return name;
  }

  static bool is_special_parameter(Rune ch) {
    switch (ch) {
      case '@': case '*': case '#': case '?': case '-': case '$': case '!': case '0':
        return true;
      default:
        return false;
    }
  }

  base::Result<std::optional<std::string>> get_env(const std::string& name) {
    std::optional<std::string> value = m_env ? m_env(name) : std::nullopt;
    if (value) {
      m_matched.insert(name);
      // Reading a value is work too: ${a#x}${a#x}... must not be free.
      if (!m_budget.charge(value->size())) return work_limit_error(m_budget);
    } else {
      m_unmatched.insert(name);
    }
    return value;
  }

  // A nested word inside ${...}; an error that ran into the end of the
  // input becomes `missing_delimiter`, as in the reference.
  base::Result<std::string> nested_word(const std::string& name, Rune stop,
                                        bool raw_escapes, const char* missing_delimiter) {
    if (m_depth >= m_limits.max_nesting) {
      return base::make_error(name + ": substitutions nested more than " +
                              std::to_string(m_limits.max_nesting) + " levels deep");
    }
    ++m_depth;
    auto word = process_until(stop, raw_escapes, nullptr);
    --m_depth;
    if (!word.ok() && peek() == k_eof) return base::make_error(missing_delimiter);
    return word;
  }

  base::Result<std::string> process_dollar() {
    next();  // the '$'
    if (peek() != '{') {
      const std::string name = process_name();
      if (name.empty()) return std::string("$");
      TRY_ASSIGN(auto value, get_env(name));
      if (!value && m_skip_unset) return "$" + name;
      return value ? std::move(*value) : std::string();
    }
    next();  // the '{'
    const Rune first = peek();
    if (first == k_eof) return base::make_error("syntax error: missing '}'");
    if (first == '{' || first == '}' || first == ':')
      return base::make_error("syntax error: bad substitution");
    const std::string name = process_name();
    Rune ch = next();
    std::string modifier = rune_text(ch);
    bool null_is_unset = false;
    switch (ch) {
      case '}': {
        TRY_ASSIGN(auto value, get_env(name));
        if (!value && m_skip_unset) return "${" + name + "}";
        return value ? std::move(*value) : std::string();
      }
      case ':':
        null_is_unset = true;
        ch = next();
        modifier += rune_text(ch);
        [[fallthrough]];
      case '+': case '-': case '?': case '#': case '%':
        return apply_modifier(name, ch, modifier, null_is_unset);
      case '/':
        return apply_replacement(name);
      default:
        return unsupported(modifier);
    }
  }

  static base::Error unsupported(const std::string& modifier) {
    return base::make_error("unsupported modifier (" + modifier + ") in substitution");
  }

  base::Result<std::string> apply_modifier(const std::string& name, Rune op,
                                           const std::string& modifier, bool null_is_unset) {
    // Patterns keep their escapes so that `\*` reaches the matcher.
    const bool is_pattern = op == '#' || op == '%';
    TRY_ASSIGN(std::string word, nested_word(name, '}', is_pattern, "syntax error: missing '}'"));
    TRY_ASSIGN(std::optional<std::string> value, get_env(name));
    const bool set = value.has_value();
    if (!set && m_skip_unset) return "${" + name + modifier + word + "}";
    const bool empty_or_unset = !set || (null_is_unset && value->empty());
    switch (op) {
      case '-':
        return empty_or_unset ? word : *value;
      case '+':
        return empty_or_unset ? std::string() : word;
      case '?':
        if (!set) {
          return base::make_error(name + ": " +
                                  (word.empty() ? "is not allowed to be unset" : word));
        }
        if (empty_or_unset) {
          return base::make_error(name + ": " +
                                  (word.empty() ? "is not allowed to be empty" : word));
        }
        return *value;
      case '#':
      case '%': {
        // A doubled operator (## or %%) asks for the longest match.
        std::string_view pattern = word;
        const bool longest = !pattern.empty() && pattern.front() == static_cast<char>(op);
        if (longest) pattern.remove_prefix(1);
        const std::string subject = value.value_or(std::string());
        return op == '%' ? trim_suffix(pattern, subject, longest, m_budget)
                         : trim_prefix(pattern, subject, longest, m_budget);
      }
      default:
        return unsupported(modifier);
    }
  }

  base::Result<std::string> apply_replacement(const std::string& name) {
    const bool all = peek() == '/';
    if (all) next();
    TRY_ASSIGN(std::string pattern,
               nested_word(name, '/', true, "syntax error: missing '/' in ${}"));
    TRY_ASSIGN(std::string replacement,
               nested_word(name, '}', true, "syntax error: missing '}'"));
    TRY_ASSIGN(auto looked_up, get_env(name));
    // The reference prints a single slash here even for `//`.
    if (!looked_up && m_skip_unset) return "${" + name + "/" + pattern + "/" + replacement + "}";
    const std::string value = looked_up ? std::move(*looked_up) : std::string();
    return replace(value, pattern, replacement, all, m_limits.max_result_bytes, m_budget);
  }

  std::vector<Rune> m_input;
  size_t m_pos = 0;
  Rune m_escape;
  bool m_raw_quotes;
  bool m_raw_escapes;
  bool m_skip_quotes;
  bool m_skip_unset;
  Limits m_limits;
  const EnvLookup& m_env;
  WorkBudget m_budget;
  size_t m_depth = 0;
  std::set<std::string> m_matched;
  std::set<std::string> m_unmatched;
};

}  // namespace

Lexer::Lexer(char escape_token) { m_settings.escape = escape_token; }

void Lexer::set_raw_quotes(bool keep) { m_settings.raw_quotes = keep; }

void Lexer::set_raw_escapes(bool keep) { m_settings.raw_escapes = keep; }

void Lexer::set_skip_process_quotes(bool skip) { m_settings.skip_process_quotes = skip; }

void Lexer::set_skip_unset_env(bool skip) { m_settings.skip_unset_env = skip; }

void Lexer::set_limits(const Limits& limits) { m_settings.limits = limits; }

base::Result<WordResult> Lexer::process_word(std::string_view word, const EnvLookup& env) const {
  Expansion expansion(word, m_settings, env);
  auto result = expansion.run();
  if (result.ok()) return result;
  // The reference names the whole word; very long words are cut short.
  std::string shown = word.size() > k_max_quoted_word
                          ? quote(word.substr(0, k_max_quoted_word)) + "..."
                          : quote(word);
  return base::make_error("failed to process " + shown + ": " + result.error().message);
}

base::Result<std::vector<std::string>> Lexer::process_words(std::string_view word,
                                                            const EnvLookup& env) const {
  TRY_ASSIGN(WordResult result, process_word(word, env));
  return std::move(result.words);
}

EnvLookup env_from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  auto values = std::make_shared<std::map<std::string, std::string, std::less<>>>();
  for (const auto& [name, value] : pairs) (*values)[name] = value;
  return [values](std::string_view name) -> std::optional<std::string> {
    auto it = values->find(name);
    if (it == values->end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace frontend::shell
