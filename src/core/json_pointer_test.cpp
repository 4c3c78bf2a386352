#include "core/json_pointer.h"

#include <gtest/gtest.h>

namespace core {
namespace {

TEST(JsonPointerTest, EscapesTildeAndSlashInTheToken) {
  EXPECT_EQ(JsonPointer("/0/labels", "a/b~c"), "/0/labels/a~1b~0c");
}

TEST(JsonPointerTest, AppendsAPlainTokenAsItIs) {
  EXPECT_EQ(JsonPointer("", "createdBy"), "/createdBy");
}

}  // namespace
}  // namespace core
