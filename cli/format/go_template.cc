#include "cli/format/go_template.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>
#include <vector>

#include "base/utf8.h"

namespace cli::format {

using nlohmann::json;

// ---- the parsed form ----------------------------------------------------------

struct Pipeline;

struct Operand {
  enum class Kind { field, variable, literal, function, sub };
  Kind kind = Kind::literal;
  std::string name;                 // variable ("$" alone is the root) or function name
  std::vector<std::string> chain;   // .A.B after a variable, or of a field
  json literal;                     // strings, numbers, booleans
  std::shared_ptr<Pipeline> sub;    // ( pipeline )
  size_t offset = 0;
};

struct Command {
  std::vector<Operand> words;
};

struct Pipeline {
  std::vector<std::string> declared;  // $x := … or $k, $v := … (range)
  std::vector<Command> commands;
  size_t offset = 0;
};

struct GoTemplate::Node {
  enum class Kind { list, text, action, if_, range, with };
  Kind kind = Kind::list;
  std::string text;
  Pipeline pipeline;
  std::vector<Node> body;
  std::vector<Node> otherwise;  // {{else}} part
};

namespace {

using Node = GoTemplate::Node;

base::Error error_at(size_t offset, const std::string& message) {
  return base::make_error("template: at byte " + std::to_string(offset + 1) + ": " + message);
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// ---- parsing -------------------------------------------------------------------

class Parser {
 public:
  explicit Parser(std::string_view text) : m_text(text) {}

  base::Result<Node> parse() {
    Node root;
    TRY_ASSIGN(std::string end, parse_list(root.body, /*nested=*/false));
    (void)end;
    return root;
  }

 private:
  // Reads nodes until {{end}} or {{else…}} (nested) or the end of the text.
  // Returns the keyword that stopped it: "end", "else", "else if", or "".
  base::Result<std::string> parse_list(std::vector<Node>& out, bool nested) {
    for (;;) {
      size_t open = m_text.find("{{", m_pos);
      std::string_view text = m_text.substr(m_pos, open == std::string_view::npos ? std::string_view::npos : open - m_pos);
      const bool trim_left = open != std::string_view::npos && open + 3 < m_text.size() && m_text[open + 2] == '-' &&
                             is_space(m_text[open + 3]);
      if (trim_left) {
        while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
      }
      if (m_trim_next) {
        while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
        m_trim_next = false;
      }
      if (!text.empty()) out.push_back(Node{Node::Kind::text, std::string(text), {}, {}, {}});
      if (open == std::string_view::npos) {
        if (nested) return error_at(m_text.size(), "unexpected end of template: missing {{end}}");
        return std::string();
      }
      m_pos = open + 2 + (trim_left ? 2 : 0);
      skip_spaces();
      if (m_text.substr(m_pos, 2) == "/*") {
        size_t close = m_text.find("*/", m_pos + 2);
        if (close == std::string_view::npos) return error_at(m_pos, "unclosed comment");
        m_pos = close + 2;
        TRY(expect_close());
        continue;
      }
      const size_t action_at = m_pos;
      std::string keyword = peek_keyword();
      if (keyword == "end" || keyword == "else") {
        if (!nested) return error_at(action_at, "unexpected {{" + keyword + "}}");
        m_pos += keyword.size();
        skip_spaces();
        if (keyword == "else" && peek_keyword() == "if") {
          m_pos += 2;
          return std::string("else if");
        }
        TRY(expect_close());
        return keyword;
      }
      if (keyword == "if" || keyword == "range" || keyword == "with") {
        m_pos += keyword.size();
        Node node;
        node.kind = keyword == "if" ? Node::Kind::if_ : keyword == "range" ? Node::Kind::range : Node::Kind::with;
        TRY(parse_control(node, keyword));
        out.push_back(std::move(node));
        continue;
      }
      Node action;
      action.kind = Node::Kind::action;
      TRY_ASSIGN(action.pipeline, parse_pipeline(/*allow_declare=*/true, /*in_parens=*/false));
      if (action.pipeline.commands.empty()) return error_at(action_at, "missing value for command");
      TRY(expect_close());
      out.push_back(std::move(action));
    }
  }

  // After "if"/"range"/"with": pipeline }} body [{{else}} body | {{else if …}}] {{end}}
  base::Result<void> parse_control(Node& node, const std::string& keyword) {
    TRY(enter(m_pos));
    TRY_ASSIGN(node.pipeline, parse_pipeline(/*allow_declare=*/true, /*in_parens=*/false));
    if (node.pipeline.commands.empty()) return error_at(node.pipeline.offset, "missing value for " + keyword);
    TRY(expect_close());
    TRY_ASSIGN(std::string stop, parse_list(node.body, true));
    if (stop == "else if") {
      if (keyword != "if") return error_at(m_pos, "{{else if}} only follows {{if}}");
      Node chained;
      chained.kind = Node::Kind::if_;
      TRY(parse_control(chained, "if"));  // consumes the shared {{end}}
      node.otherwise.push_back(std::move(chained));
      --m_depth;
      return {};
    }
    if (stop == "else") {
      TRY_ASSIGN(stop, parse_list(node.otherwise, true));
      if (stop != "end") return error_at(m_pos, "expected {{end}} after {{else}}");
    }
    --m_depth;
    return {};
  }

  std::string peek_keyword() const {
    size_t end = m_pos;
    while (end < m_text.size() && is_name_char(m_text[end])) ++end;
    std::string word(m_text.substr(m_pos, end - m_pos));
    if (word == "if" || word == "range" || word == "with" || word == "end" || word == "else") return word;
    return {};
  }

  void skip_spaces() {
    while (m_pos < m_text.size() && is_space(m_text[m_pos])) ++m_pos;
  }

  bool at_close() const {
    return m_text.substr(m_pos, 2) == "}}" || (m_text.substr(m_pos, 3) == "-}}");
  }

  base::Result<void> expect_close() {
    skip_spaces();
    if (m_text.substr(m_pos, 3) == "-}}") {
      m_pos += 3;
      m_trim_next = true;
      return {};
    }
    if (m_text.substr(m_pos, 2) == "}}") {
      m_pos += 2;
      return {};
    }
    if (m_pos >= m_text.size()) return error_at(m_pos, "unclosed action: missing }}");
    return error_at(m_pos, "unexpected \"" + std::string(1, m_text[m_pos]) + "\" in action");
  }

  base::Result<Pipeline> parse_pipeline(bool allow_declare, bool in_parens) {
    Pipeline pipeline;
    skip_spaces();
    pipeline.offset = m_pos;
    if (allow_declare && m_pos < m_text.size() && m_text[m_pos] == '$') {
      // $x := …  or  $k, $v := …
      size_t save = m_pos;
      std::vector<std::string> names;
      for (;;) {
        if (m_pos >= m_text.size() || m_text[m_pos] != '$') break;
        size_t end = m_pos + 1;
        while (end < m_text.size() && is_name_char(m_text[end])) ++end;
        names.emplace_back(m_text.substr(m_pos, end - m_pos));
        m_pos = end;
        skip_spaces();
        if (m_pos < m_text.size() && m_text[m_pos] == ',') {
          ++m_pos;
          skip_spaces();
          continue;
        }
        break;
      }
      if (m_text.substr(m_pos, 2) == ":=" && names.size() <= 2) {
        m_pos += 2;
        pipeline.declared = std::move(names);
      } else {
        m_pos = save;
      }
    }
    for (;;) {
      Command command;
      for (;;) {
        skip_spaces();
        if (m_pos >= m_text.size()) return error_at(m_pos, "unclosed action: missing }}");
        const char c = m_text[m_pos];
        if (at_close() || c == '|' || (c == ')' && in_parens)) break;
        if (c == ')') return error_at(m_pos, "unexpected right parenthesis");
        TRY_ASSIGN(Operand operand, parse_operand());
        command.words.push_back(std::move(operand));
      }
      if (command.words.empty()) {
        if (m_pos < m_text.size() && m_text[m_pos] == '|') return error_at(m_pos, "missing command before |");
        if (!pipeline.commands.empty()) return error_at(m_pos, "missing command after |");
        if (!pipeline.declared.empty()) return error_at(m_pos, "missing value after :=");
        return pipeline;
      }
      pipeline.commands.push_back(std::move(command));
      if (m_text[m_pos] != '|') return pipeline;
      ++m_pos;
    }
  }

  base::Result<Operand> parse_operand() {
    Operand operand;
    operand.offset = m_pos;
    const char c = m_text[m_pos];
    if (c == '.') {
      operand.kind = Operand::Kind::field;
      TRY_ASSIGN(operand.chain, parse_chain());
      return operand;
    }
    if (c == '$') {
      size_t end = m_pos + 1;
      while (end < m_text.size() && is_name_char(m_text[end])) ++end;
      operand.kind = Operand::Kind::variable;
      operand.name = std::string(m_text.substr(m_pos, end - m_pos));
      m_pos = end;
      if (m_pos < m_text.size() && m_text[m_pos] == '.') {
        TRY_ASSIGN(operand.chain, parse_chain());
      }
      return operand;
    }
    if (c == '"' || c == '`') {
      operand.kind = Operand::Kind::literal;
      TRY_ASSIGN(std::string value, parse_string());
      operand.literal = value;
      return operand;
    }
    if (c == '(') {
      TRY(enter(m_pos));
      ++m_pos;
      operand.kind = Operand::Kind::sub;
      TRY_ASSIGN(Pipeline inner, parse_pipeline(false, true));
      --m_depth;
      if (m_pos >= m_text.size() || m_text[m_pos] != ')') return error_at(m_pos, "unclosed left parenthesis");
      ++m_pos;
      if (inner.commands.empty()) return error_at(operand.offset, "empty parenthesized pipeline");
      operand.sub = std::make_shared<Pipeline>(std::move(inner));
      if (m_pos < m_text.size() && m_text[m_pos] == '.') {
        TRY_ASSIGN(operand.chain, parse_chain());
      }
      return operand;
    }
    if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t end = m_pos + 1;
      while (end < m_text.size() && (std::isalnum(static_cast<unsigned char>(m_text[end])) || m_text[end] == '.'))
        ++end;
      std::string number(m_text.substr(m_pos, end - m_pos));
      char* stop = nullptr;
      long long value = std::strtoll(number.c_str(), &stop, 0);
      if (stop == nullptr || *stop != '\0') return error_at(m_pos, "bad number syntax: " + number);
      operand.kind = Operand::Kind::literal;
      operand.literal = value;
      m_pos = end;
      return operand;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t end = m_pos;
      while (end < m_text.size() && is_name_char(m_text[end])) ++end;
      std::string word(m_text.substr(m_pos, end - m_pos));
      m_pos = end;
      if (word == "true" || word == "false") {
        operand.kind = Operand::Kind::literal;
        operand.literal = word == "true";
        return operand;
      }
      if (word == "nil") {
        operand.kind = Operand::Kind::literal;
        operand.literal = nullptr;
        return operand;
      }
      operand.kind = Operand::Kind::function;
      operand.name = word;
      return operand;
    }
    return error_at(m_pos, "unexpected \"" + std::string(1, c) + "\" in operand");
  }

  base::Result<std::vector<std::string>> parse_chain() {
    std::vector<std::string> chain;
    while (m_pos < m_text.size() && m_text[m_pos] == '.') {
      size_t end = m_pos + 1;
      while (end < m_text.size() && is_name_char(m_text[end])) ++end;
      if (end == m_pos + 1) {
        // "." alone is the dot; ".." or ". " after a name is not a field.
        if (!chain.empty()) return error_at(m_pos, "bad field name after \".\"");
        ++m_pos;
        return chain;
      }
      chain.emplace_back(m_text.substr(m_pos + 1, end - m_pos - 1));
      m_pos = end;
    }
    return chain;
  }

  base::Result<std::string> parse_string() {
    const char quote = m_text[m_pos];
    const size_t start = m_pos++;
    std::string out;
    while (m_pos < m_text.size() && m_text[m_pos] != quote) {
      char c = m_text[m_pos++];
      if (quote == '"' && c == '\\' && m_pos < m_text.size()) {
        char e = m_text[m_pos++];
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case '\\': out += '\\'; break;
          case '"': out += '"'; break;
          default: return error_at(m_pos - 2, std::string("unknown escape sequence \\") + e);
        }
        continue;
      }
      if (quote == '"' && c == '\n') return error_at(start, "unterminated quoted string");
      out += c;
    }
    if (m_pos >= m_text.size()) return error_at(start, "unterminated quoted string");
    ++m_pos;
    return out;
  }

  // Nesting ((…), if/range/with) is bounded so that a hostile template
  // cannot exhaust the stack here or when it runs.
  base::Result<void> enter(size_t offset) {
    if (++m_depth > k_max_depth) return error_at(offset, "max expression depth exceeded");
    return {};
  }
  static constexpr int k_max_depth = 200;

  std::string_view m_text;
  size_t m_pos = 0;
  bool m_trim_next = false;
  int m_depth = 0;
};

// ---- evaluation ----------------------------------------------------------------

bool truthy(const json& v) {
  if (v.is_null() || v.is_discarded()) return false;
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return v.get<int64_t>() != 0;
  if (v.is_number_unsigned()) return v.get<uint64_t>() != 0;
  if (v.is_number_float()) return v.get<double>() != 0.0;
  if (v.is_string()) return !v.get_ref<const std::string&>().empty();
  return !v.empty();  // arrays and objects
}

// A missing key: printed as <no value>, false in conditions.
const json& no_value() {
  static const json k_missing = json::value_t::discarded;
  return k_missing;
}

// fmt.Sprintf for the verbs templates use: %s %v %d %q %x %%, with the
// flags - + 0 space, a width and a precision. Other verbs and mismatched
// arguments print Go's %!verb(…) markers rather than failing.
std::string go_printf(const std::string& pattern, const std::vector<json>& args) {
  std::string out;
  size_t next = 1;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      out += pattern[i];
      continue;
    }
    bool left = false, zero = false, plus = false, space = false;
    size_t j = i + 1;
    for (; j < pattern.size() && std::strchr("-+0 #", pattern[j]) != nullptr; ++j) {
      left = left || pattern[j] == '-';
      zero = zero || pattern[j] == '0';
      plus = plus || pattern[j] == '+';
      space = space || pattern[j] == ' ';
    }
    int width = 0, precision = -1;
    for (; j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j])); ++j)
      width = std::min(width * 10 + (pattern[j] - '0'), 4096);
    if (j < pattern.size() && pattern[j] == '.') {
      precision = 0;
      for (++j; j < pattern.size() && std::isdigit(static_cast<unsigned char>(pattern[j])); ++j)
        precision = std::min(precision * 10 + (pattern[j] - '0'), 4096);
    }
    if (j >= pattern.size()) {
      out += "%!(NOVERB)";
      break;
    }
    const char verb = pattern[j];
    i = j;
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (next >= args.size()) {
      out += std::string("%!") + verb + "(MISSING)";
      continue;
    }
    const json& arg = args[next++];
    std::string text;
    if (verb == 'd' || (verb == 'x' && arg.is_number_integer())) {
      if (!arg.is_number_integer()) {
        out += std::string("%!") + verb + "(" + format_value(arg) + ")";
        continue;
      }
      const long long n = arg.get<long long>();
      char buf[64];
      std::snprintf(buf, sizeof buf, verb == 'd' ? "%lld" : "%llx", n < 0 && verb == 'x' ? -n : n);
      text = buf;
      if (verb == 'x' && n < 0) text = "-" + text;
      if (n >= 0 && plus) text = "+" + text;
      else if (n >= 0 && space) text = " " + text;
      if (precision >= 0) {
        const size_t sign = (text[0] == '-' || text[0] == '+' || text[0] == ' ') ? 1 : 0;
        while (text.size() - sign < static_cast<size_t>(precision)) text.insert(sign, "0");
      }
      if (zero && !left && precision < 0) {
        const size_t sign = (text[0] == '-' || text[0] == '+' || text[0] == ' ') ? 1 : 0;
        while (text.size() < static_cast<size_t>(width)) text.insert(sign, "0");
      }
    } else if (verb == 's' || verb == 'v' || verb == 'q' || verb == 'x') {
      text = arg.is_string() ? arg.get<std::string>() : format_value(arg);
      if (precision >= 0 && verb != 'q' && text.size() > static_cast<size_t>(precision))
        text.resize(static_cast<size_t>(precision));
      if (verb == 'q') text = base::go_quote(text);
      if (verb == 'x') {
        std::string hex;
        char buf[4];
        for (char c : text) {
          std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          hex += buf;
        }
        text = hex;
      }
    } else {
      out += std::string("%!") + verb + "(" + format_value(arg) + ")";
      continue;
    }
    if (text.size() < static_cast<size_t>(width)) {
      const std::string pad(static_cast<size_t>(width) - text.size(), ' ');
      text = left ? text + pad : pad + text;
    }
    out += text;
  }
  if (next < args.size()) {
    out += "%!(EXTRA ";
    for (size_t k = next; k < args.size(); ++k) out += (k > next ? ", " : "") + format_value(args[k]);
    out += ")";
  }
  return out;
}

class Executor {
 public:
  explicit Executor(const json& root) : m_root(root) {}

  base::Result<void> run(const std::vector<Node>& nodes, const json& dot) {
    for (const Node& node : nodes) TRY(run(node, dot));
    return {};
  }

  std::string take() { return std::move(m_out); }

 private:
  base::Result<void> run(const Node& node, const json& dot) {
    switch (node.kind) {
      case Node::Kind::list:
        return run(node.body, dot);
      case Node::Kind::text:
        m_out += node.text;
        return {};
      case Node::Kind::action: {
        TRY_ASSIGN(json value, eval_pipeline(node.pipeline, dot));
        if (node.pipeline.declared.empty()) m_out += format_value(value);
        return {};
      }
      case Node::Kind::if_:
      case Node::Kind::with: {
        const size_t scope = m_vars.size();
        TRY_ASSIGN(json value, eval_pipeline(node.pipeline, dot));
        base::Result<void> done = truthy(value) ? run(node.body, node.kind == Node::Kind::with ? value : dot)
                                                : run(node.otherwise, dot);
        m_vars.resize(scope);
        return done;
      }
      case Node::Kind::range:
        return run_range(node, dot);
    }
    return {};
  }

  base::Result<void> run_range(const Node& node, const json& dot) {
    Pipeline header = node.pipeline;
    std::vector<std::string> names = std::move(header.declared);
    header.declared.clear();
    TRY_ASSIGN(json value, eval_pipeline(header, dot));
    if (!value.is_discarded() && !value.is_null() && !value.is_array() && !value.is_object())
      return error_at(node.pipeline.offset, "range can't iterate over " + format_value(value));
    const size_t scope = m_vars.size();
    if (!truthy(value)) {
      base::Result<void> done = run(node.otherwise, dot);
      m_vars.resize(scope);
      return done;
    }
    auto iterate = [&](const json& key, const json& element) -> base::Result<void> {
      m_vars.resize(scope);
      if (names.size() == 1) m_vars.emplace_back(names[0], element);
      if (names.size() == 2) {
        m_vars.emplace_back(names[0], key);
        m_vars.emplace_back(names[1], element);
      }
      return run(node.body, element);
    };
    if (value.is_array()) {
      for (size_t i = 0; i < value.size(); ++i) TRY(iterate(json(i), value[i]));
    } else {
      for (const auto& [key, element] : value.items()) TRY(iterate(json(key), element));
    }
    m_vars.resize(scope);
    return {};
  }

  base::Result<json> eval_pipeline(const Pipeline& pipeline, const json& dot) {
    std::optional<json> piped;
    for (const Command& command : pipeline.commands) {
      TRY_ASSIGN(json value, eval_command(command, dot, piped));
      piped = std::move(value);
    }
    json result = piped ? std::move(*piped) : json();
    if (pipeline.declared.size() == 1) m_vars.emplace_back(pipeline.declared[0], result);
    else if (pipeline.declared.size() == 2)
      return error_at(pipeline.offset, "two variables may be declared only in range");
    return result;
  }

  base::Result<json> eval_command(const Command& command, const json& dot, const std::optional<json>& piped) {
    const Operand& head = command.words.front();
    if (head.kind != Operand::Kind::function) {
      if (command.words.size() > 1 || piped)
        return error_at(head.offset, "can't give argument to non-function " + describe(head));
      return eval_operand(head, dot);
    }
    if ((head.name == "and" || head.name == "or") && command.words.size() > 1) {
      // Evaluated left to right, stopping at the first argument that decides.
      json value;
      const bool stop_when = head.name == "or";
      for (size_t i = 1; i < command.words.size(); ++i) {
        TRY_ASSIGN(value, eval_operand(command.words[i], dot));
        if (truthy(value) == stop_when) return value;
      }
      if (piped) return *piped;
      return value;
    }
    std::vector<json> args;
    for (size_t i = 1; i < command.words.size(); ++i) {
      TRY_ASSIGN(json arg, eval_operand(command.words[i], dot));
      args.push_back(std::move(arg));
    }
    if (piped) args.push_back(*piped);
    return call(head, args);
  }

  static std::string describe(const Operand& operand) {
    std::string text = operand.kind == Operand::Kind::variable ? operand.name : "";
    for (const std::string& name : operand.chain) text += "." + name;
    return text.empty() ? "." : text;
  }

  base::Result<json> eval_operand(const Operand& operand, const json& dot) {
    switch (operand.kind) {
      case Operand::Kind::literal:
        return operand.literal;
      case Operand::Kind::field:
        return walk(dot, operand);
      case Operand::Kind::variable: {
        if (operand.name == "$") return walk(m_root, operand);
        for (auto it = m_vars.rbegin(); it != m_vars.rend(); ++it)
          if (it->first == operand.name) return walk(it->second, operand);
        return error_at(operand.offset, "undefined variable: " + operand.name);
      }
      case Operand::Kind::sub: {
        TRY_ASSIGN(json value, eval_pipeline(*operand.sub, dot));
        return walk(value, operand);
      }
      case Operand::Kind::function:
        return call(operand, {});
    }
    return json();
  }

  static base::Result<json> walk(const json& start, const Operand& operand) {
    const json* at = &start;
    for (const std::string& name : operand.chain) {
      if (at->is_discarded() || at->is_null()) return no_value();
      if (!at->is_object())
        return error_at(operand.offset, "can't evaluate field " + name + " in " + format_value(*at));
      auto it = at->find(name);
      if (it == at->end()) return no_value();
      at = &*it;
    }
    return *at;
  }

  static std::string as_text(const json& v) { return v.is_string() ? v.get<std::string>() : format_value(v); }

  base::Result<json> call(const Operand& fn, const std::vector<json>& args) {
    const std::string& name = fn.name;
    auto want = [&](size_t count) -> base::Result<void> {
      if (args.size() != count)
        return error_at(fn.offset, "wrong number of args for " + name + ": want " + std::to_string(count) + " got " +
                                       std::to_string(args.size()));
      return {};
    };
    if (name == "json") {
      TRY(want(1));
      // Invalid UTF-8 becomes U+FFFD, as Go's encoder writes it.
      return json(args[0].is_discarded() ? std::string("null")
                                          : args[0].dump(-1, ' ', false, json::error_handler_t::replace));
    }
    if (name == "upper" || name == "lower" || name == "title") {
      TRY(want(1));
      std::string s = as_text(args[0]);
      bool start = true;
      for (char& c : s) {
        auto u = static_cast<unsigned char>(c);
        if (name == "upper") c = static_cast<char>(std::toupper(u));
        else if (name == "lower") c = static_cast<char>(std::tolower(u));
        else if (start && std::isalpha(u)) c = static_cast<char>(std::toupper(u));
        start = !std::isalnum(u) && u != '_';  // Go: ASCII letters, digits and _ are no separators
      }
      return json(s);
    }
    if (name == "len") {
      TRY(want(1));
      const json& v = args[0];
      if (v.is_string()) return json(v.get_ref<const std::string&>().size());
      if (v.is_array() || v.is_object()) return json(v.size());
      if (v.is_null()) return json(0);
      return error_at(fn.offset, "len of " + format_value(v));
    }
    if (name == "index") {
      if (args.empty()) return error_at(fn.offset, "wrong number of args for index: want at least 1 got 0");
      json value = args[0];
      for (size_t i = 1; i < args.size(); ++i) {
        const json& key = args[i];
        if (value.is_array() && key.is_number_integer()) {
          auto n = key.get<int64_t>();
          if (n < 0 || static_cast<size_t>(n) >= value.size())
            return error_at(fn.offset, "index out of range: " + std::to_string(n));
          value = json(value[static_cast<size_t>(n)]);
        } else if (value.is_object() && key.is_string()) {
          // docker's maps here (labels, env-like tables) hold strings: a
          // missing key is the empty string, as Go's zero value.
          auto it = value.find(key.get<std::string>());
          const bool string_map = std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); });
          value = it != value.end() ? json(*it) : string_map ? json("") : no_value();
        } else if (value.is_null() || value.is_discarded()) {
          value = json("");  // a nil map (docker leaves Labels out when empty)
        } else {
          return error_at(fn.offset, "can't index " + format_value(value) + " with " + format_value(key));
        }
      }
      return value;
    }
    if (name == "join") {
      TRY(want(2));
      if (!args[0].is_array() && !args[0].is_null()) return error_at(fn.offset, "join of a non-list");
      std::string out;
      bool first = true;
      if (args[0].is_array()) {
        for (const json& e : args[0]) {
          if (!first) out += as_text(args[1]);
          out += as_text(e);
          first = false;
        }
      }
      return json(out);
    }
    if (name == "split") {
      TRY(want(2));
      std::string s = as_text(args[0]), sep = as_text(args[1]);
      json out = json::array();
      if (sep.empty()) {
        for (char c : s) out.push_back(std::string(1, c));
        return out;
      }
      size_t from = 0;
      for (size_t at; (at = s.find(sep, from)) != std::string::npos; from = at + sep.size())
        out.push_back(s.substr(from, at - from));
      out.push_back(s.substr(from));
      return out;
    }
    if (name == "truncate") {
      TRY(want(2));
      if (!args[1].is_number_integer()) return error_at(fn.offset, "truncate wants a length");
      std::string s = as_text(args[0]);
      auto n = args[1].get<int64_t>();
      if (n >= 0 && static_cast<size_t>(n) < s.size()) s.resize(static_cast<size_t>(n));
      return json(s);
    }
    if (name == "print" || name == "println") {
      std::string out;
      for (size_t i = 0; i < args.size(); ++i) {
        // fmt.Sprint adds a space between operands when neither is a string;
        // Sprintln always does.
        if (i > 0 && (name == "println" || (!args[i - 1].is_string() && !args[i].is_string()))) out += ' ';
        out += as_text(args[i]);
      }
      if (name == "println") out += '\n';
      return json(out);
    }
    if (name == "printf") {
      if (args.empty() || !args[0].is_string()) return error_at(fn.offset, "printf wants a format string");
      return json(go_printf(args[0].get<std::string>(), args));
    }
    if (name == "not") {
      TRY(want(1));
      return json(!truthy(args[0]));
    }
    if (name == "and" || name == "or") {
      if (args.empty()) return error_at(fn.offset, "wrong number of args for " + name);
      for (const json& a : args)
        if (truthy(a) == (name == "or")) return a;
      return args.back();
    }
    if (name == "eq" || name == "ne") {
      if (args.size() < 2) return error_at(fn.offset, "wrong number of args for " + name);
      bool equal = false;
      for (size_t i = 1; i < args.size(); ++i) equal = equal || args[0] == args[i];
      return json(name == "eq" ? equal : !equal);
    }
    return error_at(fn.offset, "function \"" + name + "\" not defined");
  }

  const json& m_root;
  std::vector<std::pair<std::string, json>> m_vars;
  std::string m_out;
};

}  // namespace

std::string format_value(const json& value) {
  switch (value.type()) {
    case json::value_t::discarded:
      return "<no value>";
    case json::value_t::null:
      return "<nil>";
    case json::value_t::string:
      return value.get<std::string>();
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < value.size(); ++i) out += (i ? " " : "") + format_value(value[i]);
      return out + "]";
    }
    case json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [key, element] : value.items()) {
        out += (first ? "" : " ") + key + ":" + format_value(element);
        first = false;
      }
      return out + "]";
    }
    default:
      return value.dump();  // numbers
  }
}

base::Result<GoTemplate> GoTemplate::parse(std::string_view text) {
  Parser parser(text);
  TRY_ASSIGN(Node root, parser.parse());
  GoTemplate parsed;
  parsed.m_root = std::make_shared<const Node>(std::move(root));
  return parsed;
}

base::Result<std::string> GoTemplate::execute(const json& data) const {
  Executor executor(data);
  TRY(executor.run(m_root->body, data));
  return executor.take();
}

}  // namespace cli::format
