// DenseIdMap: a map keyed by ids a counter hands out (1, 2, 3, ...), such as incident and alert ids. Each value is
// allocated on its own (its address never changes) and found through a table of 256-slot pages indexed by the id
// itself: no hashing, and the map grows a page at a time instead of rehashing everything (which, on a state of a
// million entries, stalled the writer for a few hundred milliseconds). Iteration runs in id order. A page whose
// slots are all empty is freed; ids past 2^32 (never handed out in practice) go to an ordered overflow map.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>
#include <utility>
#include <vector>

namespace core {

template <typename T>
class DenseIdMap {
 public:
  using key_type = uint64_t;
  using mapped_type = T;
  using value_type = std::pair<const uint64_t, T>;

 private:
  static constexpr unsigned kPageBits = 8;
  static constexpr uint64_t kPageSlots = uint64_t{1} << kPageBits;
  static constexpr uint64_t kDenseLimit = uint64_t{1} << 32;  // ids from here on go to overflow_

  struct Page {
    std::array<value_type*, kPageSlots> slots{};
    uint32_t used = 0;
  };
  using Overflow = std::map<uint64_t, value_type*>;

  template <bool kConst>
  class Iter {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = DenseIdMap::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = std::conditional_t<kConst, const value_type*, value_type*>;
    using reference = std::conditional_t<kConst, const value_type&, value_type&>;

    Iter() = default;
    // A non-const iterator converts to a const one.
    template <bool kOther, typename = std::enable_if_t<kConst && !kOther>>
    Iter(const Iter<kOther>& other) : map_(other.map_), id_(other.id_), over_(other.over_), at_(other.at_) {}

    reference operator*() const { return *at_; }
    pointer operator->() const { return at_; }
    Iter& operator++() {
      if (id_ < kDenseLimit) {
        map_->NextDense(id_ + 1, id_, at_, over_);
      } else {
        ++over_;
        at_ = over_ == map_->overflow_.end() ? nullptr : over_->second;
        id_ = at_ == nullptr ? kEnd : over_->first;
      }
      return *this;
    }
    Iter operator++(int) {
      Iter old = *this;
      ++*this;
      return old;
    }
    friend bool operator==(const Iter& a, const Iter& b) { return a.at_ == b.at_; }

   private:
    friend class DenseIdMap;
    template <bool>
    friend class Iter;
    using Map = std::conditional_t<kConst, const DenseIdMap, DenseIdMap>;
    Iter(Map* map, uint64_t id, typename Overflow::const_iterator over, value_type* at)
        : map_(map), id_(id), over_(over), at_(at) {}

    Map* map_ = nullptr;
    uint64_t id_ = kEnd;
    typename Overflow::const_iterator over_{};
    value_type* at_ = nullptr;  // null at the end
  };

 public:
  using iterator = Iter<false>;
  using const_iterator = Iter<true>;

  DenseIdMap() = default;
  ~DenseIdMap() { clear(); }
  DenseIdMap(DenseIdMap&& other) noexcept { swap(other); }
  DenseIdMap& operator=(DenseIdMap&& other) noexcept {
    if (this != &other) {
      clear();
      swap(other);
    }
    return *this;
  }
  DenseIdMap(const DenseIdMap& other) {
    for (const auto& [id, v] : other) emplace(id, v);
  }
  DenseIdMap& operator=(const DenseIdMap& other) {
    if (this != &other) {
      DenseIdMap copy(other);
      swap(copy);
    }
    return *this;
  }
  void swap(DenseIdMap& other) noexcept {
    pages_.swap(other.pages_);
    overflow_.swap(other.overflow_);
    std::swap(size_, other.size_);
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Makes room in the page table for ids up to `n` more than the pages hold now (the values are allocated one by one).
  void reserve(size_t n) {
    const size_t pages = (std::min<uint64_t>(n, kDenseLimit) >> kPageBits) + 1;
    if (pages_.size() + pages > pages_.capacity()) pages_.reserve(pages_.size() + pages);
  }

  void clear() {
    for (auto& page : pages_) {
      if (!page) continue;
      for (value_type* v : page->slots) delete v;
    }
    pages_.clear();
    for (auto& [id, v] : overflow_) delete v;
    overflow_.clear();
    size_ = 0;
  }

  iterator begin() {
    iterator it(this, 0, overflow_.cend(), nullptr);
    NextDense(0, it.id_, it.at_, it.over_);
    return it;
  }
  iterator end() { return iterator(this, kEnd, overflow_.cend(), nullptr); }
  const_iterator begin() const {
    const_iterator it(this, 0, overflow_.cend(), nullptr);
    NextDense(0, it.id_, it.at_, it.over_);
    return it;
  }
  const_iterator end() const { return const_iterator(this, kEnd, overflow_.cend(), nullptr); }
  const_iterator cbegin() const { return begin(); }
  const_iterator cend() const { return end(); }

  iterator find(uint64_t id) {
    value_type* v = Lookup(id);
    return v == nullptr ? end() : iterator(this, id, OverflowAt(id), v);
  }
  const_iterator find(uint64_t id) const {
    value_type* v = Lookup(id);
    return v == nullptr ? end() : const_iterator(this, id, OverflowAt(id), v);
  }
  size_t count(uint64_t id) const { return Lookup(id) != nullptr ? 1 : 0; }
  bool contains(uint64_t id) const { return Lookup(id) != nullptr; }
  T& at(uint64_t id) {
    value_type* v = Lookup(id);
    if (v == nullptr) throw std::out_of_range("DenseIdMap::at");
    return v->second;
  }
  const T& at(uint64_t id) const {
    value_type* v = Lookup(id);
    if (v == nullptr) throw std::out_of_range("DenseIdMap::at");
    return v->second;
  }
  T& operator[](uint64_t id) { return try_emplace(id).first->second; }

  template <typename... Args>
  std::pair<iterator, bool> try_emplace(uint64_t id, Args&&... args) {
    value_type** slot = Slot(id);
    if (*slot != nullptr) return {iterator(this, id, OverflowAt(id), *slot), false};
    *slot = new value_type(std::piecewise_construct, std::forward_as_tuple(id),
                           std::forward_as_tuple(std::forward<Args>(args)...));
    ++size_;
    if (id < kDenseLimit) ++pages_[id >> kPageBits]->used;
    return {iterator(this, id, OverflowAt(id), *slot), true};
  }
  template <typename V>
  std::pair<iterator, bool> emplace(uint64_t id, V&& value) {
    return try_emplace(id, std::forward<V>(value));
  }

  size_t erase(uint64_t id) {
    if (id >= kDenseLimit) {
      auto it = overflow_.find(id);
      if (it == overflow_.end()) return 0;
      delete it->second;
      overflow_.erase(it);
      --size_;
      return 1;
    }
    const uint64_t p = id >> kPageBits;
    if (p >= pages_.size() || !pages_[p]) return 0;
    Page& page = *pages_[p];
    value_type*& slot = page.slots[id & (kPageSlots - 1)];
    if (slot == nullptr) return 0;
    delete slot;
    slot = nullptr;
    --size_;
    if (--page.used == 0) pages_[p].reset();
    return 1;
  }
  void erase(const_iterator it) { erase(it->first); }
  void erase(iterator it) { erase(it->first); }

 private:
  static constexpr uint64_t kEnd = ~uint64_t{0};

  value_type* Lookup(uint64_t id) const {
    if (id >= kDenseLimit) {
      auto it = overflow_.find(id);
      return it == overflow_.end() ? nullptr : it->second;
    }
    const uint64_t p = id >> kPageBits;
    if (p >= pages_.size() || !pages_[p]) return nullptr;
    return pages_[p]->slots[id & (kPageSlots - 1)];
  }

  typename Overflow::const_iterator OverflowAt(uint64_t id) const {
    return id >= kDenseLimit ? overflow_.find(id) : overflow_.cend();
  }

  // The slot for `id`, its page made first when missing.
  value_type** Slot(uint64_t id) {
    if (id >= kDenseLimit) return &overflow_.try_emplace(id, nullptr).first->second;
    const uint64_t p = id >> kPageBits;
    if (p >= pages_.size()) {
      // Doubling keeps appends amortised; the table holds a pointer per 256 ids.
      if (p + 1 > pages_.capacity()) pages_.reserve(std::max<size_t>(p + 1, pages_.capacity() * 2));
      pages_.resize(p + 1);
    }
    if (!pages_[p]) pages_[p] = std::make_unique<Page>();
    return &pages_[p]->slots[id & (kPageSlots - 1)];
  }

  // The first entry at an id ≥ `from` (dense ids, then the overflow map): sets id, at and over; at = null at the end.
  void NextDense(uint64_t from, uint64_t& id, value_type*& at,
                 typename Overflow::const_iterator& over) const {
    for (uint64_t p = from >> kPageBits; p < pages_.size(); ++p) {
      if (!pages_[p]) continue;
      const Page& page = *pages_[p];
      for (uint64_t s = (p == (from >> kPageBits) ? from & (kPageSlots - 1) : 0); s < kPageSlots; ++s) {
        if (page.slots[s] != nullptr) {
          id = (p << kPageBits) | s;
          at = page.slots[s];
          return;
        }
      }
    }
    over = overflow_.cbegin();
    at = over == overflow_.cend() ? nullptr : over->second;
    id = at == nullptr ? kEnd : over->first;
  }

  std::vector<std::unique_ptr<Page>> pages_;
  Overflow overflow_;
  size_t size_ = 0;
};

}  // namespace core
