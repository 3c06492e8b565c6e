#include "e2e/devcluster/jobs/volume_plan.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

const PodPaths kPaths{"/data", "/data/pods/shop/u-1"};

json Pod() {
  return {{"metadata", {{"name", "p"}, {"namespace", "shop"}, {"uid", "u-1"}}},
          {"spec",
           {{"volumes", json::array({{{"name", "backups"}, {"persistentVolumeClaim", {{"claimName", "backup-pvc"}}}},
                                     {{"name", "ro"}, {"persistentVolumeClaim", {{"claimName", "src"}, {"readOnly", true}}}},
                                     {{"name", "scratch"}, {"emptyDir", json::object()}},
                                     {{"name", "creds"}, {"secret", {{"secretName", "db"}, {"defaultMode", 0400}}}},
                                     {{"name", "conf"},
                                      {"configMap", {{"name", "settings"}, {"items", json::array({{{"key", "a"}, {"path", "dir/a.conf"}, {"mode", 0600}}})}}}}})}}}};
}

PodObjectLookup Lookup() {
  return [](std::string_view kind, std::string_view name) -> std::optional<json> {
    if (kind == "Secret" && name == "db") return json{{"data", {{"password", "czNjcjN0"}}}};
    if (kind == "ConfigMap" && name == "settings") return json{{"data", {{"a", "A"}, {"b", "B"}}}};
    return std::nullopt;
  };
}

TEST(VolumePlanTest, MountsMapVolumesToTheirHostDirectories) {
  json container = {{"name", "main"},
                    {"volumeMounts", json::array({{{"name", "backups"}, {"mountPath", "/backups"}},
                                                  {{"name", "backups"}, {"mountPath", "/backups/today"}, {"subPath", "2026/11"}},
                                                  {{"name", "ro"}, {"mountPath", "/src"}},
                                                  {{"name", "scratch"}, {"mountPath", "/scratch"}, {"readOnly", true}},
                                                  {{"name", "creds"}, {"mountPath", "/etc/creds"}},
                                                  {{"name", "conf"}, {"mountPath", "/etc/conf"}}})}};
  auto mounts = PlanContainerMounts(Pod(), container, kPaths);
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_EQ(*mounts, (std::vector<HostMount>{
                         {"/data/volumes/shop/backup-pvc", "/backups", false, false},
                         {"/data/volumes/shop/src", "/src", true, false},
                         {"/data/pods/shop/u-1/volumes/empty-dir/scratch", "/scratch", true, false},
                         {"/data/volumes/shop/backup-pvc/2026/11", "/backups/today", false, false, "/data/volumes/shop/backup-pvc"},
                         {"/data/pods/shop/u-1/volumes/secret/creds", "/etc/creds", true, false},
                         {"/data/pods/shop/u-1/volumes/configmap/conf", "/etc/conf", true, false},
                         {"/data/pods/shop/u-1/containers/main/termination-log", "/dev/termination-log", false, true},
                     }));
}

TEST(VolumePlanTest, BadMountsAreRejected) {
  json unknown = {{"name", "main"}, {"volumeMounts", json::array({{{"name", "nope"}, {"mountPath", "/x"}}})}};
  EXPECT_EQ(PlanContainerMounts(Pod(), unknown, kPaths).status().code(), StatusCode::kInvalidArgument);
  json escape = {{"name", "main"}, {"volumeMounts", json::array({{{"name", "backups"}, {"mountPath", "/x"}, {"subPath", "../../etc"}}})}};
  EXPECT_EQ(PlanContainerMounts(Pod(), escape, kPaths).status().code(), StatusCode::kInvalidArgument);
  json relative = {{"name", "main"}, {"volumeMounts", json::array({{{"name", "backups"}, {"mountPath", "x"}}})}};
  EXPECT_EQ(PlanContainerMounts(Pod(), relative, kPaths).status().code(), StatusCode::kInvalidArgument);
}

TEST(VolumePlanTest, CustomTerminationMessagePathIsBound) {
  json container = {{"name", "main"}, {"terminationMessagePath", "/tmp/msg"}};
  auto mounts = PlanContainerMounts(Pod(), container, kPaths);
  ASSERT_TRUE(mounts.ok());
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ((*mounts)[0].target, "/tmp/msg");
}

TEST(VolumePlanTest, SecretAndConfigMapVolumesBecomeFiles) {
  auto files = PlanVolumeFiles(Pod(), Lookup());
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ((*files)["creds"], (std::vector<VolumeFile>{{"password", "s3cr3t", 0400}}));
  EXPECT_EQ((*files)["conf"], (std::vector<VolumeFile>{{"dir/a.conf", "A", 0600}}));
  EXPECT_EQ(ClaimNames(Pod()), (std::vector<std::string>{"backup-pvc", "src"}));
}

TEST(VolumePlanTest, MissingSourcesGiveTheKubeletsFailedMountMessages) {
  json pod = Pod();
  pod["spec"]["volumes"][3]["secret"]["secretName"] = "gone";
  auto files = PlanVolumeFiles(pod, Lookup());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), "MountVolume.SetUp failed for volume \"creds\" : secret \"gone\" not found");
  pod = Pod();
  pod["spec"]["volumes"][4]["configMap"]["items"][0]["key"] = "zz";
  files = PlanVolumeFiles(pod, Lookup());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(),
            "MountVolume.SetUp failed for volume \"conf\" : configmap references non-existent config key: zz");
  pod["spec"]["volumes"][4]["configMap"]["optional"] = true;
  EXPECT_TRUE(PlanVolumeFiles(pod, Lookup()).ok());
}

TEST(VolumePlanTest, DownwardApiAndProjectedVolumesBecomeFiles) {
  json pod = Pod();
  pod["metadata"]["labels"] = {{"app", "db"}};
  pod["spec"]["volumes"] = json::array(
      {{{"name", "info"}, {"downwardAPI", {{"items", json::array({{{"path", "labels"}, {"fieldRef", {{"fieldPath", "metadata.labels"}}}}})}}}},
       {{"name", "api"},
        {"projected",
         {{"defaultMode", 0440},
          {"sources", json::array({{{"serviceAccountToken", {{"path", "token"}}}},
                                   {{"secret", {{"name", "db"}}}},
                                   {{"downwardAPI", {{"items", json::array({{{"path", "namespace"}, {"fieldRef", {{"fieldPath", "metadata.namespace"}}}}})}}}}})}}}}});
  const std::string token = "tok";
  auto files = PlanVolumeFiles(pod, Lookup(), &token);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ((*files)["info"], (std::vector<VolumeFile>{{"labels", "app=\"db\"", 0644}}));
  EXPECT_EQ((*files)["api"], (std::vector<VolumeFile>{{"token", "tok", 0440}, {"password", "s3cr3t", 0440},
                                                      {"namespace", "shop", 0440}}));
  EXPECT_EQ(PlanVolumeFiles(pod, Lookup()).status().code(), StatusCode::kFailedPrecondition);
  json container = {{"name", "main"}, {"volumeMounts", json::array({{{"name", "api"}, {"mountPath", "/api"}}})}};
  auto mounts = PlanContainerMounts(pod, container, kPaths);
  ASSERT_TRUE(mounts.ok());
  EXPECT_EQ((*mounts)[0], (HostMount{"/data/pods/shop/u-1/volumes/projected/api", "/api", true, false}));
}

TEST(VolumePlanTest, ServiceAccountTokenIsWorldReadableWithoutFsGroupOrFsUser) {
  json pod = Pod();
  EXPECT_EQ(ServiceAccountVolumeFiles(pod, "tok", "CA"),
            (std::vector<VolumeFile>{{"token", "tok", 0644}, {"ca.crt", "CA", 0644}, {"namespace", "shop", 0644}}));
}

TEST(VolumePlanTest, ServiceAccountTokenIsPrivateWithAnFsGroupForSetVolumeOwnershipToOpenToTheGroup) {
  json pod = Pod();
  pod["spec"]["securityContext"] = {{"fsGroup", 2000}};
  pod["spec"]["containers"] = json::array({{{"name", "main"}}});
  const std::vector<VolumeFile> files = ServiceAccountVolumeFiles(pod, "tok", "CA");
  EXPECT_EQ(files[0], (VolumeFile{"token", "tok", 0600, std::nullopt}));
  EXPECT_EQ(files[1].mode, 0644) << "only the token is private";
}

TEST(VolumePlanTest, ServiceAccountTokenBelongsToTheUserAllContainersShare) {
  json pod = Pod();
  pod["spec"]["securityContext"] = {{"runAsUser", 1000}};
  pod["spec"]["initContainers"] = json::array({{{"name", "init"}}});
  pod["spec"]["containers"] = json::array({{{"name", "main"}}, {{"name", "side"}, {"securityContext", {{"runAsUser", 1000}}}}});
  EXPECT_EQ(ServiceAccountVolumeFiles(pod, "tok", "CA")[0], (VolumeFile{"token", "tok", 0600, 1000}));
  pod["spec"]["containers"][1]["securityContext"]["runAsUser"] = 1001;
  EXPECT_EQ(ServiceAccountVolumeFiles(pod, "tok", "CA")[0], (VolumeFile{"token", "tok", 0644, std::nullopt}))
      << "containers with different users: no FsUser";
}

TEST(VolumePlanTest, ProjectedTokenFollowsTheSameRule) {
  json pod = Pod();
  pod["spec"]["securityContext"] = {{"fsGroup", 2000}};
  pod["spec"]["volumes"] = json::array(
      {{{"name", "api"}, {"projected", {{"sources", json::array({{{"serviceAccountToken", {{"path", "t"}}}}})}}}}});
  const std::string token = "tok";
  auto files = PlanVolumeFiles(pod, Lookup(), &token);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ((*files)["api"], (std::vector<VolumeFile>{{"t", "tok", 0600}}));
}

TEST(VolumePlanTest, UnsupportedVolumeTypesAreNamed) {
  json pod = Pod();
  pod["spec"]["volumes"].push_back({{"name", "nfs-vol"}, {"nfs", {{"server", "x"}}}});
  auto files = PlanVolumeFiles(pod, Lookup());
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), "volume \"nfs-vol\": volume type nfs is not supported by the local kubelet");
}

}  // namespace
}  // namespace lifeboat::devcluster
