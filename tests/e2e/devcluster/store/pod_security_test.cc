// Pod Security admission in the test control plane, as the API server words it: a namespace's
// enforce label decides the level; a Pod breaking it is refused with the real server's violation
// list; a compliant Pod (as Lifeboat's Jobs make them) is admitted.
#include "e2e/devcluster/store/pod_security.h"

#include <gtest/gtest.h>

namespace lifeboat::devcluster {
namespace {

using nlohmann::json;

json Pod(json container_security = json(), json pod_security = json()) {
  json container = {{"name", "agent"}, {"image", "lifeboat"}};
  if (!container_security.is_null()) container["securityContext"] = container_security;
  json spec = {{"containers", {container}}};
  if (!pod_security.is_null()) spec["securityContext"] = pod_security;
  return {{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", {{"name", "p"}}}, {"spec", spec}};
}

// What controllers/common/run_as.cc and agent_job.cc put on every Job's Pod.
json CompliantPod() {
  return Pod({{"allowPrivilegeEscalation", false}, {"capabilities", {{"drop", {"ALL"}}}}},
             {{"runAsUser", 65532}, {"runAsGroup", 65532}, {"runAsNonRoot", true}, {"seccompProfile", {{"type", "RuntimeDefault"}}}});
}

const json kRestricted = {{"pod-security.kubernetes.io/enforce", "restricted"}};

TEST(PodSecurityTest, APlainPodBreaksRestrictedAsTheApiServerSaysIt) {
  EXPECT_EQ(PodSecurityDenial(kRestricted, Pod()),
            "violates PodSecurity \"restricted:latest\": allowPrivilegeEscalation != false (container \"agent\" must set "
            "securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \"agent\" must set "
            "securityContext.capabilities.drop=[\"ALL\"]), runAsNonRoot != true (pod or container \"agent\" must set "
            "securityContext.runAsNonRoot=true), seccompProfile (pod or container \"agent\" must set "
            "securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
}

TEST(PodSecurityTest, LifeboatsJobPodsAreAdmittedUnderRestricted) {
  EXPECT_EQ(PodSecurityDenial(kRestricted, CompliantPod()), "");
}

TEST(PodSecurityTest, WithoutALabelOrWithPrivilegedEverythingIsAdmitted) {
  EXPECT_EQ(PodSecurityDenial(json::object(), Pod()), "");
  EXPECT_EQ(PodSecurityDenial({{"pod-security.kubernetes.io/enforce", "privileged"}}, Pod({{"privileged", true}})), "");
}

TEST(PodSecurityTest, BaselineRefusesOnlyTheDangerousParts) {
  const json baseline = {{"pod-security.kubernetes.io/enforce", "baseline"}, {"pod-security.kubernetes.io/enforce-version", "v1.32"}};
  EXPECT_EQ(PodSecurityDenial(baseline, Pod()), "") << "baseline does not ask for runAsNonRoot or seccomp";
  json pod = Pod({{"privileged", true}});
  pod["spec"]["hostNetwork"] = true;
  pod["spec"]["volumes"] = {{{"name", "host"}, {"hostPath", {{"path", "/"}}}}};
  EXPECT_EQ(PodSecurityDenial(baseline, pod),
            "violates PodSecurity \"baseline:v1.32\": host namespaces (hostNetwork=true), privileged (container \"agent\" "
            "must not set securityContext.privileged=true), hostPath volumes (volume \"host\")");
}

TEST(PodSecurityTest, RootAndExtraCapabilitiesAreNamed) {
  json pod = CompliantPod();
  pod["spec"]["securityContext"]["runAsUser"] = 0;
  pod["spec"]["containers"][0]["securityContext"]["capabilities"]["add"] = {"SYS_ADMIN"};
  const std::vector<std::string> v = PodSecurityViolations("restricted", pod);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v[0], "non-default capabilities (container \"agent\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)");
  EXPECT_EQ(v[1], "unrestricted capabilities (container \"agent\" must not include \"SYS_ADMIN\" in securityContext.capabilities.add)");
  EXPECT_EQ(v[2], "runAsUser=0 (pod must not set runAsUser=0)");
}

TEST(PodSecurityTest, APodLevelSettingCoversEveryContainerUnlessOneOverridesIt) {
  json pod = CompliantPod();
  pod["spec"]["initContainers"] = {{{"name", "init"},
                                    {"securityContext", {{"allowPrivilegeEscalation", false},
                                                         {"capabilities", {{"drop", {"ALL"}}}},
                                                         {"runAsNonRoot", false}}}}};
  EXPECT_EQ(PodSecurityViolations("restricted", pod),
            std::vector<std::string>{"runAsNonRoot != true (container \"init\" must not set securityContext.runAsNonRoot=false)"});
}

TEST(PodSecurityTest, RestrictedAllowsOnlyItsVolumeTypes) {
  json pod = CompliantPod();
  pod["spec"]["volumes"] = {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "c"}}}},
                            {{"name", "scratch"}, {"emptyDir", json::object()}},
                            {{"name", "nfs"}, {"nfs", {{"server", "x"}, {"path", "/"}}}}};
  EXPECT_EQ(PodSecurityViolations("restricted", pod),
            std::vector<std::string>{"restricted volume types (volume \"nfs\" uses restricted volume type \"nfs\")"});
}

}  // namespace
}  // namespace lifeboat::devcluster
