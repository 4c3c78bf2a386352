#include "journal/record.h"

#include <openssl/evp.h>

#include <memory>

#include "core/result.h"
#include "journal/codec.h"

namespace journal {
namespace {

constexpr uint8_t kFormat = 1;

// SHA-256 fetched once: EVP_sha256() makes OpenSSL 3 look the algorithm up again on every digest (a lock and a
// table lookup), and EVP_Digest allocates a context each time; together they were most of a short input's cost
// (656 ns against 272 ns for 300 bytes here).
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct ContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

}  // namespace

std::string Encode(const Record& r) {
  Writer w(r.actor.size() + r.payload.size() + r.prev.size() + 48);  // + the varints
  w.U8(kFormat);
  w.U64(r.seq);
  w.Time(r.time);
  w.Str(r.actor);
  w.U64(r.type);
  w.U64(r.version);
  w.Str(r.payload);
  w.Raw(std::string_view(reinterpret_cast<const char*>(r.prev.data()), r.prev.size()));
  return w.Take();
}

core::Result<Record> Decode(std::string_view bytes) {
  Reader rd(bytes);
  Record r;
  uint8_t format = rd.U8();
  if (rd.ok() && format != kFormat) return core::Corrupt("unknown record format " + std::to_string(format));
  r.seq = rd.U64();
  r.time = rd.Time();
  r.actor = rd.Str();
  uint64_t type = rd.U64();
  uint64_t version = rd.U64();
  r.payload = rd.Str();
  if (type > 0xffff || version > 0xffff) return core::Corrupt("record type or version out of range");
  r.type = static_cast<uint16_t>(type);
  r.version = static_cast<uint16_t>(version);
  for (auto& b : r.prev) b = rd.U8();
  if (auto st = rd.Finish("record"); !st.ok()) return st.error();
  return r;
}

Hash Sha256(std::string_view bytes) {
  thread_local const std::unique_ptr<EVP_MD_CTX, ContextFree> ctx(EVP_MD_CTX_new());
  Hash h{};
  unsigned int len = 0;
  // These fail only when OpenSSL cannot allocate or has no SHA-256: a broken process, not bad input.
  INCIDENTD_CHECK(ctx != nullptr && Sha256Algorithm() != nullptr);
  INCIDENTD_CHECK(EVP_DigestInit_ex2(ctx.get(), Sha256Algorithm(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx.get(), h.data(), &len) == 1 && len == h.size());
  return h;
}

std::string HashHex(const Hash& h) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : h) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Chain::Link(Record& record) {
  record.seq = last_seq_ + 1;
  record.prev = last_hash_;
  std::string bytes = Encode(record);
  record.hash = Sha256(bytes);
  last_seq_ = record.seq;
  last_hash_ = record.hash;
  return bytes;
}

core::Result<Record> Verifier::Next(std::string_view bytes, const Hash& stored_hash) {
  uint64_t expected = last_seq_ + 1;
  auto decoded = Decode(bytes);
  if (!decoded.ok()) return decoded.error().WithContext("record " + std::to_string(expected));
  Record r = std::move(decoded).value();
  if (r.seq != expected) {
    return core::Corrupt("record " + std::to_string(expected) + ": sequence is " + std::to_string(r.seq) +
                         " (gap or reordering)");
  }
  if (r.prev != last_hash_) {
    return core::Corrupt("record " + std::to_string(r.seq) + ": previous-hash link broken (expected " +
                         HashHex(last_hash_) + ", found " + HashHex(r.prev) + ")");
  }
  r.hash = Sha256(bytes);
  if (r.hash != stored_hash) {
    return core::Corrupt("record " + std::to_string(r.seq) + ": content does not match its hash (stored " +
                         HashHex(stored_hash) + ", computed " + HashHex(r.hash) + ")");
  }
  last_seq_ = r.seq;
  last_hash_ = r.hash;
  ++count_;
  return r;
}

}  // namespace journal
