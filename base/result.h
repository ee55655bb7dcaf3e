#pragma once
// Result<T>: the value of an operation that can fail recoverably, or the Error
// saying why. Errors carry a message and, for input-text problems, the place in
// the source. Propagate with TRY / TRY_ASSIGN and add context on the way up.

#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace base {

// A place in a text input (Dockerfile, ignore file, flag value). Lines and
// columns are 1-based; column 0 means "the whole line".
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
  std::string line_text;  // the offending physical line, quoted in messages
};

struct Error {
  std::string message;
  std::optional<SourcePos> pos;
  std::string hint;  // a likely fix ("did you mean COPY?"), or empty

  // "file:line:col: message" plus the quoted line and hint when present.
  std::string render() const;
};

Error make_error(std::string message);
Error make_error_at(SourcePos pos, std::string message, std::string hint = {});

template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : m_v(std::in_place_index<0>, value) {}
  Result(T&& value) : m_v(std::in_place_index<0>, std::move(value)) {}
  template <class U, class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, Error> &&
                                              !std::is_same_v<std::decay_t<U>, Result>>>
  Result(U&& value) : m_v(std::in_place_index<0>, T(std::forward<U>(value))) {}
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return m_v.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(m_v); }
  Error&& error() && { return std::get<1>(std::move(m_v)); }

 private:
  std::variant<T, Error> m_v;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)) {}
  bool ok() const { return !m_error.has_value(); }
  explicit operator bool() const { return ok(); }
  void value() const {}
  const Error& error() const& { return *m_error; }
  Error&& error() && { return std::move(*m_error); }

 private:
  std::optional<Error> m_error;
};

// Prefixes the error message with what the caller was doing:
// "committing layer for snapshot x: <cause>".
template <class T>
Result<T> with_context(Result<T> r, const std::string& context) {
  if (r.ok()) return r;
  Error e = std::move(r).error();
  e.message = context + ": " + e.message;
  return e;
}

}  // namespace base

#define KILN_CONCAT_INNER(a, b) a##b
#define KILN_CONCAT(a, b) KILN_CONCAT_INNER(a, b)

// TRY(expr): return the error of a Result-returning expression, else go on.
#define TRY(expr)                                            \
  do {                                                       \
    auto&& kiln_try_result_ = (expr);                        \
    if (!kiln_try_result_.ok())                              \
      return std::move(kiln_try_result_).error();            \
  } while (0)

// TRY_ASSIGN(auto x, expr): declare x from a Result's value or return its error.
#define TRY_ASSIGN(decl, expr) TRY_ASSIGN_IMPL(KILN_CONCAT(kiln_try_, __LINE__), decl, expr)
#define TRY_ASSIGN_IMPL(tmp, decl, expr)   \
  auto&& tmp = (expr);                     \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
