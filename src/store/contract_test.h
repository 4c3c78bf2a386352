// The store contract suite: one set of behaviours every engine::Store must show, instantiated by each store's
// test with a factory for fresh stores (INSTANTIATE_TEST_SUITE_P(Name, StoreContractTest, ...)).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "engine/store.h"

namespace store {

struct StoreContractParam {
  std::string name;  // test-name suffix: letters, digits and underscores only
  // Returns a fresh, empty store; its deleter also removes whatever backs it (a temp directory).
  std::function<std::shared_ptr<engine::Store>()> make;
};

// Names the store in failure messages instead of dumping the parameter's bytes.
inline void PrintTo(const StoreContractParam& param, std::ostream* os) { *os << param.name; }

class StoreContractTest : public ::testing::TestWithParam<StoreContractParam> {
 protected:
  void SetUp() override {
    store_ = GetParam().make();
    ASSERT_NE(store_, nullptr);
  }
  engine::Store& store() { return *store_; }

 private:
  std::shared_ptr<engine::Store> store_;
};

// Builders shared by the contract suite and store-specific tests. Records carry distinct, non-text bytes and
// hashes (including zero bytes) so round trips are checked byte for byte.
namespace contract {

engine::StoredRecord MakeRecord(uint64_t seq);
std::vector<engine::StoredRecord> MakeRecords(uint64_t first_seq, size_t count);
engine::IncidentRow MakeIncident(uint64_t id, std::string state = "triggered", std::string service = "api",
                                 std::string severity = "critical");
engine::AlertRow MakeAlert(uint64_t id, uint64_t incident_id);
engine::TimelineRow MakeEntry(uint64_t incident_id, uint64_t seq, std::string kind);

// Appends the record after the current head together with `projection`, as the engine would.
core::Status AppendNext(engine::Store& store, const engine::Projection& projection);
// Every record with seq > after_seq; fails the calling test on a scan error.
std::vector<engine::StoredRecord> ScanAll(engine::Store& store, uint64_t after_seq = 0);
// Equality of every field, with a readable failure message.
::testing::AssertionResult SameRecord(const engine::StoredRecord& expected, const engine::StoredRecord& actual);

}  // namespace contract
}  // namespace store
