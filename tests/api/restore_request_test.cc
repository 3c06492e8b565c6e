#include "operator/api/restore_request.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"
#include "tests/api/test_files.h"

namespace lifeboat::api {
namespace {

nlohmann::json Sample() { return testing::LoadManifest("config/samples/lifeboat_v1alpha1_restorerequest.yaml"); }

std::string ErrorsOf(const nlohmann::json& object) { return CheckRestoreRequest(object).ToString(); }

TEST(RestoreRequestTest, SampleIsValidAndParsesTheRunbook) {
  RestoreRequest request;
  FieldErrors errors = CheckRestoreRequest(Sample(), &request);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(request.spec.source.policy_name, "shop");
  EXPECT_FALSE(request.spec.source.before.has_value());
  ASSERT_TRUE(request.spec.database.has_value());
  EXPECT_EQ(request.spec.database->mode, "Replace");
  EXPECT_EQ(request.spec.database->confirm, "shop");
  EXPECT_EQ(request.spec.database->SourceDatabase(), "shop");
  ASSERT_EQ(request.spec.media.size(), 1u);
  EXPECT_EQ(request.spec.media[0].mode, "Merge");
  ASSERT_TRUE(request.spec.quiesce.has_value());
  ASSERT_EQ(request.spec.quiesce->workloads.size(), 2u);
  EXPECT_EQ(request.spec.quiesce->workloads[1].name, "shop-worker");
  EXPECT_TRUE(request.spec.SafetyBackupEnabled());
  ASSERT_EQ(request.spec.post_restore.size(), 1u);
  EXPECT_EQ(request.spec.post_restore[0].command, (std::vector<std::string>{"python", "manage.py", "migrate", "--noinput"}));
  EXPECT_EQ(request.spec.post_restore[0].env_from_secrets, std::vector<std::string>{"shop-web-env"});
  ASSERT_EQ(request.spec.verify.sql.size(), 2u);
  EXPECT_EQ(request.spec.verify.sql[0].expected, "t");
  EXPECT_EQ(request.spec.TargetKeys(),
            (std::vector<std::string>{"database/shop-postgres.shop.svc:5432/shop", "media/shop-media/uploads"}));
}

TEST(RestoreRequestTest, AMediaTargetMayNameItsOwnerAndItsWorkload) {
  nlohmann::json object = Sample();
  object["spec"]["media"][0]["workload"] = {{"kind", "Deployment"}, {"name", "shop-web"}};
  RestoreRequest request;
  FieldErrors errors = CheckRestoreRequest(object, &request);
  ASSERT_TRUE(errors.empty()) << errors.ToString();
  ASSERT_TRUE(request.spec.media[0].owner.has_value());
  EXPECT_EQ(request.spec.media[0].owner->uid, 33);
  EXPECT_EQ(request.spec.media[0].owner->gid, 33);
  EXPECT_EQ(request.spec.media[0].workload->name, "shop-web");
  object["spec"]["media"][0]["owner"] = {{"uid", 33}};
  EXPECT_NE(CheckRestoreRequest(object).ToString().find("spec.media[0].owner.gid: Required value"), std::string::npos)
      << CheckRestoreRequest(object).ToString();
}

TEST(RestoreRequestTest, ReplaceWithoutConfirmIsRefused) {
  nlohmann::json object = Sample();
  object["spec"]["database"].erase("confirm");
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.confirm: Required value: mode Replace overwrites database \"shop\"; set confirm to \"shop\" to proceed");
}

TEST(RestoreRequestTest, ReplaceWithAConfirmNamingAnotherDatabaseIsRefused) {
  nlohmann::json object = Sample();
  object["spec"]["database"]["confirm"] = "shop-staging";
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.confirm: Invalid value: \"shop-staging\": must equal spec.database.database (\"shop\") to replace it");
}

TEST(RestoreRequestTest, NewDatabaseNeedsNoConfirmAndNoSafetyBackup) {
  nlohmann::json object = Sample();
  object["spec"]["database"]["mode"] = "NewDatabase";
  object["spec"]["database"]["database"] = "shop_restored";
  object["spec"]["database"].erase("confirm");
  object["spec"].erase("safetyBackup");
  RestoreRequest request;
  EXPECT_TRUE(CheckRestoreRequest(object, &request).empty());
  EXPECT_FALSE(request.spec.SafetyBackupEnabled());  // Media is Merge, database is new.
  object["spec"]["media"][0]["mode"] = "Replace";
  EXPECT_TRUE(CheckRestoreRequest(object, &request).empty());
  EXPECT_TRUE(request.spec.SafetyBackupEnabled());  // Any Replace turns it on by default.
}

TEST(RestoreRequestTest, SafetyBackupCanBeTurnedOffExplicitlyWhenNothingIsReplaced) {
  nlohmann::json object = Sample();
  object["spec"]["database"]["mode"] = "NewDatabase";
  object["spec"]["safetyBackup"]["enabled"] = false;
  RestoreRequest request;
  EXPECT_TRUE(CheckRestoreRequest(object, &request).empty());
  EXPECT_FALSE(request.spec.SafetyBackupEnabled());
}

TEST(RestoreRequestTest, SourceNeedsExactlyOneOfPolicyOrRepository) {
  nlohmann::json object = Sample();
  object["spec"]["source"].erase("policyRef");
  EXPECT_EQ(ErrorsOf(object),
            "spec.source: Required value: set spec.source.policyRef (a BackupPolicy) or spec.source.repository (inline)");
  object["spec"]["source"]["policyRef"] = {{"name", "shop"}};
  object["spec"]["source"]["repository"] = {{"persistentVolumeClaim", {{"claimName", "backups"}}},
                                            {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}};
  EXPECT_EQ(ErrorsOf(object), "spec.source: Forbidden: set only one of spec.source.policyRef or spec.source.repository");
}

TEST(RestoreRequestTest, InlineRepositoryForTheTotalLossCase) {
  nlohmann::json object = Sample();
  object["spec"]["source"] = {{"repository",
                               {{"s3", {{"endpoint", "https://s3.example.com"}, {"bucket", "shop-backups"},
                                        {"credentialsSecret", {{"name", "s3"}}}}},
                                {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}}},
                              {"before", "2026-11-21T23:00:00Z"}};
  RestoreRequest request;
  FieldErrors errors = CheckRestoreRequest(object, &request);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  ASSERT_TRUE(request.spec.source.repository.has_value());
  EXPECT_EQ(request.spec.source.repository->ResticUrl(), "s3:https://s3.example.com/shop-backups");
  EXPECT_EQ(request.spec.source.repository->password_secret.key, "password");
  EXPECT_EQ(FormatRfc3339(*request.spec.source.before), "2026-11-21T23:00:00Z");
}

TEST(RestoreRequestTest, RejectsAMalformedBeforeTime) {
  nlohmann::json object = Sample();
  object["spec"]["source"]["before"] = "last tuesday";
  EXPECT_EQ(ErrorsOf(object),
            "spec.source.before: Invalid value: \"last tuesday\": must be an RFC 3339 time such as 2026-11-22T01:02:03Z");
}

TEST(RestoreRequestTest, NeedsATarget) {
  nlohmann::json object = Sample();
  object["spec"].erase("database");
  object["spec"].erase("media");
  object["spec"]["verify"].erase("sql");
  EXPECT_EQ(ErrorsOf(object), "spec: Required value: set spec.database, spec.media or both: a restore needs a target");
}

TEST(RestoreRequestTest, RejectsTwoTargetsForTheSameDirectory) {
  nlohmann::json object = Sample();
  object["spec"]["media"].push_back(object["spec"]["media"][0]);
  EXPECT_EQ(ErrorsOf(object), "spec.media[1]: Duplicate value: \"shop-media/uploads\"");
}

TEST(RestoreRequestTest, RejectsDuplicateWorkloadsJobsAndChecks) {
  nlohmann::json object = Sample();
  object["spec"]["quiesce"]["workloads"].push_back(object["spec"]["quiesce"]["workloads"][0]);
  object["spec"]["postRestore"]["jobs"].push_back(object["spec"]["postRestore"]["jobs"][0]);
  object["spec"]["verify"]["sql"].push_back(object["spec"]["verify"]["sql"][0]);
  FieldErrors errors = CheckRestoreRequest(object);
  EXPECT_TRUE(errors.Has("spec.quiesce.workloads[2]")) << errors.ToString();
  EXPECT_TRUE(errors.Has("spec.postRestore.jobs[1].name")) << errors.ToString();
  EXPECT_TRUE(errors.Has("spec.verify.sql[2].name")) << errors.ToString();
}

TEST(RestoreRequestTest, EnvVarTakesOneSource) {
  nlohmann::json object = Sample();
  object["spec"]["postRestore"]["jobs"][0]["env"] = {
      {{"name", "X"}, {"value", "1"}, {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}}};
  EXPECT_EQ(ErrorsOf(object),
            "spec.postRestore.jobs[0].env[0]: Forbidden: set only one of value, valueFrom.secretKeyRef, valueFrom.configMapKeyRef");
}

TEST(RestoreRequestTest, AReplaceThatKeepsNoCopyCannotTurnTheSafetyBackupOff) {
  const std::string refused =
      "spec.safetyBackup.enabled: Forbidden: a Replace restore that keeps no copy of what it replaces (strategy "
      "InPlace, media mode Replace, or keepPreviousFor: 0s) always takes a safety backup first, so nothing is "
      "overwritten without a way back; remove enabled: false, or restore with mode NewDatabase / Merge";
  nlohmann::json object = Sample();
  object["spec"]["database"]["mode"] = "Replace";
  object["spec"]["database"]["confirm"] = object["spec"]["database"]["database"];
  object["spec"]["database"]["strategy"] = "InPlace";
  object["spec"]["safetyBackup"] = {{"enabled", false}};
  EXPECT_EQ(ErrorsOf(object), refused);
  object["spec"]["database"]["strategy"] = "Swap";
  object["spec"]["database"]["keepPreviousFor"] = "0s";
  EXPECT_EQ(ErrorsOf(object), refused);
  object["spec"]["database"]["keepPreviousFor"] = "2h";
  EXPECT_EQ(ErrorsOf(object), "") << "a Swap keeps the replaced database: the safety backup may be left out";
  object["spec"]["database"]["mode"] = "NewDatabase";
  object["spec"]["media"] = {{{"sourceName", "uploads"}, {"claimName", "media"}, {"mode", "Merge"}}};
  EXPECT_EQ(ErrorsOf(object), "") << "turning it off is fine when nothing is replaced";
}

TEST(RestoreRequestTest, DatabaseStrategyOwnerAndRetentionParseWithDefaults) {
  nlohmann::json object = Sample();
  RestoreRequest parsed;
  ASSERT_EQ(CheckRestoreRequest(object, &parsed).ToString(), "");
  EXPECT_EQ(parsed.spec.database->strategy, "Swap");
  EXPECT_EQ(parsed.spec.database->keep_previous_for, "24h");
  EXPECT_FALSE(parsed.spec.database->keep_failed);
  object["spec"]["database"]["strategy"] = "Sideways";
  object["spec"]["database"]["keepPreviousFor"] = "a day";
  object["spec"]["database"]["owner"] = std::string(64, 'o');
  std::string errors = ErrorsOf(object);
  EXPECT_NE(errors.find("spec.database.strategy: Unsupported value: \"Sideways\""), std::string::npos) << errors;
  EXPECT_NE(errors.find("spec.database.keepPreviousFor: Invalid value: \"a day\""), std::string::npos) << errors;
  EXPECT_NE(errors.find("spec.database.owner: Invalid value"), std::string::npos) << errors;
}

TEST(RestoreRequestTest, ASwapRestoresTheDatabaseBeforeTheQuiesceAndSwapsItInAfterTheSafetyBackup) {
  nlohmann::json object = Sample();
  object["spec"]["database"]["mode"] = "Replace";
  FieldErrors errors;
  RestoreRequest parsed = ParseRestoreRequest(object, &errors);
  EXPECT_EQ(parsed.spec.Steps(), (std::vector<std::string>{"Validate", "RestoreDatabase", "Quiesce", "SafetyBackup",
                                                          "SwapDatabase", "RestoreMedia", "PostRestore", "Verify",
                                                          "RollBack", "Resume"}));
  object["spec"]["database"]["strategy"] = "InPlace";
  parsed = ParseRestoreRequest(object, &errors);
  EXPECT_EQ(parsed.spec.Steps(), (std::vector<std::string>{"Validate", "Quiesce", "SafetyBackup", "RestoreDatabase",
                                                          "RestoreMedia", "PostRestore", "Verify", "RollBack", "Resume"}));
}

TEST(RestoreRequestTest, StatusRoundTripsRolesAndThePreviousDatabase) {
  RestoreRequestStatus status;
  status.roles_created = {"app_owner", "reporting"};
  status.previous_database = PreviousDatabase{"shop_before_fix", WallTime{} + std::chrono::hours(24), std::nullopt, ""};
  FieldErrors errors;
  RestoreRequestStatus back = ParseRestoreRequestStatus(RestoreRequestStatusToJson(status), &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(back, status);
}

TEST(RestoreRequestTest, SqlChecksNeedTheRestoredDatabasesConnection) {
  nlohmann::json object = Sample();
  object["spec"].erase("database");
  EXPECT_EQ(ErrorsOf(object),
            "spec.database: Required value: spec.verify.sql runs on the restored database's server (spec.database.connection)");
}

TEST(RestoreRequestTest, UnsupportedModeIsReportedLikeTheAPIServer) {
  nlohmann::json object = Sample();
  object["spec"]["database"]["mode"] = "Overwrite";
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.mode: Unsupported value: \"Overwrite\": supported values: \"NewDatabase\", \"Replace\"");
}

TEST(RestoreRequestTest, SpecChangesAfterTheStartAreDetected) {
  RestoreRequest request;
  ASSERT_TRUE(CheckRestoreRequest(Sample(), &request).empty());
  request.metadata.generation = 1;
  EXPECT_EQ(SpecChangeAfterStart(request), "");  // Not started.
  request.status.started_generation = 1;
  EXPECT_EQ(SpecChangeAfterStart(request), "");  // Unchanged.
  request.metadata.generation = 2;
  EXPECT_EQ(SpecChangeAfterStart(request),
            "The spec changed after the restore started (generation 2, started with 1); the change is ignored. "
            "Create a new RestoreRequest to restore differently");
}

RestoreRequestStatus FullStatus() {
  WallTime t0 = *ParseRfc3339("2026-11-22T01:00:00Z");
  RestoreRequestStatus status;
  status.observed_generation = 1;
  status.started_generation = 1;
  status.phase = "Failed";
  status.current_step = "Resume";
  status.conditions = {{"Succeeded", ConditionStatus::kFalse, "VerificationFailed", "Row count of orders differs", t0, 1}};
  status.start_time = t0;
  status.completion_time = t0 + std::chrono::minutes(4);
  status.duration = "4m12s";
  status.steps = {{"Validate", "Succeeded", t0, t0, {}, "Source and Secrets found"},
                  {"Quiesce", "Succeeded", t0, t0 + std::chrono::seconds(20), {}, "Scaled 2 workloads to 0"},
                  {"RestoreDatabase", "Succeeded", t0, t0, {"shop-emergency-restore-db"}, ""},
                  {"Verify", "Failed", t0, t0, {"shop-emergency-restore-verify"}, "1 of 12 checks failed"},
                  {"Resume", "Running", t0, std::nullopt, {}, ""}};
  status.quiesced_workloads = {{"Deployment", "shop-web", 3}, {"Deployment", "shop-worker", 0}};
  status.safety_backups = {{"pre-restore-1", "database", t0, t0, 42, {"abcd"}}};
  status.restored_backups = {{"database/shop", {"shop-database-1", "database", t0, t0, 99, {"ef01"}}}};
  status.backup_age = "3h2m";
  status.checks = {{"orders", "RowCount", "1200", "1199", false, "1 row missing"},
                   {"has-admin", "SQL", "t", "t", true, ""}};
  return status;
}

TEST(RestoreRequestTest, StatusRoundTripsThroughJson) {
  RestoreRequestStatus status = FullStatus();
  nlohmann::json json = RestoreRequestStatusToJson(status);
  FieldErrors errors;
  RestoreRequestStatus parsed = ParseRestoreRequestStatus(json, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(parsed, status);
  EXPECT_EQ(RestoreRequestStatusToJson(parsed), json);
  EXPECT_EQ(json["quiescedWorkloads"][0]["replicas"], 3);
  EXPECT_EQ(json["steps"][2]["jobs"][0], "shop-emergency-restore-db");
  EXPECT_EQ(json["restoredBackups"][0]["backup"]["id"], "shop-database-1");
}

TEST(RestoreRequestTest, EmptyStatusSerializesToAnEmptyObject) {
  EXPECT_EQ(RestoreRequestStatusToJson(RestoreRequestStatus{}), nlohmann::json::object());
}

// ---- point-in-time recovery (spec.database.recoveryTarget, spec.database.tables) ----

nlohmann::json PointInTimeSample() {
  return testing::LoadManifest("config/samples/lifeboat_v1alpha1_restorerequest_pitr.yaml");
}

TEST(RestoreRequestPointInTimeTest, SampleRestoresOneTableAsItWasAtATime) {
  RestoreRequest request;
  ASSERT_EQ(CheckRestoreRequest(PointInTimeSample(), &request).ToString(), "");
  const DatabaseTarget& d = *request.spec.database;
  EXPECT_TRUE(d.PointInTime());
  EXPECT_EQ(d.recovery_target, "2026-11-22T06:10:00Z");
  EXPECT_EQ(d.tables, (std::vector<std::string>{"public.votes"}));
  EXPECT_TRUE(d.ReplacesTables());
  // Tables are replaced inside the live database: neither a Swap nor an InPlace drop, so the
  // application is stopped and the database backed up before the restore step.
  EXPECT_FALSE(d.Swaps());
  EXPECT_FALSE(d.InPlace());
  EXPECT_EQ(request.spec.Steps()[1], kStepQuiesce);
  EXPECT_TRUE(request.spec.SafetyBackupEnabled());
}

TEST(RestoreRequestPointInTimeTest, AcceptsLatestATimeWithAnOffsetAndAnLsn) {
  for (const char* target : {"latest", "2026-11-22T06:10:00.250+01:00", "lsn:0/3009310", "lsn:1A/FF"}) {
    nlohmann::json object = PointInTimeSample();
    object["spec"]["database"]["recoveryTarget"] = target;
    EXPECT_EQ(ErrorsOf(object), "") << target;
  }
}

TEST(RestoreRequestPointInTimeTest, RejectsWhatTheAgentCouldNotRecoverTo) {
  for (const char* target : {"yesterday", "2026-13-22T06:10:00Z", "lsn:0/XYZ", "lsn:3009310", "LATEST"}) {
    nlohmann::json object = PointInTimeSample();
    object["spec"]["database"]["recoveryTarget"] = target;
    EXPECT_EQ(ErrorsOf(object), "spec.database.recoveryTarget: Invalid value: \"" + std::string(target) +
                                    "\": must be \"latest\", an RFC 3339 time such as 2026-11-22T06:00:00Z, or lsn:X/Y "
                                    "(hexadecimal)");
  }
}

TEST(RestoreRequestPointInTimeTest, ABackupIdAndARecoveryTargetAreExclusive) {
  nlohmann::json object = PointInTimeSample();
  object["spec"]["database"]["backupID"] = "provote-1";
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.recoveryTarget: Forbidden: set only one of spec.database.backupID (a dump) or "
            "spec.database.recoveryTarget (a point-in-time recovery)");
}

TEST(RestoreRequestPointInTimeTest, TablesNeedARecoveryTarget) {
  nlohmann::json object = PointInTimeSample();
  object["spec"]["database"].erase("recoveryTarget");
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.tables: Forbidden: single tables are restored from a point-in-time recovery: set "
            "spec.database.recoveryTarget (for example latest)");
}

TEST(RestoreRequestPointInTimeTest, TableNamesAreUnquotedIdentifiersOnceEach) {
  nlohmann::json object = PointInTimeSample();
  object["spec"]["database"]["tables"] = {"votes", "public.votes", "Public.Votes_2$", "1votes", "a.b.c", "public.",
                                          std::string(64, 'x'), "votes"};
  EXPECT_EQ(ErrorsOf(object),
            "spec.database.tables[3]: Invalid value: \"1votes\": must be schema.table or table (in public): unquoted "
            "identifiers of letters, digits, _ and $, not starting with a digit, at most 63 characters each; "
            "spec.database.tables[4]: Invalid value: \"a.b.c\": must be schema.table or table (in public): unquoted "
            "identifiers of letters, digits, _ and $, not starting with a digit, at most 63 characters each; "
            "spec.database.tables[5]: Invalid value: \"public.\": must be schema.table or table (in public): unquoted "
            "identifiers of letters, digits, _ and $, not starting with a digit, at most 63 characters each; "
            "spec.database.tables[6]: Invalid value: \"" + std::string(64, 'x') +
                "\": must be schema.table or table (in public): unquoted identifiers of letters, digits, _ and $, not "
                "starting with a digit, at most 63 characters each; "
                "spec.database.tables[7]: Duplicate value: \"votes\"");
}

TEST(RestoreRequestPointInTimeTest, NeedsThePolicyWhoseWalItReplays) {
  nlohmann::json object = PointInTimeSample();
  object["spec"]["source"] = {{"repository",
                               {{"persistentVolumeClaim", {{"claimName", "backups"}}},
                                {"encryption", {{"passwordSecret", {{"name", "repo"}}}}}}}};
  EXPECT_EQ(ErrorsOf(object),
            "spec.source.policyRef: Required value: a point-in-time recovery replays the WAL a BackupPolicy with "
            "method BaseBackup archived; name that policy in spec.source.policyRef");
}

TEST(RestoreRequestPointInTimeTest, ReplacingTablesCannotTurnTheSafetyBackupOff) {
  nlohmann::json object = PointInTimeSample();
  object["spec"]["safetyBackup"] = {{"enabled", false}};
  EXPECT_NE(ErrorsOf(object).find("spec.safetyBackup.enabled: Forbidden"), std::string::npos) << ErrorsOf(object);
}

TEST(RestoreRequestPointInTimeTest, StatusRoundTripsThePointReached) {
  RestoreRequestStatus status;
  status.recovery = RecoveryStatus{"2026-11-22T06:10:00Z", "2026-11-22T06:09:59.912345Z", "0/3009310", "provote-base-3",
                                   "2026-11-22T00:00:12.000000Z", "2026-11-22T06:14:00.000001Z", 12, {"public.votes"}};
  nlohmann::json json = RestoreRequestStatusToJson(status);
  EXPECT_EQ(json["recovery"]["reachedTime"], "2026-11-22T06:09:59.912345Z");
  EXPECT_EQ(json["recovery"]["baseBackupID"], "provote-base-3");
  FieldErrors errors;
  RestoreRequestStatus back = ParseRestoreRequestStatus(json, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToString();
  EXPECT_EQ(back, status);
}

}  // namespace
}  // namespace lifeboat::api
