#include "operator/kube/kube_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "operator/kube/credentials.h"

namespace lifeboat::kube {
namespace {

namespace fs = std::filesystem;

const std::string kCa = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const std::string kKey = "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n";

class KubeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lifeboat-kubeconfig-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& text) {
    fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path;
  }

  StatusOr<KubeConfig> Parse(const std::string& yaml, std::string_view context = "") {
    return ParseKubeconfig(yaml, dir_, context, "test.yaml");
  }

  static std::string Config(const std::string& cluster, const std::string& user,
                            const std::string& extra_context = "") {
    return "apiVersion: v1\nkind: Config\ncurrent-context: main\n"
           "contexts:\n- name: main\n  context:\n    cluster: c1\n    user: u1\n    namespace: team\n" +
           extra_context + "clusters:\n- name: c1\n  cluster:\n" + cluster + "users:\n- name: u1\n  user:\n" + user;
  }

  fs::path dir_;
};

TEST_F(KubeConfigTest, ReadsServerTokenAndInlineCaOfTheCurrentContext) {
  auto config = Parse(Config("    server: https://127.0.0.1:6443/\n    certificate-authority-data: " +
                                 EncodeBase64(kCa) + "\n",
                             "    token: abc123\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://127.0.0.1:6443");
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->token, "abc123");
  EXPECT_EQ(config->ns, "team");
  EXPECT_FALSE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->source, "kubeconfig test.yaml (context main)");
}

TEST_F(KubeConfigTest, ReadsCaCertificateAndKeyFromFilesRelativeToTheKubeconfig) {
  Write("ca.crt", kCa);
  Write("client.crt", kCa);
  Write("client.key", kKey);
  auto config = Parse(Config("    server: https://example:6443\n    certificate-authority: ca.crt\n",
                             "    client-certificate: client.crt\n    client-key: " + (dir_ / "client.key").string() +
                                 "\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->client_cert_pem, kCa);
  EXPECT_EQ(config->client_key_pem, kKey);
  EXPECT_TRUE(config->token.empty());
}

TEST_F(KubeConfigTest, ReadsInlineClientCertificateAndKey) {
  auto config = Parse(Config("    server: https://example:6443\n    insecure-skip-tls-verify: true\n",
                             "    client-certificate-data: " + EncodeBase64(kCa) +
                                 "\n    client-key-data: " + EncodeBase64(kKey) + "\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->insecure_skip_tls_verify);
  EXPECT_EQ(config->client_key_pem, kKey);
}

TEST_F(KubeConfigTest, ContextFlagOverridesCurrentContext) {
  std::string yaml = "current-context: main\ncontexts:\n- name: main\n  context: {cluster: c1, user: u1}\n"
         "- name: other\n  context: {cluster: c2, user: u1}\n"
         "clusters:\n- name: c1\n  cluster: {server: 'https://one:6443'}\n"
         "- name: c2\n  cluster: {server: 'https://two:6443'}\n"
         "users:\n- name: u1\n  user: {token: t}\n";
  auto config = Parse(yaml, "other");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://two:6443");
}

TEST_F(KubeConfigTest, TokenFileIsReadAndReReadWhenItRotates) {
  fs::path token = Write("token", "first\n");
  auto config = Parse(Config("    server: https://example:6443\n", "    tokenFile: token\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->token_file, token.string());
  Credentials credentials(*config);
  EXPECT_EQ(credentials.AuthorizationHeader(), "Bearer first");
  std::ofstream(token) << "second";
  fs::last_write_time(token, fs::last_write_time(token) + std::chrono::seconds(5));
  EXPECT_EQ(credentials.AuthorizationHeader(), "Bearer second");
}

TEST_F(KubeConfigTest, BasicAuthBecomesABasicHeader) {
  auto config = Parse(Config("    server: https://example:6443\n", "    username: admin\n    password: pw\n"));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(Credentials(*config).AuthorizationHeader(), "Basic " + EncodeBase64("admin:pw"));
}

struct BadCase {
  const char* name;
  std::string yaml;
  const char* expected;  // A fragment of the error message.
};

TEST_F(KubeConfigTest, EveryMalformedKubeconfigGetsAClearError) {
  const std::string ok_cluster = "    server: https://example:6443\n";
  const std::string ok_user = "    token: t\n";
  std::vector<BadCase> cases = {
      {"empty", "", "is empty"},
      {"syntax", "contexts: [unclosed", "is not valid YAML"},
      {"not a map", "- a\n- b\n", "is not a YAML map"},
      {"wrong kind", "kind: Pod\n", "has kind \"Pod\""},
      {"no current context", "contexts: []\n", "has no current-context"},
      {"context missing", "current-context: nope\ncontexts:\n- name: main\n  context: {cluster: c1}\n",
       "context \"nope\" not found in contexts"},
      {"contexts not a list", "current-context: main\ncontexts: {main: 1}\n", "contexts must be a list"},
      {"no contexts", "current-context: main\n", "has no contexts"},
      {"context without cluster", "current-context: main\ncontexts:\n- name: main\n  context: {user: u1}\n",
       "names no cluster"},
      {"cluster missing", Config(ok_cluster, ok_user).replace(Config(ok_cluster, ok_user).find("cluster: c1"), 11, "cluster: zz"),
       "cluster \"zz\" not found in clusters"},
      {"user missing", Config(ok_cluster, ok_user).replace(Config(ok_cluster, ok_user).find("user: u1"), 8, "user: zz"),
       "user \"zz\" not found in users"},
      {"no server", Config("    insecure-skip-tls-verify: true\n", ok_user), "has no server"},
      {"server not a URL", Config("    server: example:6443\n", ok_user), "is not an http:// or https:// URL"},
      {"server without host", Config("    server: https://\n", ok_user), "has no host"},
      {"bad base64 CA", Config(ok_cluster + "    certificate-authority-data: '!!!'\n", ok_user), "not valid base64"},
      {"CA data not PEM", Config(ok_cluster + "    certificate-authority-data: " + EncodeBase64("hello") + "\n", ok_user),
       "does not decode to a PEM CERTIFICATE"},
      {"CA file missing", Config(ok_cluster + "    certificate-authority: /nonexistent/ca.crt\n", ok_user),
       "cannot read /nonexistent/ca.crt"},
      {"insecure and CA", Config(ok_cluster + "    insecure-skip-tls-verify: true\n    certificate-authority-data: " +
                                     EncodeBase64(kCa) + "\n", ok_user),
       "both insecure-skip-tls-verify and a certificate authority"},
      {"insecure not bool", Config(ok_cluster + "    insecure-skip-tls-verify: maybe\n", ok_user),
       "must be true or false"},
      {"cert without key", Config(ok_cluster, "    client-certificate-data: " + EncodeBase64(kCa) + "\n"),
       "has a client-certificate but no client-key"},
      {"key without cert", Config(ok_cluster, "    client-key-data: " + EncodeBase64(kKey) + "\n"),
       "has a client-key but no client-certificate"},
      {"key not a key", Config(ok_cluster, "    client-certificate-data: " + EncodeBase64(kCa) +
                                               "\n    client-key-data: " + EncodeBase64(kCa) + "\n"),
       "client-key is not a PEM private key"},
      {"exec plugin", Config(ok_cluster, "    exec: {command: aws}\n"), "exec credential plugin"},
      {"auth provider", Config(ok_cluster, "    auth-provider: {name: gcp}\n"), "auth-provider"},
      {"token file missing", Config(ok_cluster, "    tokenFile: /nonexistent/token\n"), "tokenFile: cannot read"},
      {"username without password", Config(ok_cluster, "    username: admin\n"), "both username and password"},
      {"token over http", Config("    server: http://example:8080\n", ok_user), "refusing to send credentials"},
      {"token not a string", Config(ok_cluster, "    token: [a, b]\n"), "token must be a string"},
  };
  for (const auto& c : cases) {
    auto config = Parse(c.yaml);
    ASSERT_FALSE(config.ok()) << c.name;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(config.status().message().find(c.expected), std::string::npos)
        << c.name << ": " << config.status().message();
    EXPECT_NE(config.status().message().find("kubeconfig test.yaml"), std::string::npos) << c.name;
  }
}

TEST_F(KubeConfigTest, ErrorsNeverContainTheToken) {
  auto config = Parse(Config("    server: ftp://example\n", "    token: s3cr3t-token\n"));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().message().find("s3cr3t-token"), std::string::npos);
}

TEST_F(KubeConfigTest, LoadsTheInClusterServiceAccount) {
  Write("token", "sa-token\n");
  Write("ca.crt", kCa);
  Write("namespace", "lifeboat-system\n");
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.0.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}};
  EnvLookup lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  auto config = ResolveKubeConfig("", "", lookup, dir_);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://10.0.0.1:443");
  EXPECT_EQ(config->ca_pem, kCa);
  EXPECT_EQ(config->ns, "lifeboat-system");
  EXPECT_EQ(config->source, "in-cluster");
  EXPECT_EQ(Credentials(*config).AuthorizationHeader(), "Bearer sa-token");

  env["KUBERNETES_SERVICE_HOST"] = "fd00::1";
  auto v6 = LoadInClusterConfig(lookup, dir_);
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->server, "https://[fd00::1]:443");
}

TEST_F(KubeConfigTest, InClusterWithoutTheServiceAccountFilesSaysWhatIsMissing) {
  EnvLookup lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "KUBERNETES_SERVICE_HOST") return "10.0.0.1";
    if (name == "KUBERNETES_SERVICE_PORT") return "443";
    return std::nullopt;
  };
  auto config = LoadInClusterConfig(lookup, dir_ / "missing");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("cannot read service account token"), std::string::npos);
  EnvLookup empty = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  EXPECT_NE(LoadInClusterConfig(empty, dir_).status().message().find("not running in a cluster"), std::string::npos);
}

TEST_F(KubeConfigTest, ResolvePrefersTheGivenKubeconfigAndUsesTheFirstExistingFileOfAList) {
  fs::path file = Write("config", Config("    server: https://example:6443\n", "    token: t\n"));
  EnvLookup lookup = [](std::string_view name) -> std::optional<std::string> {
    if (name == "KUBERNETES_SERVICE_HOST") return "10.0.0.1";
    return std::nullopt;
  };
  auto config = ResolveKubeConfig((dir_ / "absent").string() + ":" + file.string(), "", lookup, dir_);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->server, "https://example:6443");
  auto missing = ResolveKubeConfig((dir_ / "absent").string(), "", lookup, dir_);
  EXPECT_NE(missing.status().message().find("no such file"), std::string::npos);
}

TEST_F(KubeConfigTest, ResolveWithNothingConfiguredExplainsTheOptions) {
  EnvLookup empty = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
  auto config = ResolveKubeConfig("", "", empty, dir_);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("pass --kubeconfig"), std::string::npos);
}

TEST(Base64Test, DecodesStandardBase64AndRejectsGarbage) {
  EXPECT_EQ(*DecodeBase64("aGVsbG8="), "hello");
  EXPECT_EQ(*DecodeBase64("aGVs\nbG8h"), "hello!");
  EXPECT_FALSE(DecodeBase64("aGVsbG8").ok());
  EXPECT_FALSE(DecodeBase64("a=Vs").ok());
  EXPECT_FALSE(DecodeBase64("aGV*").ok());
  for (std::string text : {"", "a", "ab", "abc", "abcd", "\xff\x00\x10"}) {
    EXPECT_EQ(*DecodeBase64(EncodeBase64(text)), text);
  }
}

}  // namespace
}  // namespace lifeboat::kube
