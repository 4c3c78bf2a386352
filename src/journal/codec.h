// A compact binary encoding (LEB128 varints, length-prefixed strings) for record payloads and snapshots.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/labels.h"
#include "core/result.h"
#include "core/time.h"

namespace journal {

// Appends encoded values to a byte string it owns.
class Writer {
 public:
  Writer() = default;
  // Starts with room for `reserve` bytes: a record's encoder knows roughly how much it writes, and growing a string
  // from empty copies it at every doubling.
  explicit Writer(size_t reserve) { out_.reserve(reserve); }

  // Varint: seven bits a byte, low first. Most values are below 128 and take the inline path.
  void U64(uint64_t v) {
    if (v < 0x80) {
      out_.push_back(static_cast<char>(v));
    } else {
      U64Long(v);
    }
  }
  void I64(int64_t v);  // zig-zag
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Bool(bool v) { U8(v ? 1 : 0); }
  void Str(std::string_view s);
  void Time(core::Timestamp t) { I64(core::ToUnixMillis(t)); }
  void Labels(const core::LabelSet& labels);
  void Raw(std::string_view bytes) { out_.append(bytes); }

  const std::string& bytes() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void U64Long(uint64_t v);

  std::string out_;
};

// Reads values in the order they were written. After the first failure every read returns a zero value and ok()
// is false, so a decoder can read a whole struct and check once.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}

  uint64_t U64();
  int64_t I64();
  uint8_t U8();
  bool Bool() { return U8() != 0; }
  std::string Str();
  std::string_view StrView();
  core::Timestamp Time() { return core::FromUnixMillis(I64()); }
  core::LabelSet Labels();

  bool ok() const { return ok_; }
  bool done() const { return pos_ == in_.size(); }
  // kCorrupt naming `what` unless every read succeeded and the input was consumed.
  core::Status Finish(std::string_view what) const;

 private:
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace journal
