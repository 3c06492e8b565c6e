// A BackupPolicy with database.method BaseBackup: base backups on the schedule and the WAL
// streamer Deployment it owns (docs/wal-archiving.md).
#include "controllers/backuppolicy/wal_streamer.h"

#include <gtest/gtest.h>

#include "controllers/backuppolicy/backup_job.h"
#include "operator/core/time_format.h"
#include "tests/controllers/backuppolicy/decide_fixture.h"

namespace lifeboat::controllers::backuppolicy {
namespace {

class WalStreamerTest : public DecideFixture {
 protected:
  WalStreamerTest() {
    spec()["database"] = {{"method", "BaseBackup"},
                          {"connection", {{"host", "db"}, {"port", 5432}, {"credentialsSecret", {{"name", "pg"}}}}},
                          {"walArchiving", {{"uploadInterval", "30s"}}}};
    spec().erase("media");
  }
  api::BackupPolicy Policy() {
    api::FieldErrors errors;
    api::BackupPolicy policy = api::ParseBackupPolicy(observed_.policy, &errors);
    EXPECT_TRUE(errors.empty()) << errors.ToString();
    return policy;
  }
  // The Deployment as the API server would hold it after the plan applied it.
  void ApplyStreamer(const BackupPolicyPlan& plan, int available) {
    ASSERT_TRUE(plan.apply_wal_streamer);
    nlohmann::json deployment = *plan.apply_wal_streamer;
    deployment["metadata"]["resourceVersion"] = "7";
    deployment["metadata"]["uid"] = "uid-streamer";
    deployment["status"] = {{"availableReplicas", available}};
    if (!available) {
      deployment["status"]["conditions"] = {{{"type", "Available"}, {"status", "False"},
                                             {"reason", "MinimumReplicasUnavailable"},
                                             {"message", "Deployment does not have minimum availability."}}};
    }
    observed_.wal_streamer = deployment;
  }
};

TEST_F(WalStreamerTest, TheStreamerIsOneRecreatedReplicaOfTheAgentWithTheSlotAndTheBuffer) {
  nlohmann::json d = BuildWalStreamerDeployment(Policy(), "lifeboat:test");
  EXPECT_EQ(d["kind"], "Deployment");
  EXPECT_EQ(d["metadata"]["name"], "shop-wal-streamer");
  EXPECT_EQ(d["metadata"]["ownerReferences"][0]["uid"], "uid-shop");
  EXPECT_EQ(d["spec"]["replicas"], 1);
  EXPECT_EQ(d["spec"]["strategy"]["type"], "Recreate") << "two streamers must never share the slot";
  const nlohmann::json& pod = d["spec"]["template"];
  for (const auto& [k, v] : d["spec"]["selector"]["matchLabels"].items()) EXPECT_EQ(pod["metadata"]["labels"][k], v) << k;
  EXPECT_EQ(pod["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(pod["spec"]["securityContext"]["runAsNonRoot"], true);
  const nlohmann::json& c = pod["spec"]["containers"][0];
  EXPECT_EQ(c["args"], nlohmann::json({"agent", "wal-stream", "--policy", "shop"}));
  std::map<std::string, nlohmann::json> env;
  for (const auto& e : c["env"]) env[e["name"]] = e;
  EXPECT_EQ(env["LIFEBOAT_WAL_SLOT"]["value"], "lifeboat_default_shop");
  EXPECT_EQ(env["LIFEBOAT_WAL_UPLOAD_INTERVAL"]["value"], "30");
  EXPECT_EQ(env["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"], "pg") << "credentials only as secretKeyRef";
  EXPECT_TRUE(env.count("RESTIC_PASSWORD"));
  EXPECT_EQ(pod["spec"]["volumes"][1]["emptyDir"]["sizeLimit"], "1Gi");
}

TEST_F(WalStreamerTest, TheStreamerReportsThroughItsOwnConfigMapWithARoleLimitedToIt) {
  std::map<std::string, nlohmann::json> access;
  for (const auto& object : BuildWalStreamerAccess(Policy())) access[object.kind] = object.object;
  ASSERT_EQ(access.size(), 4u);
  for (const auto& [kind, object] : access) {
    EXPECT_EQ(object["kind"], kind);
    EXPECT_EQ(object["metadata"]["name"], "shop-wal-streamer") << kind;
    EXPECT_EQ(object["metadata"]["ownerReferences"][0]["uid"], "uid-shop") << kind << ": goes with the policy";
  }
  const nlohmann::json& rule = access["Role"]["rules"][0];
  EXPECT_EQ(rule["resources"], nlohmann::json({"configmaps"}));
  EXPECT_EQ(rule["resourceNames"], nlohmann::json({"shop-wal-streamer"})) << "that one ConfigMap only";
  EXPECT_EQ(rule["verbs"], nlohmann::json({"get", "patch"}));
  EXPECT_EQ(access["RoleBinding"]["roleRef"]["name"], "shop-wal-streamer");
  EXPECT_EQ(access["RoleBinding"]["subjects"][0]["name"], "shop-wal-streamer");

  nlohmann::json d = BuildWalStreamerDeployment(Policy(), "lifeboat:test");
  EXPECT_EQ(d["spec"]["template"]["spec"]["serviceAccountName"], "shop-wal-streamer");
  EXPECT_EQ(d["spec"]["template"]["spec"]["automountServiceAccountToken"], true) << "it needs its token to report";
  std::map<std::string, nlohmann::json> env;
  for (const auto& e : d["spec"]["template"]["spec"]["containers"][0]["env"]) env[e["name"]] = e;
  EXPECT_EQ(env["LIFEBOAT_WAL_STATUS_CONFIGMAP"]["value"], "shop-wal-streamer");
}

TEST_F(WalStreamerTest, AServiceAccountOfTheUsersIsBoundInsteadOfANewOne) {
  // Repository credentials may be bound to it (workload identity): the streamer keeps using it.
  spec()["podSettings"] = {{"serviceAccountName", "backup-runner"}};
  std::map<std::string, nlohmann::json> access;
  for (const auto& object : BuildWalStreamerAccess(Policy())) access[object.kind] = object.object;
  EXPECT_FALSE(access.count("ServiceAccount"));
  EXPECT_EQ(access["RoleBinding"]["subjects"][0]["name"], "backup-runner");
  EXPECT_EQ(BuildWalStreamerDeployment(Policy(), "lifeboat:test")["spec"]["template"]["spec"]["serviceAccountName"],
            "backup-runner");
}

TEST_F(WalStreamerTest, TheSlotNameIsValidForPostgresAndCanBeChosen) {
  observed_.policy["metadata"]["namespace"] = "Team-A.prod";
  EXPECT_EQ(WalSlotName(Policy()), "lifeboat_team_a_prod_shop");
  observed_.policy["metadata"]["name"] = std::string(80, 'x');
  std::string slot = WalSlotName(Policy());
  EXPECT_LE(slot.size(), 63u);
  spec()["database"]["walArchiving"]["slotName"] = "orders_archive";
  EXPECT_EQ(WalSlotName(Policy()), "orders_archive");
}

TEST_F(WalStreamerTest, TheBaseBackupJobTakesTheWholeClusterNotDumps) {
  BackupRunRequest run{"shop-202611220600", kTriggerScheduled, At("2026-11-22T06:00:00Z"), "", {"database"}};
  nlohmann::json job = BuildBackupJob(Policy(), run, "lifeboat:test");
  const nlohmann::json& args = job["spec"]["template"]["spec"]["containers"][0]["args"];
  EXPECT_NE(std::find(args.begin(), args.end(), "--base-backup"), args.end());
  EXPECT_EQ(std::find(args.begin(), args.end(), "--database"), args.end());
  EXPECT_EQ(std::find(args.begin(), args.end(), "--format"), args.end());
}

TEST_F(WalStreamerTest, APolicyCreatesItsStreamerAndReportsItStartingThenRunning) {
  auto plan = Decide(observed_, At("2026-11-22T01:00:00Z"));
  ASSERT_TRUE(plan.apply_wal_streamer);
  EXPECT_FALSE((*plan.apply_wal_streamer)["metadata"].contains("resourceVersion")) << "a create";
  ASSERT_TRUE(plan.status.wal_archive);
  EXPECT_EQ(plan.status.wal_archive->state, "Starting");
  EXPECT_EQ(plan.status.wal_archive->slot, "lifeboat_default_shop");
  EXPECT_EQ(Cond(plan.status, "WalStreaming")->reason, "StreamerStarting");
  EXPECT_LE(*plan.requeue_after, kWalStreamerLook);

  ApplyStreamer(plan, 1);
  plan = DecideAndApply(At("2026-11-22T01:00:30Z"));
  EXPECT_FALSE(plan.apply_wal_streamer) << "up to date: nothing to apply";
  EXPECT_EQ(plan.status.wal_archive->state, "Running");
  EXPECT_EQ(Cond(plan.status, "WalStreaming")->status, ConditionStatus::kTrue);
}

// The ConfigMap as the streamer leaves it (wal_status_publisher.h).
nlohmann::json Report(const nlohmann::json& report) {
  return {{"metadata", {{"name", "shop-wal-streamer"}}}, {"data", {{"status.json", report.dump()}}}};
}

TEST_F(WalStreamerTest, TheAccessObjectsAreCreatedWithTheStreamerAndAgainWhenTheConfigMapIsGone) {
  auto plan = Decide(observed_, At("2026-11-22T01:00:00Z"));
  EXPECT_EQ(plan.apply_wal_access.size(), 4u);
  ApplyStreamer(plan, 1);
  observed_.wal_status = Report({});
  EXPECT_TRUE(Decide(observed_, At("2026-11-22T01:00:30Z")).apply_wal_access.empty()) << "all in place";
  observed_.wal_status.reset();
  EXPECT_EQ(Decide(observed_, At("2026-11-22T01:01:00Z")).apply_wal_access.size(), 4u);
}

TEST_F(WalStreamerTest, TheStreamersReportGivesTheWindowAndTheDatabasesRecoveryPoint) {
  spec()["database"]["targetRPO"] = "5m";
  auto plan = DecideAndApply(At("2026-11-22T06:00:01Z"));  // The scheduled base backup.
  ApplyStreamer(plan, 1);
  Finish(JobName(plan.create_jobs[0]), true, At("2026-11-22T06:01:00Z"));
  observed_.wal_status = Report({{"firstRecoverableTime", "2026-11-22T06:00:40.5Z"},
                                 {"lastRecoverableTime", "2026-11-22T07:59:30.123456Z"},
                                 {"lastSegment", "000000010000000000000042.partial"},
                                 {"lastUploadTime", "2026-11-22T07:59:31Z"},
                                 {"lagBytes", 8192},
                                 {"updated", "2026-11-22T07:59:50Z"}});
  plan = DecideAndApply(At("2026-11-22T08:00:00Z"));
  const api::WalArchiveStatus& wal = *plan.status.wal_archive;
  EXPECT_EQ(wal.state, "Running");
  EXPECT_EQ(FormatRfc3339Micro(*wal.first_recoverable_time), "2026-11-22T06:00:40.500000Z");
  EXPECT_EQ(FormatRfc3339Micro(*wal.last_recoverable_time), "2026-11-22T07:59:30.123456Z");
  EXPECT_EQ(wal.last_segment, "000000010000000000000042.partial");
  EXPECT_EQ(wal.lag_bytes, 8192);
  // Two hours after the base backup, the data lost in a disaster now is 29.876544 s: the RPO.
  EXPECT_EQ(plan.status.sources[0].rpo, "29s");
  EXPECT_EQ(Cond(plan.status, "RPOMet")->status, ConditionStatus::kTrue);
  // The streamer stops uploading: the recovery point ages and the objective is missed.
  observed_.wal_status = Report({{"lastRecoverableTime", "2026-11-22T07:59:30Z"}, {"updated", "2026-11-22T08:10:00Z"}});
  plan = DecideAndApply(At("2026-11-22T08:10:00Z"));
  EXPECT_EQ(Cond(plan.status, "RPOMet")->status, ConditionStatus::kFalse);
}

TEST_F(WalStreamerTest, AStreamerThatStopsReportingIsUnavailableEvenWithItsPodUp) {
  ApplyStreamer(Decide(observed_, At("2026-11-22T01:00:00Z")), 1);
  observed_.wal_status = Report({{"updated", "2026-11-22T01:00:10Z"}, {"lastError", "Uploading WAL: repository is locked"}});
  auto plan = Decide(observed_, At("2026-11-22T01:01:00Z"));
  EXPECT_EQ(plan.status.wal_archive->state, "Running");
  plan = Decide(observed_, At("2026-11-22T01:05:00Z"));
  EXPECT_EQ(plan.status.wal_archive->state, "Unavailable");
  EXPECT_EQ(Cond(plan.status, "WalStreaming")->reason, "StreamerUnavailable");
  EXPECT_EQ(Cond(plan.status, "WalStreaming")->message,
            "the WAL streamer has not reported since 2026-11-22T01:00:10Z; its last error: Uploading WAL: repository is locked");
}

TEST_F(WalStreamerTest, AGapInTheArchiveIsAnnouncedOnce) {
  ApplyStreamer(DecideAndApply(At("2026-11-22T01:00:00Z")), 1);
  observed_.wal_status = Report({{"gap", {{"fromLSN", "0/3000000"}, {"toLSN", "0/7000000"}}}, {"updated", "2026-11-22T01:00:20Z"}});
  auto plan = DecideAndApply(At("2026-11-22T01:00:30Z"));
  EXPECT_EQ(plan.status.wal_archive->gap, "0/3000000-0/7000000");
  ASSERT_EQ(std::count_if(plan.events.begin(), plan.events.end(), [](const auto& e) { return e.reason == "WalGap"; }), 1);
  plan = DecideAndApply(At("2026-11-22T01:01:00Z"));
  EXPECT_EQ(std::count_if(plan.events.begin(), plan.events.end(), [](const auto& e) { return e.reason == "WalGap"; }), 0);
}

TEST_F(WalStreamerTest, AnUnreadableReportKeepsTheLastKnownWindow) {
  ApplyStreamer(DecideAndApply(At("2026-11-22T01:00:00Z")), 1);
  observed_.wal_status = Report({{"lastRecoverableTime", "2026-11-22T01:00:20Z"}, {"updated", "2026-11-22T01:00:20Z"}});
  DecideAndApply(At("2026-11-22T01:00:30Z"));
  observed_.wal_status = nlohmann::json{{"data", {{"status.json", "{not json"}}}};
  auto plan = DecideAndApply(At("2026-11-22T01:01:00Z"));
  EXPECT_EQ(FormatRfc3339(*plan.status.wal_archive->last_recoverable_time), "2026-11-22T01:00:20Z");
  EXPECT_NE(plan.status.wal_archive->last_error.find("is not JSON"), std::string::npos);
}

TEST_F(WalStreamerTest, AnUnavailableStreamerSaysWhyFromItsDeployment) {
  ApplyStreamer(Decide(observed_, At("2026-11-22T01:00:00Z")), 0);
  auto plan = Decide(observed_, At("2026-11-22T01:00:30Z"));
  EXPECT_EQ(plan.status.wal_archive->state, "Unavailable");
  EXPECT_EQ(Cond(plan.status, "WalStreaming")->reason, "StreamerUnavailable");
  EXPECT_NE(Cond(plan.status, "WalStreaming")->message.find("minimum availability"), std::string::npos);
}

TEST_F(WalStreamerTest, AChangedPolicyReplacesTheStreamersSpec) {
  ApplyStreamer(Decide(observed_, At("2026-11-22T01:00:00Z")), 1);
  spec()["database"]["walArchiving"]["uploadInterval"] = "10s";
  auto plan = Decide(observed_, At("2026-11-22T01:00:30Z"));
  ASSERT_TRUE(plan.apply_wal_streamer);
  EXPECT_EQ((*plan.apply_wal_streamer)["metadata"]["resourceVersion"], "7") << "an update of the existing one";
}

TEST_F(WalStreamerTest, TheStreamerKeepsRunningWhileSuspendedOrWhileTheSpecIsBroken) {
  ApplyStreamer(Decide(observed_, At("2026-11-22T01:00:00Z")), 1);
  spec()["suspend"] = true;
  auto plan = Decide(observed_, At("2026-11-22T01:00:30Z"));
  EXPECT_TRUE(plan.delete_wal_streamer.empty()) << "a slot nobody reads fills the primary's disk";
  EXPECT_EQ(plan.status.wal_archive->state, "Running");
  spec()["suspend"] = false;
  spec()["schedule"] = "not a schedule";
  plan = Decide(observed_, At("2026-11-22T01:01:00Z"));
  EXPECT_TRUE(plan.delete_wal_streamer.empty());
  EXPECT_FALSE(plan.apply_wal_streamer);
  EXPECT_EQ(plan.status.wal_archive->state, "Waiting");
}

TEST_F(WalStreamerTest, APolicyThatStopsArchivingDeletesItsStreamer) {
  ApplyStreamer(DecideAndApply(At("2026-11-22T01:00:00Z")), 1);
  spec()["database"] = {{"method", "Dump"},
                        {"connection", {{"host", "db"}, {"port", 5432}, {"credentialsSecret", {{"name", "pg"}}}}},
                        {"databases", {"shop"}}};
  auto plan = Decide(observed_, At("2026-11-22T01:00:30Z"));
  EXPECT_EQ(plan.delete_wal_streamer, "shop-wal-streamer");
  EXPECT_EQ(plan.delete_wal_access, (std::vector<std::string>{"ConfigMap", "RoleBinding", "Role", "ServiceAccount"}));
  EXPECT_FALSE(plan.status.wal_archive);
  EXPECT_EQ(Cond(plan.status, "WalStreaming"), nullptr);
}

// The finalizer as the API server would hold it after the plan's patch.
void ApplyFinalizers(nlohmann::json& policy, const BackupPolicyPlan& plan) {
  ASSERT_TRUE(plan.metadata_patch);
  policy["metadata"]["finalizers"] = (*plan.metadata_patch)["metadata"]["finalizers"];
}

TEST_F(WalStreamerTest, APolicyThatArchivesWalKeepsAFinalizerForItsSlot) {
  observed_.policy["metadata"]["finalizers"] = {"example.com/other"};
  auto plan = Decide(observed_, At("2026-11-22T01:00:00Z"));
  ASSERT_TRUE(plan.metadata_patch);
  EXPECT_EQ((*plan.metadata_patch)["metadata"]["finalizers"], nlohmann::json({"example.com/other", "lifeboat.dev/wal-slot"}));
  ApplyFinalizers(observed_.policy, plan);
  EXPECT_FALSE(Decide(observed_, At("2026-11-22T01:00:30Z")).metadata_patch) << "once is enough";
}

TEST_F(WalStreamerTest, ADeletedPolicyStopsItsStreamerThenDropsItsSlotThenLetsGo) {
  auto plan = DecideAndApply(At("2026-11-22T01:00:00Z"));
  ApplyStreamer(plan, 1);
  ApplyFinalizers(observed_.policy, plan);
  observed_.policy["metadata"]["finalizers"].push_back("example.com/other");
  observed_.policy["metadata"]["deletionTimestamp"] = "2026-11-22T02:00:00Z";

  plan = Decide(observed_, At("2026-11-22T02:00:01Z"));
  EXPECT_EQ(plan.delete_wal_streamer, "shop-wal-streamer") << "the slot is in use while the streamer runs";
  EXPECT_TRUE(plan.drop_slot.empty());
  EXPECT_FALSE(plan.status_changed);
  EXPECT_TRUE(plan.create_jobs.empty());

  observed_.wal_streamer->at("metadata")["deletionTimestamp"] = "2026-11-22T02:00:01Z";  // Its Pod is stopping.
  plan = Decide(observed_, At("2026-11-22T02:00:05Z"));
  EXPECT_TRUE(plan.delete_wal_streamer.empty());
  EXPECT_TRUE(plan.drop_slot.empty());

  observed_.wal_streamer.reset();
  plan = Decide(observed_, At("2026-11-22T02:00:20Z"));
  EXPECT_EQ(plan.drop_slot, "lifeboat_default_shop");
  ASSERT_TRUE(plan.after_drop_patch);
  EXPECT_EQ((*plan.after_drop_patch)["metadata"]["finalizers"], nlohmann::json({"example.com/other"})) << "only ours goes";
  EXPECT_LE(*plan.requeue_after, kSlotDropRetry);
}

TEST_F(WalStreamerTest, ADeletedPolicyWhoseSlotCannotBeDroppedLetsGoWithAWarningNamingTheSlot) {
  auto plan = DecideAndApply(At("2026-11-22T01:00:00Z"));
  ApplyFinalizers(observed_.policy, plan);
  observed_.policy["metadata"]["deletionTimestamp"] = "2026-11-22T02:00:00Z";
  // Still trying within the deadline ...
  EXPECT_EQ(Decide(observed_, At("2026-11-22T02:09:00Z")).drop_slot, "lifeboat_default_shop");
  // ... and past it the deletion goes on.
  plan = Decide(observed_, At("2026-11-22T02:10:01Z"));
  EXPECT_TRUE(plan.drop_slot.empty());
  ASSERT_TRUE(plan.metadata_patch);
  EXPECT_EQ((*plan.metadata_patch)["metadata"]["finalizers"], nlohmann::json::array());
  ASSERT_EQ(plan.events.size(), 1u);
  EXPECT_EQ(plan.events[0].reason, "SlotNotDropped");
  EXPECT_NE(plan.events[0].message.find("SELECT pg_drop_replication_slot('lifeboat_default_shop')"), std::string::npos);
  // Credentials deleted with the namespace: no use waiting.
  observed_.secrets.erase("pg");
  plan = Decide(observed_, At("2026-11-22T02:00:05Z"));
  ASSERT_TRUE(plan.metadata_patch);
  EXPECT_NE(plan.events[0].message.find("credentials Secret pg is gone"), std::string::npos);
}

TEST_F(WalStreamerTest, APolicyThatStopsArchivingDropsTheSlotItStreamedWithOnceItsStreamerIsGone) {
  spec()["database"]["walArchiving"]["slotName"] = "orders_archive";
  auto plan = DecideAndApply(At("2026-11-22T01:00:00Z"));
  ApplyStreamer(plan, 1);
  ApplyFinalizers(observed_.policy, plan);
  spec()["database"] = {{"method", "Dump"},
                        {"connection", {{"host", "db"}, {"port", 5432}, {"credentialsSecret", {{"name", "pg"}}}}},
                        {"databases", {"shop"}}};
  plan = Decide(observed_, At("2026-11-22T01:00:30Z"));
  EXPECT_EQ(plan.delete_wal_streamer, "shop-wal-streamer");
  EXPECT_TRUE(plan.drop_slot.empty()) << "not while the streamer holds it";
  Apply(plan, At("2026-11-22T01:00:30Z"));
  observed_.wal_streamer.reset();
  plan = Apply(Decide(observed_, At("2026-11-22T01:01:00Z")), At("2026-11-22T01:01:00Z"));
  EXPECT_EQ(plan.drop_slot, "orders_archive") << "the slot status recorded, though the spec no longer names it";
  // The drop failed (the shell keeps the finalizer): the next try still knows the slot.
  EXPECT_EQ(Decide(observed_, At("2026-11-22T01:01:10Z")).drop_slot, "orders_archive");
  // Dropped: the finalizer goes, and with it the archive's status.
  observed_.policy["metadata"]["finalizers"] = (*plan.after_drop_patch)["metadata"]["finalizers"];
  plan = Decide(observed_, At("2026-11-22T01:01:20Z"));
  EXPECT_TRUE(plan.drop_slot.empty());
  EXPECT_FALSE(plan.status.wal_archive);
}

TEST_F(WalStreamerTest, ADeploymentOfThatNameThePolicyDoesNotOwnIsNeverTouched) {
  observed_.wal_streamer = nlohmann::json{
      {"metadata", {{"name", "shop-wal-streamer"}, {"ownerReferences", {{{"uid", "someone-else"}, {"controller", true}}}}}}};
  auto plan = Decide(observed_, At("2026-11-22T01:00:00Z"));
  EXPECT_FALSE(plan.apply_wal_streamer);
  EXPECT_TRUE(plan.delete_wal_streamer.empty());
  EXPECT_EQ(Cond(plan.status, "WalStreaming")->reason, "StreamerNameTaken");
}

TEST_F(WalStreamerTest, AnOddlyShapedDeploymentNeverCrashesTheDecision) {
  for (const nlohmann::json& odd : {nlohmann::json::array(), nlohmann::json("text"), nlohmann::json{{"metadata", 3}, {"status", "x"}}}) {
    observed_.wal_streamer = odd;
    auto plan = Decide(observed_, At("2026-11-22T01:00:00Z"));
    EXPECT_EQ(Cond(plan.status, "WalStreaming")->reason, "StreamerNameTaken") << odd.dump();
  }
}

TEST_F(WalStreamerTest, ADumpPolicyStillNeedsADatabaseToDump) {
  spec()["database"] = {{"method", "Dump"},
                        {"connection", {{"host", "db"}, {"port", 5432}, {"credentialsSecret", {{"name", "pg"}}}}}};
  api::BackupPolicy policy;
  api::FieldErrors errors = api::CheckBackupPolicy(observed_.policy, &policy);
  EXPECT_NE(errors.ToString().find("spec.database.databases"), std::string::npos) << errors.ToString();
}

}  // namespace
}  // namespace lifeboat::controllers::backuppolicy
