// Label sets (sorted name/value pairs) with Alertmanager's stable 64-bit FNV-1a fingerprint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace core {

using Label = std::pair<std::string, std::string>;

// A set of labels kept sorted by name; names are unique (a later Set replaces the value).
class LabelSet {
 public:
  LabelSet() = default;
  LabelSet(std::initializer_list<Label> labels);

  // Builds a set from pairs in any order with one sort (none when already sorted); when a name repeats, the later
  // pair wins, as with Set.
  static LabelSet FromUnsorted(std::vector<Label> labels);

  void Set(std::string name, std::string value);
  // Returns the value, or an empty view when the label is absent (Prometheus treats both alike).
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  const std::vector<Label>& labels() const { return labels_; }
  size_t size() const { return labels_.size(); }
  bool empty() const { return labels_.empty(); }

  // The fingerprint Prometheus and Alertmanager compute (prometheus/common model.LabelSet.Fingerprint):
  // FNV-1a 64 over name, 0xff, value, 0xff for each label in name order.
  uint64_t Fingerprint() const;

  // The subset with only the given names (absent names are skipped).
  LabelSet Subset(const std::vector<std::string>& names) const;

  // `{a="1", b="2"}`
  std::string ToString() const;

  friend bool operator==(const LabelSet&, const LabelSet&) = default;

 private:
  std::vector<Label> labels_;
};

// Sixteen lower-case hex digits, as Alertmanager shows fingerprints.
std::string FingerprintHex(uint64_t fp);

// FNV-1a 64 of arbitrary bytes, for ids derived from strings.
uint64_t Fnv1a64(std::string_view bytes);
// FNV-1a 64 carried on over more bytes: Fnv1a64Extend(Fnv1a64(a), b) == Fnv1a64(a + b), without joining them.
uint64_t Fnv1a64Extend(uint64_t hash, std::string_view bytes);
// FNV-1a 64 of `a`, a 0xff separator and `b`: a key for a pair of strings without joining them.
uint64_t Fnv1a64Pair(std::string_view a, std::string_view b);

}  // namespace core
