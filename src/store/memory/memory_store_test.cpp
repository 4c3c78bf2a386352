// Runs the store contract suite against MemoryStore.
#include "store/memory/memory_store.h"

#include <memory>

#include "store/contract_test.h"

namespace store {
namespace {

INSTANTIATE_TEST_SUITE_P(Memory, StoreContractTest,
                         ::testing::Values(StoreContractParam{
                             "memory", [] { return std::shared_ptr<engine::Store>(new memory::MemoryStore()); }}),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace store
