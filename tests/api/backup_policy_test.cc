#include "operator/api/backup_policy.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/api/test_files.h"

namespace lifeboat::api {
namespace {

using testing::LoadManifest;

nlohmann::json Sample() { return LoadManifest("config/samples/lifeboat_v1alpha1_backuppolicy.yaml"); }

std::string ErrorsOf(const nlohmann::json& object) { return CheckBackupPolicy(object).ToString(); }

TEST(BackupPolicyTest, SampleIsValidAndParsesEveryField) {
  BackupPolicy policy;
  FieldErrors errors = CheckBackupPolicy(Sample(), &policy);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(policy.metadata.name, "shop");
  EXPECT_EQ(policy.spec.schedule, "0 */6 * * *");
  EXPECT_EQ(policy.spec.time_zone, "Europe/Berlin");
  EXPECT_EQ(policy.spec.starting_deadline_seconds, 900);
  ASSERT_TRUE(policy.spec.database.has_value());
  EXPECT_EQ(policy.spec.database->connection.host, "shop-postgres.shop.svc");
  EXPECT_EQ(policy.spec.database->connection.credentials_secret, "shop-postgres-backup");
  EXPECT_EQ(policy.spec.database->connection.password_key, "password");  // Default.
  EXPECT_EQ(policy.spec.database->databases, std::vector<std::string>{"shop"});
  EXPECT_EQ(policy.spec.database->format, "Directory");
  EXPECT_EQ(policy.spec.database->jobs, 2);
  ASSERT_EQ(policy.spec.media.size(), 1u);
  EXPECT_EQ(policy.spec.media[0].exclude, (std::vector<std::string>{"cache/**", "*.tmp"}));
  ASSERT_TRUE(policy.spec.media[0].workload.has_value());
  EXPECT_EQ(policy.spec.media[0].workload->name, "shop-web");
  ASSERT_TRUE(policy.spec.repository.s3.has_value());
  EXPECT_EQ(policy.spec.repository.ResticUrl(), "s3:https://s3.eu-central-1.amazonaws.com/acme-shop-backups/prod/shop");
  EXPECT_EQ(policy.spec.repository.password_secret.name, "shop-backup-repository");
  ASSERT_TRUE(policy.spec.retention.has_value());
  EXPECT_EQ(policy.spec.retention->keep_daily, 7);
  EXPECT_EQ(policy.spec.retention->keep_hourly, std::nullopt);
  std::vector<BackupPolicySpec::SourceSchedule> sources = policy.spec.Sources();
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].name, "database");
  EXPECT_EQ(sources[0].schedule, "0 */6 * * *");
  EXPECT_EQ(sources[0].target_rpo, "6h30m");
  EXPECT_EQ(sources[1].name, "uploads");
  EXPECT_EQ(sources[1].schedule, "0 2 * * *");
  EXPECT_EQ(sources[1].target_rpo, "25h");
}

TEST(BackupPolicyTest, ParsesWhoTheJobsRunAs) {
  nlohmann::json object = Sample();
  object["spec"]["media"][0]["securityContext"] = {{"runAsUser", 33}, {"runAsGroup", 33}, {"supplementalGroups", {44}},
                                                   {"fsGroupChangePolicy", "OnRootMismatch"}};
  object["spec"]["podSettings"]["securityContext"] = {{"runAsUser", 1000}};
  BackupPolicy policy;
  ASSERT_TRUE(CheckBackupPolicy(object, &policy).empty()) << ErrorsOf(object);
  const SecurityContext& media = *policy.spec.media[0].security_context;
  EXPECT_EQ(media.run_as_user, 33);
  EXPECT_EQ(media.supplemental_groups, std::vector<std::int64_t>({44}));
  EXPECT_EQ(media.fs_group_change_policy, "OnRootMismatch");
  EXPECT_EQ(policy.spec.pod_settings.security_context->run_as_user, 1000);
}

TEST(BackupPolicyTest, RefusesIdsKubernetesWouldRefuse) {
  nlohmann::json object = Sample();
  object["spec"]["media"][0]["securityContext"] = {{"runAsUser", -1}, {"supplementalGroups", {"www-data"}}};
  const std::string errors = ErrorsOf(object);
  EXPECT_NE(errors.find("spec.media[0].securityContext.runAsUser: Invalid value: -1"), std::string::npos) << errors;
  EXPECT_NE(errors.find("spec.media[0].securityContext.supplementalGroups[0]"), std::string::npos) << errors;
}

TEST(BackupPolicyTest, FillsSchemaDefaultsWhenTheServerDidNot) {
  nlohmann::json object = Sample();
  object["spec"].erase("timeZone");
  object["spec"].erase("concurrencyPolicy");
  object["spec"].erase("historyLimit");
  object["spec"]["database"].erase("format");
  object["spec"]["database"].erase("jobs");
  BackupPolicy policy;
  EXPECT_TRUE(CheckBackupPolicy(object, &policy).empty());
  EXPECT_EQ(policy.spec.time_zone, "UTC");
  EXPECT_EQ(policy.spec.concurrency_policy, "Forbid");
  EXPECT_EQ(policy.spec.history_limit, 20);
  EXPECT_EQ(policy.spec.database->format, "Custom");
  EXPECT_EQ(policy.spec.database->jobs, 1);
  EXPECT_TRUE(policy.spec.database->globals);
  EXPECT_EQ(policy.spec.database->connection.port, 5432);
}

TEST(BackupPolicyTest, RejectsAnInvalidCronExpressionNamingTheField) {
  nlohmann::json object = Sample();
  object["spec"]["schedule"] = "0 25 * * *";
  EXPECT_EQ(ErrorsOf(object), "spec.schedule: Invalid value: \"0 25 * * *\": hour: 25 is out of range 0-23");
}

TEST(BackupPolicyTest, RejectsAnInvalidPerSourceSchedule) {
  nlohmann::json object = Sample();
  object["spec"]["media"][0]["schedule"] = "0 2 * * MONDAY";
  EXPECT_EQ(ErrorsOf(object),
            "spec.media[0].schedule: Invalid value: \"0 2 * * MONDAY\": day of week: \"MONDAY\" is not a number or a name");
}

TEST(BackupPolicyTest, RejectsAnUnknownTimeZone) {
  nlohmann::json object = Sample();
  object["spec"]["timeZone"] = "Europe/Atlantis";
  EXPECT_EQ(ErrorsOf(object),
            "spec.timeZone: Invalid value: \"Europe/Atlantis\": unknown time zone; use an IANA name such as Europe/Berlin or UTC");
}

TEST(BackupPolicyTest, RejectsMalformedDurations) {
  nlohmann::json object = Sample();
  object["spec"]["targetRPO"] = "6 hours";
  object["spec"]["retention"]["keepWithin"] = "30days";
  FieldErrors errors = CheckBackupPolicy(object);
  EXPECT_TRUE(errors.Has("spec.targetRPO")) << errors.ToString();
  EXPECT_TRUE(errors.Has("spec.retention.keepWithin")) << errors.ToString();
  EXPECT_NE(errors.ToString().find("spec.targetRPO: Invalid value: \"6 hours\": must be a duration such as 90s, 6h30m or 30d"),
            std::string::npos);
}

TEST(BackupPolicyTest, RejectsAnRPOShorterThanTheIntervalBetweenRuns) {
  nlohmann::json object = Sample();
  object["spec"]["targetRPO"] = "1h";
  EXPECT_EQ(ErrorsOf(object),
            "spec.targetRPO: Invalid value: \"1h\": shorter than the 6h between runs of source \"database\"; it could never be met");
  object = Sample();
  object["spec"]["media"][0]["targetRPO"] = "12h";
  EXPECT_EQ(ErrorsOf(object),
            "spec.media[0].targetRPO: Invalid value: \"12h\": shorter than the 1d between runs of source \"uploads\"; it could never be met");
}

TEST(BackupPolicyTest, RequiresSomethingToBackUp) {
  nlohmann::json object = Sample();
  object["spec"].erase("database");
  object["spec"].erase("media");
  object["spec"].erase("targetRPO");
  EXPECT_EQ(ErrorsOf(object), "spec: Required value: set spec.database, spec.media or both: a policy needs something to back up");
}

TEST(BackupPolicyTest, ParallelDumpJobsNeedTheDirectoryFormat) {
  nlohmann::json object = Sample();
  object["spec"]["database"]["format"] = "Custom";
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.jobs: Invalid value: 2: parallel dump jobs need spec.database.format Directory (format is Custom)");
}

TEST(BackupPolicyTest, RejectsDuplicateAndReservedSourceNames) {
  nlohmann::json object = Sample();
  object["spec"]["media"].push_back(object["spec"]["media"][0]);
  EXPECT_EQ(ErrorsOf(object), "spec.media[1].name: Duplicate value: \"uploads\"");
  object = Sample();
  object["spec"]["media"][0]["name"] = "database";
  EXPECT_EQ(ErrorsOf(object), "spec.media[0].name: Invalid value: \"database\": \"database\" is reserved for the database source");
}

TEST(BackupPolicyTest, RejectsSubPathsEscapingTheVolume) {
  nlohmann::json object = Sample();
  object["spec"]["media"][0]["subPath"] = "uploads/../../etc";
  EXPECT_EQ(ErrorsOf(object), "spec.media[0].subPath: Invalid value: \"uploads/../../etc\": must not contain '..'");
}

TEST(BackupPolicyTest, RepositoryNeedsExactlyOneBackend) {
  nlohmann::json object = Sample();
  object["spec"]["repository"]["persistentVolumeClaim"] = {{"claimName", "backups"}};
  EXPECT_EQ(ErrorsOf(object), "spec.repository: Forbidden: set exactly one of s3 or persistentVolumeClaim, not both");
  object["spec"]["repository"].erase("s3");
  object["spec"]["repository"].erase("persistentVolumeClaim");
  EXPECT_EQ(ErrorsOf(object), "spec.repository: Required value: set exactly one of s3 or persistentVolumeClaim");
}

TEST(BackupPolicyTest, RepositoryOnAClaimUsesTheMountPath) {
  nlohmann::json object = Sample();
  object["spec"]["repository"].erase("s3");
  object["spec"]["repository"]["persistentVolumeClaim"] = {{"claimName", "backups"}, {"path", "restic/shop"}};
  BackupPolicy policy;
  EXPECT_TRUE(CheckBackupPolicy(object, &policy).empty());
  EXPECT_EQ(policy.spec.repository.ResticUrl("/repo"), "/repo/restic/shop");
}

TEST(BackupPolicyTest, EmptyRetentionIsRejected) {
  nlohmann::json object = Sample();
  object["spec"]["retention"] = nlohmann::json::object();
  EXPECT_EQ(ErrorsOf(object),
            "spec.retention: Required value: set at least one keep rule (keepLast, keepDaily, ..., keepWithin), or remove retention to keep everything");
}

TEST(BackupPolicyTest, RejectsBadReadDataSubsets) {
  for (const char* bad : {"0%", "150%", "3/2", "lots"}) {
    nlohmann::json object = Sample();
    object["spec"]["verification"]["readDataSubset"] = bad;
    EXPECT_TRUE(CheckBackupPolicy(object).Has("spec.verification.readDataSubset")) << bad;
  }
  for (const char* good : {"5%", "2.5%", "1/10", "500M"}) {
    nlohmann::json object = Sample();
    object["spec"]["verification"]["readDataSubset"] = good;
    EXPECT_TRUE(CheckBackupPolicy(object).empty()) << good;
  }
}

TEST(BackupPolicyTest, ReportsWrongTypesAndUnsupportedEnumsLikeTheAPIServer) {
  nlohmann::json object = Sample();
  object["spec"]["concurrencyPolicy"] = "Allow";
  object["spec"]["suspend"] = "yes";
  EXPECT_EQ(ErrorsOf(object),
            "spec.suspend: Invalid value: \"string\": must be of type boolean; "
            "spec.concurrencyPolicy: Unsupported value: \"Allow\": supported values: \"Forbid\", \"Replace\"");
}

TEST(BackupPolicyTest, RequiresScheduleAndRepository) {
  nlohmann::json object = Sample();
  object["spec"].erase("schedule");
  object["spec"].erase("repository");
  FieldErrors errors = CheckBackupPolicy(object);
  EXPECT_TRUE(errors.Has("spec.schedule"));
  EXPECT_TRUE(errors.Has("spec.repository"));
}

TEST(BackupPolicyTest, VerifyCaNeedsACaSecret) {
  nlohmann::json object = Sample();
  object["spec"]["database"]["connection"]["sslMode"] = "verify-full";
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.connection.caSecret: Required value: sslMode verify-full needs the CA certificate to verify the server with");
}

BackupPolicyStatus FullStatus() {
  WallTime t0 = *ParseRfc3339("2026-11-22T00:00:00Z");
  BackupPolicyStatus status;
  status.observed_generation = 3;
  status.conditions = {{"Ready", ConditionStatus::kTrue, "Valid", "Policy is valid", t0, 3},
                       {"RPOMet", ConditionStatus::kFalse, "BackupTooOld", "uploads is 26h old", t0, 3}};
  status.last_schedule_time = t0;
  status.next_schedule_time = t0 + std::chrono::hours(6);
  BackupRef ref{"shop-database-29380320", "database", t0, t0 + std::chrono::minutes(3), 123456789, {"a1b2c3d4", "e5f6"}};
  status.last_successful_backup = ref;
  status.current_rpo = "26h";
  status.last_on_demand_token = "2026-11-22T00:00:00Z";
  status.sources = {{"database", "Database", "0 */6 * * *", t0, t0 + std::chrono::hours(6), 2, ref, "3h", "6h30m"},
                    {"uploads", "Media", "0 2 * * *", t0, std::nullopt, std::nullopt, std::nullopt, "", ""}};
  status.history = {{"shop-database-29380320", "database", "Scheduled", t0, t0, t0 + std::chrono::minutes(3), "Succeeded",
                     123456789, {"a1b2c3d4"}, "shop-database-29380320", "Backed up 1 database"},
                    {"shop-uploads-29380000", "uploads", "OnDemand", std::nullopt, t0, std::nullopt, "Running",
                     std::nullopt, {}, "shop-uploads-29380000", ""}};
  return status;
}

TEST(BackupPolicyTest, StatusRoundTripsThroughJson) {
  BackupPolicyStatus status = FullStatus();
  nlohmann::json json = BackupPolicyStatusToJson(status);
  FieldErrors errors;
  BackupPolicyStatus parsed = ParseBackupPolicyStatus(json, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(parsed, status);
  EXPECT_EQ(BackupPolicyStatusToJson(parsed), json);
}

TEST(BackupPolicyTest, StatusJsonUsesTheCrdFieldNames) {
  nlohmann::json json = BackupPolicyStatusToJson(FullStatus());
  EXPECT_EQ(json["lastSuccessfulBackup"]["snapshotIDs"][0], "a1b2c3d4");
  EXPECT_EQ(json["conditions"][0]["lastTransitionTime"], "2026-11-22T00:00:00Z");
  EXPECT_EQ(json["conditions"][1]["status"], "False");
  EXPECT_EQ(json["sources"][0]["missedRuns"], 2);
  EXPECT_EQ(json["history"][1]["result"], "Running");
  EXPECT_FALSE(json["history"][1].contains("completionTime"));  // Unset fields are omitted.
  EXPECT_EQ(json["currentRPO"], "26h");
}

TEST(BackupPolicyTest, ParsesTheStatusOfAWholeObject) {
  nlohmann::json object = Sample();
  object["status"] = BackupPolicyStatusToJson(FullStatus());
  BackupPolicy policy;
  EXPECT_TRUE(CheckBackupPolicy(object, &policy).empty());
  EXPECT_EQ(policy.status, FullStatus());
}

TEST(BackupPolicyTest, RejectsMalformedStatus) {
  nlohmann::json json = BackupPolicyStatusToJson(FullStatus());
  json["history"][0]["result"] = "Exploded";
  json["lastScheduleTime"] = "yesterday";
  FieldErrors errors;
  ParseBackupPolicyStatus(json, &errors);
  EXPECT_TRUE(errors.Has("status.history[0].result")) << errors.ToString();
  EXPECT_TRUE(errors.Has("status.lastScheduleTime")) << errors.ToString();
}

TEST(BackupPolicyTest, WrongKindIsReported) {
  nlohmann::json object = Sample();
  object["kind"] = "BackupPlan";
  EXPECT_EQ(ErrorsOf(object), "kind: Unsupported value: \"BackupPlan\": supported values: \"BackupPolicy\"");
}

}  // namespace
}  // namespace lifeboat::api
