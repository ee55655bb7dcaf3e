#include "frontend/parser/line_grammar.h"

#include <array>

#include "frontend/grammar/antlr_runtime.h"

#include "frontend/grammar/DockerfileLexer.h"
#include "frontend/grammar/DockerfileParser.h"
#include "frontend/parser/go_text.h"

namespace frontend::parser {

namespace {

using grammar::DockerfileLexer;
using grammar::DockerfileParser;

// Feeds ANTLR one code point per input byte. The stock stream decodes UTF-8
// and throws on invalid input; bytes keep token offsets equal to byte
// offsets and make every input lexable. The grammar only names ASCII, so
// every byte >= 0x80 is shown to the lexer as DEL (0x7F), which falls in
// exactly the same lexer sets: ANTLR caches DFA edges only for code points
// below 128 and would otherwise simulate its ATN afresh for each such byte.
class ByteStream : public antlr4::ANTLRInputStream {
 public:
  void load_bytes(std::string_view bytes) {
    _data.resize(bytes.size());
    for (size_t i = 0; i < bytes.size(); ++i) {
      auto b = static_cast<unsigned char>(bytes[i]);
      _data[i] = b < 0x80 ? static_cast<char32_t>(b) : char32_t{0x7F};
    }
    p = 0;
  }
};

// The stock lexer simulator looks up every input character's DFA edge in a
// hash map under a mutex, because the DFA is shared by all lexers of the
// grammar and grows while they run. An edge never changes once it exists, so
// each lexer keeps the edges it has already seen in a flat table of its own
// and reaches the shared DFA (and its lock) only for edges new to it. This
// was about a sixth of the frontend's instructions.
class EdgeCachingLexerSimulator : public antlr4::atn::LexerATNSimulator {
 public:
  EdgeCachingLexerSimulator(antlr4::Lexer* lexer, antlr4::atn::LexerATNSimulator& stock)
      : LexerATNSimulator(lexer, lexer->getATN(), stock._decisionToDFA, stock.getSharedContextCache()) {}

 protected:
  antlr4::dfa::DFAState* getExistingTargetState(antlr4::dfa::DFAState* state, size_t symbol) override {
    // State numbers are unique within one mode's DFA; the grammar has one.
    if (symbol > MAX_DFA_EDGE || state->stateNumber < 0 || _mode != antlr4::Lexer::DEFAULT_MODE)
      return LexerATNSimulator::getExistingTargetState(state, symbol);
    auto number = static_cast<size_t>(state->stateNumber);
    if (number >= m_edges.size()) m_edges.resize(number + 1);
    antlr4::dfa::DFAState*& edge = m_edges[number][symbol];
    if (edge == nullptr) edge = LexerATNSimulator::getExistingTargetState(state, symbol);
    return edge;
  }

 private:
  // m_edges[state number][symbol]; null = not looked up yet or no edge.
  std::vector<std::array<antlr4::dfa::DFAState*, MAX_DFA_EDGE + 1>> m_edges;
};

// Go's encoding/json refuses documents nested deeper than this.
constexpr size_t k_go_json_max_depth = 10000;
// The generated parser recurses three frames per nesting level; deeper
// arrays are checked by the iterative validator below instead.
constexpr size_t k_grammar_max_depth = 128;

// Deepest [ / { nesting outside strings.
size_t json_depth(std::string_view text) {
  size_t depth = 0, max_depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return max_depth;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char32_t read_hex4(std::string_view s, size_t pos) {
  char32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 4) | static_cast<char32_t>(hex_value(s[pos + i]));
  return v;
}

}  // namespace

std::string decode_json_string(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  size_t i = 0;
  while (i < body.size()) {
    char c = body[i];
    if (c != '\\') {
      Rune r = decode_rune(body, i);
      if (r.value == k_replacement_char && r.width == 1) append_utf8(out, k_replacement_char);
      else out.append(body.substr(i, r.width));
      i += r.width;
      continue;
    }
    char e = body[i + 1];  // the lexer guarantees a valid escape
    i += 2;
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        char32_t r = read_hex4(body, i);
        i += 4;
        if (r >= 0xD800 && r < 0xDC00 && i + 6 <= body.size() && body[i] == '\\' && body[i + 1] == 'u') {
          char32_t low = read_hex4(body, i + 2);
          if (low >= 0xDC00 && low < 0xE000) {
            r = 0x10000 + ((r - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, r);  // lone surrogates become U+FFFD
        break;
      }
      default: out += e; break;  // " \ /
    }
  }
  return out;
}

struct LineGrammar::Impl {
  ByteStream input;
  DockerfileLexer lexer{&input};
  antlr4::CommonTokenStream tokens{&lexer};
  DockerfileParser parser{&tokens};

  Impl() {
    // setInterpreter deletes the interpreter it replaces, and the generated
    // lexer deletes the one it holds when it dies.
    auto* stock = lexer.getInterpreter<antlr4::atn::LexerATNSimulator>();
    lexer.setInterpreter(new EdgeCachingLexerSimulator(&lexer, *stock));
    lexer.removeErrorListeners();
    parser.removeErrorListeners();
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    // Results are read from labelled tokens; no parse tree is needed.
    parser.setBuildParseTree(false);
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(
        antlr4::atn::PredictionMode::SLL);
  }

  void load(std::string_view text) {
    input.load_bytes(text);
    lexer.setInputStream(&input);
    tokens.setTokenSource(&lexer);
    parser.setTokenStream(&tokens);
  }

  // Checks a JSON array of any depth with an explicit stack, over the same
  // tokens the grammar uses. Records which top-level members are strings.
  ExecForm validate_iteratively(std::string_view text, std::vector<std::string>& out);
};

LineGrammar::LineGrammar() : m_impl(std::make_unique<Impl>()) {}
LineGrammar::~LineGrammar() = default;

LineGrammar::Split LineGrammar::split_instruction(std::string_view line) {
  Impl& g = *m_impl;
  g.load(line);
  try {
    DockerfileParser::InstructionHeadContext* ctx = g.parser.instructionHead();
    size_t kw_end = ctx->kw.back()->getStopIndex() + 1;
    if (ctx->sep.empty()) return {line.substr(0, kw_end), {}};
    return {line.substr(0, kw_end), line.substr(ctx->sep.back()->getStopIndex() + 1)};
  } catch (const antlr4::ParseCancellationException&) {
  } catch (const antlr4::RecognitionException&) {
  }
  // Unreachable for trimmed non-empty input; split by hand to stay total.
  size_t end = 0;
  while (end < line.size() && !is_blank(line[end])) ++end;
  size_t rest = end;
  while (rest < line.size() && is_blank(line[rest])) ++rest;
  return {line.substr(0, end), line.substr(rest)};
}

std::vector<std::string> LineGrammar::split_words(std::string_view text) {
  Impl& g = *m_impl;
  g.load(text);
  std::vector<std::string> words;
  try {
    DockerfileParser::WordListContext* ctx = g.parser.wordList();
    // Words are the text between runs of separator tokens; the text is
    // trimmed, so it starts and ends with a word.
    size_t begin = 0;
    for (antlr4::Token* sep : ctx->sep) {
      size_t at = sep->getStartIndex();
      if (at > begin) words.emplace_back(text.substr(begin, at - begin));
      begin = sep->getStopIndex() + 1;
    }
    if (begin < text.size()) words.emplace_back(text.substr(begin));
    return words;
  } catch (const antlr4::ParseCancellationException&) {
  } catch (const antlr4::RecognitionException&) {
  }
  words.clear();
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && !is_blank(text[i])) ++i;
    words.emplace_back(text.substr(start, i - start));
    while (i < text.size() && is_blank(text[i])) ++i;
  }
  return words;
}

LineGrammar::ExecForm LineGrammar::parse_exec_form(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  if (text.empty() || text.front() != '[') return ExecForm::not_json;
  size_t depth = json_depth(text);
  if (depth > k_go_json_max_depth) return ExecForm::not_json;
  Impl& g = *m_impl;
  if (depth > k_grammar_max_depth) return g.validate_iteratively(text, out);
  g.load(text);
  try {
    DockerfileParser::ExecFormContext* ctx = g.parser.execForm();
    if (!ctx->others.empty()) return ExecForm::non_string;
    out.reserve(ctx->strings.size());
    for (antlr4::Token* str : ctx->strings) {
      size_t begin = str->getStartIndex() + 1;
      out.push_back(decode_json_string(text.substr(begin, str->getStopIndex() - begin)));
    }
    return ExecForm::strings;
  } catch (const antlr4::ParseCancellationException&) {
  } catch (const antlr4::RecognitionException&) {
  }
  out.clear();
  return ExecForm::not_json;
}

LineGrammar::ExecForm LineGrammar::Impl::validate_iteratively(std::string_view text,
                                                              std::vector<std::string>& out) {
  load(text);
  tokens.fill();
  enum class Want { value_or_close, value, comma_or_close, key_or_close, key, colon };
  std::vector<bool> in_object;  // one entry per open [ or {
  Want want = Want::value;
  bool all_strings = true;
  bool done = false;
  for (antlr4::Token* t : tokens.getTokens()) {
    size_t type = t->getType();
    if (type == antlr4::Token::EOF) break;
    if (type == DockerfileLexer::JSON_BLANK) continue;
    if (done) return ExecForm::not_json;
    bool top_member = in_object.size() == 1 && (want == Want::value || want == Want::value_or_close);
    auto close_value = [&] {
      want = Want::comma_or_close;
      if (in_object.empty()) done = true;
    };
    switch (want) {
      case Want::value_or_close:
      case Want::value:
        if (want == Want::value_or_close && type == DockerfileLexer::RBRACKET) {
          in_object.pop_back();
          close_value();
          break;
        }
        if (top_member && type != DockerfileLexer::STRING) all_strings = false;
        if (type == DockerfileLexer::LBRACKET) {
          in_object.push_back(false);
          want = Want::value_or_close;
        } else if (type == DockerfileLexer::LBRACE) {
          in_object.push_back(true);
          want = Want::key_or_close;
        } else if (type == DockerfileLexer::STRING || type == DockerfileLexer::NUMBER ||
                   type == DockerfileLexer::JSON_TRUE || type == DockerfileLexer::JSON_FALSE ||
                   type == DockerfileLexer::JSON_NULL) {
          if (in_object.empty()) return ExecForm::not_json;  // top level must be an array
          if (top_member && type == DockerfileLexer::STRING) {
            size_t begin = t->getStartIndex() + 1;
            out.push_back(decode_json_string(text.substr(begin, t->getStopIndex() - begin)));
          }
          close_value();
        } else {
          return ExecForm::not_json;
        }
        break;
      case Want::comma_or_close:
        if (type == DockerfileLexer::COMMA) {
          want = in_object.back() ? Want::key : Want::value;
        } else if (type == (in_object.back() ? DockerfileLexer::RBRACE : DockerfileLexer::RBRACKET)) {
          in_object.pop_back();
          close_value();
        } else {
          return ExecForm::not_json;
        }
        break;
      case Want::key_or_close:
      case Want::key:
        if (want == Want::key_or_close && type == DockerfileLexer::RBRACE) {
          in_object.pop_back();
          close_value();
        } else if (type == DockerfileLexer::STRING) {
          want = Want::colon;
        } else {
          return ExecForm::not_json;
        }
        break;
      case Want::colon:
        if (type != DockerfileLexer::COLON) return ExecForm::not_json;
        want = Want::value;
        break;
    }
  }
  if (!done) return ExecForm::not_json;
  if (!all_strings) {
    out.clear();
    return ExecForm::non_string;
  }
  return ExecForm::strings;
}

}  // namespace frontend::parser
