#include "e2e/devcluster/jobs/job_pod_builder.h"

#include <gtest/gtest.h>

#include "e2e/devcluster/jobs/job_decide.h"

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

TEST(JobPodBuilderTest, PodCarriesTheRealControllersLabelsOwnerAndFinalizer) {
  json job = {{"metadata", {{"name", "ok-job"}, {"namespace", "team"}, {"uid", "195147d1"}}},
              {"spec",
               {{"template",
                 {{"metadata", {{"labels", {{"app", "x"}}}, {"annotations", {{"a", "b"}}}}},
                  {"spec", {{"restartPolicy", "Never"}, {"containers", json::array({{{"name", "main"}}})}}}}}}}};
  json pod = BuildJobPod(job, "n8thl");
  EXPECT_EQ(pod["apiVersion"], "v1");
  EXPECT_EQ(pod["kind"], "Pod");
  EXPECT_EQ(pod["metadata"]["name"], "ok-job-n8thl");
  EXPECT_EQ(pod["metadata"]["generateName"], "ok-job-");
  EXPECT_EQ(pod["metadata"]["namespace"], "team");
  EXPECT_EQ(pod["metadata"]["labels"],
            (json{{"app", "x"},
                  {"job-name", "ok-job"},
                  {"controller-uid", "195147d1"},
                  {"batch.kubernetes.io/job-name", "ok-job"},
                  {"batch.kubernetes.io/controller-uid", "195147d1"}}));
  EXPECT_EQ(pod["metadata"]["annotations"], (json{{"a", "b"}}));
  EXPECT_EQ(pod["metadata"]["ownerReferences"],
            json::array({{{"apiVersion", "batch/v1"},
                          {"kind", "Job"},
                          {"name", "ok-job"},
                          {"uid", "195147d1"},
                          {"controller", true},
                          {"blockOwnerDeletion", true}}}));
  EXPECT_EQ(pod["metadata"]["finalizers"], json::array({kJobTrackingFinalizer}));
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Never");
}

TEST(JobPodBuilderTest, SuffixesAreFiveCharactersOfTheGenerateNameAlphabet) {
  std::mt19937_64 random(42);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string suffix = RandomNameSuffix(random);
    ASSERT_EQ(suffix.size(), 5u);
    for (char c : suffix) EXPECT_NE(kNameSuffixAlphabet.find(c), std::string_view::npos);
    seen.insert(suffix);
  }
  EXPECT_GT(seen.size(), 190u);
}

TEST(JobPodBuilderTest, PodNameKeepsAtMost58CharactersOfTheGenerateNameAsTheApiServerDoes) {
  const std::string job_name(63, 'j');  // the longest Job name (its job-name label must fit)
  json job = {{"metadata", {{"name", job_name}, {"namespace", "team"}, {"uid", "u"}}}};
  json pod = BuildJobPod(job, "n8thl");
  EXPECT_EQ(pod["metadata"]["generateName"], job_name + "-");
  EXPECT_EQ(pod["metadata"]["name"], std::string(58, 'j') + "n8thl");
  EXPECT_EQ(GeneratedName("short-", "abcde"), "short-abcde");
}

}  // namespace
}  // namespace lifeboat::devcluster
