#include "e2e/devcluster/server/kubeconfig.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

TEST(KubeconfigTest, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(KubeconfigTest, RendersServerCaDataTokenAndCurrentContext) {
  std::string text = RenderKubeconfig({"https://127.0.0.1:1234", "PEM", "tok", "dc"});
  EXPECT_NE(text.find("server: https://127.0.0.1:1234\n"), std::string::npos);
  EXPECT_NE(text.find("certificate-authority-data: " + Base64Encode("PEM") + "\n"), std::string::npos);
  EXPECT_NE(text.find("token: tok\n"), std::string::npos);
  EXPECT_NE(text.find("current-context: dc\n"), std::string::npos);
}

}  // namespace
}  // namespace lifeboat::devcluster
