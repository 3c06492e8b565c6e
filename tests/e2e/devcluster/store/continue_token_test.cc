#include "e2e/devcluster/store/continue_token.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(ContinueTokenTest, DecodesTheRealServersToken) {
  auto token = DecodeContinueToken("eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjM1LCJzdGFydCI6InBhZ2UtMlx1MDAwMCJ9");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->resource_version, 235u);
  EXPECT_EQ(token->start_key, std::string("page-2\0", 7));
}

TEST(ContinueTokenTest, RoundTrips) {
  ContinueToken token{42, std::string("ns/name\0", 8)};
  auto decoded = DecodeContinueToken(EncodeContinueToken(token));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->resource_version, 42u);
  EXPECT_EQ(decoded->start_key, token.start_key);
  EXPECT_EQ(EncodeContinueToken({235, std::string("page-2\0", 7)}),
            "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MjM1LCJzdGFydCI6InBhZ2UtMlx1MDAwMCJ9");
}

TEST(ContinueTokenTest, RejectsGarbage) {
  EXPECT_FALSE(DecodeContinueToken("!!!").ok());
  EXPECT_FALSE(DecodeContinueToken("e30").ok());  // {}
  EXPECT_EQ(DecodeContinueToken("!!!").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lifeboat::devcluster
