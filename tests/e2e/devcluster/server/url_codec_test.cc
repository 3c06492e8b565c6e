#include "e2e/devcluster/server/url_codec.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(UrlCodecTest, DecodesQueryWithPlusAsSpaceAndPercentEscapes) {
  auto q = ParseQuery("labelSelector=app+in+%28a%2Cb%29&watch=1&limit=5&empty&watch=0");
  EXPECT_EQ(q["labelSelector"], "app in (a,b)");
  EXPECT_EQ(q["watch"], "1");  // first value wins
  EXPECT_EQ(q["limit"], "5");
  EXPECT_EQ(q.count("empty"), 1u);
  EXPECT_EQ(q["empty"], "");
}

TEST(UrlCodecTest, KeepsPlusInPathsAndMalformedEscapes) {
  EXPECT_EQ(PercentDecode("/a+b/%2", false), "/a+b/%2");
  EXPECT_EQ(PercentDecode("%zz%41", false), "%zzA");
}

TEST(UrlCodecTest, EncodeRoundTrips) {
  std::string text = "a b/c?d=e&f";
  EXPECT_EQ(PercentEncode(text), "a%20b%2Fc%3Fd%3De%26f");
  EXPECT_EQ(PercentDecode(PercentEncode(text), true), text);
}

}  // namespace
}  // namespace lifeboat::devcluster
