#include "journal/codec.h"

namespace journal {

void Writer::U64Long(uint64_t v) {
  char bytes[10];
  size_t n = 0;
  while (v >= 0x80) {
    bytes[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  bytes[n++] = static_cast<char>(v);
  out_.append(bytes, n);
}

void Writer::I64(int64_t v) { U64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }

void Writer::Str(std::string_view s) {
  U64(s.size());
  out_.append(s);
}

void Writer::Labels(const core::LabelSet& labels) {
  U64(labels.size());
  for (const auto& [n, v] : labels.labels()) {
    Str(n);
    Str(v);
  }
}

uint64_t Reader::U64() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= in_.size()) {
      ok_ = false;
      return 0;
    }
    auto b = static_cast<uint8_t>(in_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  ok_ = false;
  return 0;
}

int64_t Reader::I64() {
  uint64_t u = U64();
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

uint8_t Reader::U8() {
  if (pos_ >= in_.size()) {
    ok_ = false;
    return 0;
  }
  return static_cast<uint8_t>(in_[pos_++]);
}

std::string_view Reader::StrView() {
  uint64_t n = U64();
  if (!ok_ || n > in_.size() - pos_) {
    ok_ = false;
    return {};
  }
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

std::string Reader::Str() { return std::string(StrView()); }

core::LabelSet Reader::Labels() {
  core::LabelSet out;
  uint64_t n = U64();
  for (uint64_t i = 0; i < n && ok_; ++i) {
    std::string name = Str();
    std::string value = Str();
    out.Set(std::move(name), std::move(value));
  }
  return out;
}

core::Status Reader::Finish(std::string_view what) const {
  if (!ok_) return core::Corrupt("truncated " + std::string(what));
  if (!done()) return core::Corrupt("trailing bytes after " + std::string(what));
  return core::Ok();
}

}  // namespace journal
