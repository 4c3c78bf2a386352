#include "core/labels.h"

#include <algorithm>

namespace core {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

uint64_t HashAdd(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= kFnvPrime;
  }
  return h;
}

uint64_t HashAddByte(uint64_t h, unsigned char c) {
  h ^= c;
  h *= kFnvPrime;
  return h;
}

}  // namespace

LabelSet::LabelSet(std::initializer_list<Label> labels) {
  for (const auto& l : labels) Set(l.first, l.second);
}

LabelSet LabelSet::FromUnsorted(std::vector<Label> labels) {
  auto by_name = [](const Label& a, const Label& b) { return a.first < b.first; };
  auto not_strictly_ascending = [](const Label& a, const Label& b) { return !(a.first < b.first); };
  if (std::adjacent_find(labels.begin(), labels.end(), not_strictly_ascending) != labels.end()) {
    // Stable, so that within a run of equal names the input order survives and the last pair can win. A label
    // set is usually a handful of pairs: an insertion sort orders those without the buffer stable_sort allocates.
    constexpr size_t kInsertionSortUpTo = 16;
    if (labels.size() <= kInsertionSortUpTo) {
      for (size_t i = 1; i < labels.size(); ++i) {
        for (size_t j = i; j > 0 && by_name(labels[j], labels[j - 1]); --j) std::swap(labels[j], labels[j - 1]);
      }
    } else {
      std::stable_sort(labels.begin(), labels.end(), by_name);
    }
    auto out = labels.begin();
    for (auto it = labels.begin(); it != labels.end();) {
      auto last = it;
      while (last + 1 != labels.end() && (last + 1)->first == it->first) ++last;
      if (out != last) *out = std::move(*last);
      ++out;
      it = last + 1;
    }
    labels.erase(out, labels.end());
  }
  LabelSet set;
  set.labels_ = std::move(labels);
  return set;
}

void LabelSet::Set(std::string name, std::string value) {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, const std::string& n) { return l.first < n; });
  if (it != labels_.end() && it->first == name) {
    it->second = std::move(value);
  } else {
    labels_.insert(it, Label{std::move(name), std::move(value)});
  }
}

std::string_view LabelSet::Get(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.first < n; });
  if (it != labels_.end() && it->first == name) return it->second;
  return {};
}

bool LabelSet::Has(std::string_view name) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), name,
                             [](const Label& l, std::string_view n) { return l.first < n; });
  return it != labels_.end() && it->first == name;
}

uint64_t LabelSet::Fingerprint() const {
  uint64_t h = kFnvOffset;
  for (const auto& [name, value] : labels_) {
    h = HashAdd(h, name);
    h = HashAddByte(h, 0xff);
    h = HashAdd(h, value);
    h = HashAddByte(h, 0xff);
  }
  return h;
}

LabelSet LabelSet::Subset(const std::vector<std::string>& names) const {
  LabelSet out;
  for (const auto& n : names) {
    if (Has(n)) out.Set(n, std::string(Get(n)));
  }
  return out;
}

std::string LabelSet::ToString() const {
  std::string out = "{";
  for (size_t i = 0; i < labels_.size(); ++i) {
    if (i) out += ", ";
    out += labels_[i].first + "=\"" + labels_[i].second + "\"";
  }
  return out + "}";
}

std::string FingerprintHex(uint64_t fp) {
  // By hand rather than snprintf: it runs for every labelled alert on the writer, and the format parser was 3% there.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, fp >>= 4) out[static_cast<size_t>(i)] = kHex[fp & 15];
  return out;
}

uint64_t Fnv1a64(std::string_view bytes) { return HashAdd(kFnvOffset, bytes); }

uint64_t Fnv1a64Extend(uint64_t hash, std::string_view bytes) { return HashAdd(hash, bytes); }

uint64_t Fnv1a64Pair(std::string_view a, std::string_view b) {
  uint64_t h = Fnv1a64(a);
  h ^= 0xff;
  h *= 1099511628211ULL;
  for (unsigned char c : b) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace core
