// Expected failures as values: Error{code, message, field} and Result<T>, the return type of every fallible call.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace core {

// Codes callers branch on. The HTTP edge maps each to one status (see http/problem.h).
enum class ErrorCode {
  kInvalid,      // bad input; `field` names the culprit when there is one
  kNotFound,
  kConflict,     // invalid state transition, duplicate, precondition failed
  kDenied,       // authenticated but not allowed
  kUnauthenticated,
  kUnavailable,  // store busy, shutting down
  kOverloaded,   // queue full: retry later
  kCorrupt,      // journal chain or encoding broken
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // JSON pointer or config key at fault, empty when none

  // Returns a copy whose message is prefixed with `context: `.
  Error WithContext(const std::string& context) const {
    return Error{code, context + ": " + message, field};
  }
};

const char* ToString(ErrorCode code);

inline Error Invalid(std::string message, std::string field = {}) {
  return Error{ErrorCode::kInvalid, std::move(message), std::move(field)};
}
inline Error NotFound(std::string message) { return Error{ErrorCode::kNotFound, std::move(message), {}}; }
inline Error Conflict(std::string message) { return Error{ErrorCode::kConflict, std::move(message), {}}; }
inline Error Internal(std::string message) { return Error{ErrorCode::kInternal, std::move(message), {}}; }
inline Error Corrupt(std::string message) { return Error{ErrorCode::kCorrupt, std::move(message), {}}; }
inline Error Unavailable(std::string message) { return Error{ErrorCode::kUnavailable, std::move(message), {}}; }

// Aborts with a message: for bugs only, never for anything user input can reach.
[[noreturn]] inline void CheckFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "CHECK failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}
#define INCIDENTD_CHECK(cond) \
  do {                        \
    if (!(cond)) ::core::CheckFailed(#cond, __FILE__, __LINE__); \
  } while (0)

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { INCIDENTD_CHECK(ok()); return std::get<0>(v_); }
  const T& value() const& { INCIDENTD_CHECK(ok()); return std::get<0>(v_); }
  T&& value() && { INCIDENTD_CHECK(ok()); return std::get<0>(std::move(v_)); }
  const Error& error() const { INCIDENTD_CHECK(!ok()); return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : e_(std::move(error)) {}  // NOLINT

  bool ok() const { return !e_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { INCIDENTD_CHECK(!ok()); return *e_; }

 private:
  std::optional<Error> e_;
};

using Status = Result<void>;
inline Status Ok() { return Status(); }

}  // namespace core
