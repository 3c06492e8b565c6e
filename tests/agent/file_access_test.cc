// The sentences a Job's user reads when it may not read or write media: who it is, which paths,
// their owner and mode, and the securityContext fields that let it in.
#include "operator/agent/file_access.h"

#include <gtest/gtest.h>

namespace lifeboat::agent {
namespace {

TEST(FileAccessTest, DescribesTheJobsUserWithItsGroups) {
  EXPECT_EQ(DescribeUser({65532, 65532, {}}), "uid 65532, gid 65532, no supplementary groups");
  EXPECT_EQ(DescribeUser({33, 33, {65532, 1000}}), "uid 33, gid 33, supplementary groups 65532, 1000");
}

TEST(FileAccessTest, NamesTheFirstPathsWithTheirOwnerAndCountsTheRest) {
  InaccessiblePaths paths;
  paths.Add("img", FileOwner{33, 33, 0750, true});
  for (int i = 0; i < 6; ++i) paths.Add("f" + std::to_string(i), FileOwner{33, 33, 0640, false});
  EXPECT_EQ(paths.count(), 7u);
  EXPECT_EQ(paths.Describe(),
            "img/ (uid 33, gid 33, mode 0750), f0 (uid 33, gid 33, mode 0640), f1 (uid 33, gid 33, mode 0640), "
            "f2 (uid 33, gid 33, mode 0640), f3 (uid 33, gid 33, mode 0640) and 2 more");
  EXPECT_EQ(paths.FirstOwner()->uid, 33u);
}

TEST(FileAccessTest, APathWhoseOwnerIsUnknownIsNamedAlone) {
  InaccessiblePaths paths;
  paths.Add("gone", std::nullopt);
  EXPECT_EQ(paths.Describe(), "gone");
  EXPECT_FALSE(paths.FirstOwner().has_value());
}

TEST(FileAccessTest, TheHintOffersTheOwnerAndTheGroupWhenTheGroupMayRead) {
  const std::string hint = RunAsHint(FileOwner{33, 33, 0640, false}, false);
  EXPECT_NE(hint.find("securityContext runAsUser: 33, runAsGroup: 33"), std::string::npos) << hint;
  EXPECT_NE(hint.find("supplementalGroups: [33]"), std::string::npos) << hint;
  EXPECT_NE(hint.find("spec.media[].securityContext"), std::string::npos) << hint;
  EXPECT_NE(hint.find("spec.media[].workload"), std::string::npos) << hint;
  EXPECT_NE(hint.find("spec.podSettings.securityContext"), std::string::npos) << hint;
}

TEST(FileAccessTest, TheGroupIsOfferedOnlyWhenItsBitsAllowIt) {
  EXPECT_EQ(RunAsHint(FileOwner{33, 33, 0600, false}, false).find("supplementalGroups"), std::string::npos);
  EXPECT_EQ(RunAsHint(FileOwner{33, 33, 0750, true}, true).find("supplementalGroups"), std::string::npos)
      << "the group may not write into the folder";
  EXPECT_NE(RunAsHint(FileOwner{33, 33, 0770, true}, true).find("supplementalGroups"), std::string::npos);
}

}  // namespace
}  // namespace lifeboat::agent
