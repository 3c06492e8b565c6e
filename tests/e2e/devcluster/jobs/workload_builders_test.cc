// The small pure pieces of the workload controllers: int-or-percent scaling, the pod template
// hash, and the Pod a ReplicaSet creates.
#include <gtest/gtest.h>

#include "e2e/devcluster/jobs/job_pod_builder.h"
#include "e2e/devcluster/jobs/pod_template_hash.h"
#include "e2e/devcluster/jobs/replica_set_pod_builder.h"
#include "e2e/devcluster/jobs/workload_fields.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

TEST(WorkloadFieldsTest, ScalesIntOrPercentAsIntstrDoes) {
  struct Case {
    json value;
    int64_t total;
    bool round_up;
    int64_t want;
  };
  const std::vector<Case> cases = {
      {"25%", 1, true, 1},  {"25%", 1, false, 0}, {"25%", 4, true, 1}, {"25%", 4, false, 1},
      {"25%", 10, true, 3}, {"25%", 10, false, 2}, {2, 10, true, 2},   {"100%", 3, false, 3},
      {"0%", 5, true, 0},   {"x%", 5, true, 0},    {"5", 5, true, 0},  {nullptr, 5, true, 0},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(workload::ScaledValue(c.value, c.total, c.round_up), c.want) << c.value.dump() << " of " << c.total;
  }
}

json Template(const std::string& image) {
  return {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec", {{"containers", json::array({{{"name", "web"}, {"image", image}}})}}}};
}

TEST(PodTemplateHashTest, IsStableShortAndFollowsTheTemplateAndCollisionCount) {
  const std::string hash = PodTemplateHash(Template("a:1"), std::nullopt);
  EXPECT_EQ(hash, PodTemplateHash(Template("a:1"), std::nullopt));
  EXPECT_NE(hash, PodTemplateHash(Template("a:2"), std::nullopt));
  EXPECT_NE(hash, PodTemplateHash(Template("a:1"), 1));
  EXPECT_EQ(PodTemplateHash(Template("a:1"), 0), PodTemplateHash(Template("a:1"), 0));
  EXPECT_GE(hash.size(), 1u);
  EXPECT_LE(hash.size(), 10u);
  for (char c : hash) EXPECT_NE(kNameSuffixAlphabet.find(c), std::string_view::npos) << hash;
}

TEST(PodTemplateHashTest, TemplatesCompareWithoutTheHashLabel) {
  json labelled = Template("a:1");
  labelled["metadata"]["labels"][kPodTemplateHashLabel] = "abc";
  EXPECT_TRUE(EqualIgnoreHash(labelled, Template("a:1")));
  EXPECT_FALSE(EqualIgnoreHash(labelled, Template("a:2")));
  json only_hash = {{"metadata", {{"labels", {{kPodTemplateHashLabel, "abc"}}}}}, {"spec", json::object()}};
  EXPECT_TRUE(EqualIgnoreHash(only_hash, json{{"metadata", json::object()}, {"spec", json::object()}}));
}

TEST(ReplicaSetPodBuilderTest, BuildsThePodOfTheTemplateOwnedByTheReplicaSet) {
  json rs = {{"metadata", {{"name", "web-abc"}, {"namespace", "shop"}, {"uid", "rs-uid"}}},
             {"spec",
              {{"template",
                {{"metadata", {{"labels", {{"app", "web"}, {"pod-template-hash", "abc"}}},
                               {"annotations", {{"note", "x"}}},
                               {"creationTimestamp", nullptr}}},
                 {"spec", {{"containers", json::array({{{"name", "web"}, {"image", "web:1"}}})}}}}}}}};
  json pod = BuildReplicaSetPod(rs, "xyz12");
  EXPECT_EQ(pod["apiVersion"], "v1");
  EXPECT_EQ(pod["kind"], "Pod");
  EXPECT_EQ(pod["metadata"]["name"], "web-abc-xyz12");
  EXPECT_EQ(pod["metadata"]["generateName"], "web-abc-");
  EXPECT_EQ(pod["metadata"]["namespace"], "shop");
  EXPECT_EQ(pod["metadata"]["labels"], (json{{"app", "web"}, {"pod-template-hash", "abc"}}));
  EXPECT_EQ(pod["metadata"]["annotations"], (json{{"note", "x"}}));
  EXPECT_FALSE(pod["metadata"].contains("creationTimestamp"));
  EXPECT_EQ(pod["metadata"]["ownerReferences"],
            json::parse(R"([{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-abc","uid":"rs-uid",
                             "controller":true,"blockOwnerDeletion":true}])"));
  EXPECT_EQ(pod["spec"], rs["spec"]["template"]["spec"]);
}

}  // namespace
}  // namespace lifeboat::devcluster
