// Who an agent Job runs as: field by field from the media entry, its owner, its workload's pod,
// podSettings and finally the image's user; always within the restricted Pod Security profile, and
// always in the repository's group.
#include "controllers/common/run_as.h"

#include <gtest/gtest.h>

namespace lifeboat::controllers {
namespace {

using nlohmann::json;

api::SecurityContext User(std::int64_t uid, std::optional<std::int64_t> gid = std::nullopt) {
  api::SecurityContext c;
  c.run_as_user = uid;
  c.run_as_group = gid;
  return c;
}

TEST(RunAsTest, WithNothingSaidTheJobRunsAsTheImagesUserInTheRestrictedProfile) {
  const JobUser user = ResolveJobUser({}, api::PodSettings{});
  EXPECT_EQ(user.uid, kImageUser);
  EXPECT_EQ(user.gid, kImageUser);
  EXPECT_TRUE(user.supplemental_groups.empty()) << "the repository's group is already the primary group";
  const json pod = PodSecurityContextJson(user);
  EXPECT_EQ(pod["runAsNonRoot"], true);
  EXPECT_EQ(pod["seccompProfile"]["type"], "RuntimeDefault");
  EXPECT_FALSE(pod.contains("fsGroup")) << "an fsGroup would make the kubelet re-own every file of the volumes";
}

TEST(RunAsTest, TheMediaEntryWinsOverThePodSettingsFieldByField) {
  api::PodSettings settings;
  settings.security_context = User(1000, 1000);
  settings.security_context->supplemental_groups = std::vector<std::int64_t>{4000};
  const JobUser user = ResolveJobUser({User(33)}, settings);
  EXPECT_EQ(user.uid, 33);
  EXPECT_EQ(user.gid, 1000) << "runAsGroup comes from the next layer that sets it";
  EXPECT_EQ(user.supplemental_groups, std::vector<std::int64_t>({4000}))
      << "the repository's group (podSettings' 1000) is the primary group already";
}

TEST(RunAsTest, AnotherUserJoinsTheRepositorysGroup) {
  const JobUser user = ResolveJobUser({User(33)}, api::PodSettings{});
  EXPECT_EQ(user.gid, 33) << "runAsGroup defaults to runAsUser";
  EXPECT_EQ(user.supplemental_groups, std::vector<std::int64_t>({kImageUser}));
}

TEST(RunAsTest, RootIsPossibleButNotMarkedNonRoot) {
  const json pod = PodSecurityContextJson(ResolveJobUser({User(0)}, api::PodSettings{}));
  EXPECT_EQ(pod["runAsUser"], 0);
  EXPECT_EQ(pod["runAsNonRoot"], false);
}

TEST(RunAsTest, AWorkloadsPodGivesItsUserAndItsFsGroupAsAGroupToJoin) {
  const json deployment = json::parse(R"({"spec":{"template":{"spec":{
      "securityContext":{"runAsUser":33,"runAsGroup":33,"fsGroup":2000,"supplementalGroups":[44]},
      "containers":[{"name":"web","securityContext":{"runAsUser":1001}}]}}}})");
  const api::SecurityContext layer = WorkloadSecurityContext(deployment);
  EXPECT_EQ(layer.run_as_user, 1001) << "the container's runAsUser wins, as in the Pod";
  EXPECT_EQ(layer.run_as_group, 33);
  EXPECT_FALSE(layer.fs_group.has_value());
  EXPECT_EQ(layer.supplemental_groups, std::vector<std::int64_t>({44, 2000}));
}

TEST(RunAsTest, AWorkloadWithoutSecurityContextSaysNothing) {
  EXPECT_TRUE(WorkloadSecurityContext(json::parse(R"({"spec":{"template":{"spec":{"containers":[]}}}})")).Empty());
}

TEST(RunAsTest, MediaLayersAreTheEntryThenItsOwnerThenItsWorkload) {
  api::FileOwnerSpec owner{33, 33};
  api::WorkloadRef web{"Deployment", "web"};
  const WorkloadContexts workloads{{"Deployment/web", User(1000, 1000)}};
  api::SecurityContext entry;
  entry.supplemental_groups = std::vector<std::int64_t>{7};
  const auto layers = MediaLayers(entry, owner, web, workloads);
  ASSERT_EQ(layers.size(), 3u);
  const JobUser user = ResolveJobUser(layers, api::PodSettings{});
  EXPECT_EQ(user.uid, 33) << "the owner comes before the workload";
  EXPECT_EQ(user.supplemental_groups, std::vector<std::int64_t>({7, kImageUser}));
}

TEST(RunAsTest, AnUnobservedWorkloadAddsNoLayer) {
  EXPECT_TRUE(MediaLayers(std::nullopt, std::nullopt, api::WorkloadRef{"StatefulSet", "db"}, {}).empty());
}

TEST(RunAsTest, AnotherMediaSourcesGroupsAreTheGroupsItsFilesAreReachedBy) {
  api::SecurityContext c = User(33, 34);
  c.fs_group = 35;
  EXPECT_EQ(MediaGroups({c}), std::vector<std::int64_t>({34, 35}));
  EXPECT_EQ(MediaGroups({User(1000)}), std::vector<std::int64_t>({1000}));
}

TEST(RunAsTest, TheRepositorysGroupIsThePodSettingsGroup) {
  api::PodSettings settings;
  EXPECT_EQ(RepositoryGroup(settings), kImageUser);
  settings.security_context = User(1000);
  EXPECT_EQ(RepositoryGroup(settings), 1000);
  settings.security_context = User(1000, 2000);
  EXPECT_EQ(RepositoryGroup(settings), 2000);
}

}  // namespace
}  // namespace lifeboat::controllers
