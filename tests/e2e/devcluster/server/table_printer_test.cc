#include "e2e/devcluster/server/table_printer.h"

#include <gtest/gtest.h>

#include "operator/core/time_format.h"

namespace lifeboat::devcluster {
namespace {

WallTime At(const std::string& text) { return *ParseRfc3339(text); }

const nlohmann::json kGizmoColumns = nlohmann::json::parse(R"([
  {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
  {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
  {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
])");

TEST(TablePrinterTest, CustomResourceTableMatchesRecordedRealServerAnswer) {
  nlohmann::json gizmo = nlohmann::json::parse(R"({
    "apiVersion": "example.com/v1", "kind": "Gizmo",
    "metadata": {"name": "g1", "namespace": "default", "resourceVersion": "256",
                 "creationTimestamp": "2026-11-21T23:55:41Z"},
    "spec": {"mode": "safe", "size": 4},
    "status": {"conditions": [{"type": "Ready", "status": "True"}]}})");
  TablePrinter printer = TablePrinter::ForKind("example.com", "Gizmo", kGizmoColumns, true);
  nlohmann::json table = printer.BuildTable({gizmo}, {{"resourceVersion", "256"}}, At("2026-11-21T23:55:42Z"),
                                            IncludeObject::kMetadata);
  EXPECT_EQ(table["kind"], "Table");
  EXPECT_EQ(table["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(table["metadata"]["resourceVersion"], "256");
  ASSERT_EQ(table["columnDefinitions"].size(), 4u);
  EXPECT_EQ(table["columnDefinitions"][0]["name"], "Name");
  EXPECT_EQ(table["columnDefinitions"][0]["format"], "name");
  EXPECT_EQ(table["columnDefinitions"][1]["name"], "Size");
  EXPECT_EQ(table["columnDefinitions"][1]["type"], "integer");
  EXPECT_EQ(table["columnDefinitions"][1]["description"],
            "Custom resource definition column (in JSONPath format): .spec.size");
  EXPECT_EQ(table["columnDefinitions"][3]["type"], "date");
  EXPECT_EQ(table["rows"][0]["cells"], nlohmann::json::parse(R"(["g1", 4, "True", "1s"])"));
  EXPECT_EQ(table["rows"][0]["object"]["kind"], "PartialObjectMetadata");
  EXPECT_EQ(table["rows"][0]["object"]["metadata"]["name"], "g1");
}

TEST(TablePrinterTest, MissingCustomValuesAreNullCells) {
  nlohmann::json gizmo = {{"metadata", {{"name", "g2"}}}, {"spec", {{"size", 1}}}};
  TablePrinter printer = TablePrinter::ForKind("example.com", "Gizmo", kGizmoColumns, true);
  EXPECT_EQ(printer.Cells(gizmo, At("2026-11-21T23:55:42Z")), nlohmann::json::parse(R"(["g2", 1, null, null])"));
}

TEST(TablePrinterTest, CustomResourceWithoutColumnsGetsAge) {
  TablePrinter printer = TablePrinter::ForKind("example.com", "Plain", nlohmann::json::array(), true);
  nlohmann::json columns = printer.ColumnDefinitions();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[1]["name"], "Age");
}

TEST(TablePrinterTest, IncludeObjectControlsRowObjects) {
  TablePrinter printer = TablePrinter::ForKind("", "ConfigMap", nullptr, false);
  nlohmann::json cm = {{"kind", "ConfigMap"}, {"metadata", {{"name", "c"}}}, {"data", {{"a", "1"}, {"b", "2"}}}};
  auto none = printer.BuildTable({cm}, nullptr, At("2026-11-21T23:55:42Z"), IncludeObject::kNone);
  EXPECT_FALSE(none["rows"][0].contains("object"));
  auto full = printer.BuildTable({cm}, nullptr, At("2026-11-21T23:55:42Z"), IncludeObject::kObject);
  EXPECT_EQ(full["rows"][0]["object"], cm);
  EXPECT_EQ(full["rows"][0]["cells"][1], 2);
  IncludeObject parsed;
  EXPECT_TRUE(ParseIncludeObject("", parsed));
  EXPECT_EQ(parsed, IncludeObject::kMetadata);
  EXPECT_FALSE(ParseIncludeObject("Everything", parsed));
}

TEST(TablePrinterTest, PodColumnsShowReadinessStatusAndRestarts) {
  nlohmann::json pod = nlohmann::json::parse(R"({
    "metadata": {"name": "p", "creationTimestamp": "2026-11-21T23:50:00Z"},
    "spec": {"containers": [{"name": "a"}, {"name": "b"}]},
    "status": {"phase": "Running", "containerStatuses": [
      {"name": "a", "ready": true, "restartCount": 1, "state": {"running": {}}},
      {"name": "b", "ready": false, "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}})");
  TablePrinter printer = TablePrinter::ForKind("", "Pod", nullptr, false);
  nlohmann::json cells = printer.Cells(pod, At("2026-11-21T23:55:00Z"));
  EXPECT_EQ(cells, nlohmann::json::parse(R"(["p", "1/2", "CrashLoopBackOff", "3", "5m", "<none>", "<none>", "<none>", "<none>"])"));
  EXPECT_EQ(printer.ColumnDefinitions()[5]["priority"], 1);
}

TEST(TablePrinterTest, JobColumnsShowStatusCompletionsAndDuration) {
  nlohmann::json job = nlohmann::json::parse(R"({
    "metadata": {"name": "backup", "creationTimestamp": "2026-11-21T23:00:00Z"},
    "spec": {"completions": 1, "template": {"spec": {"containers": [{"name": "c", "image": "img"}]}}},
    "status": {"succeeded": 1, "startTime": "2026-11-21T23:00:00Z", "completionTime": "2026-11-21T23:00:42Z",
               "conditions": [{"type": "Complete", "status": "True"}]}})");
  TablePrinter printer = TablePrinter::ForKind("batch", "Job", nullptr, false);
  nlohmann::json cells = printer.Cells(job, At("2026-11-21T23:10:00Z"));
  EXPECT_EQ(cells[0], "backup");
  EXPECT_EQ(cells[1], "Complete");
  EXPECT_EQ(cells[2], "1/1");
  EXPECT_EQ(cells[3], "42s");
  EXPECT_EQ(cells[4], "10m");
  EXPECT_EQ(cells[5], "c");
  EXPECT_EQ(cells[6], "img");
}

TEST(TablePrinterTest, DeploymentReadyFollowsStatus) {
  nlohmann::json deployment = nlohmann::json::parse(R"({
    "metadata": {"name": "web", "creationTimestamp": "2026-11-21T23:00:00Z"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}},
    "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}})");
  TablePrinter printer = TablePrinter::ForKind("apps", "Deployment", nullptr, false);
  nlohmann::json cells = printer.Cells(deployment, At("2026-11-21T23:00:30Z"));
  EXPECT_EQ(cells[1], "2/3");
  EXPECT_EQ(cells[2], 3);
  EXPECT_EQ(cells[3], 2);
  EXPECT_EQ(cells[4], "30s");
  EXPECT_EQ(cells[7], "app=web");
}

TEST(TablePrinterTest, ReplicaSetShowsDesiredCurrentReady) {
  nlohmann::json rs = nlohmann::json::parse(R"({
    "metadata": {"name": "web-abc", "creationTimestamp": "2026-11-21T23:00:00Z"},
    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "abc"}},
             "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}},
    "status": {"replicas": 2, "readyReplicas": 1}})");
  TablePrinter printer = TablePrinter::ForKind("apps", "ReplicaSet", nullptr, false);
  nlohmann::json columns = printer.ColumnDefinitions();
  std::vector<std::string> names;
  for (const auto& c : columns) names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"}));
  nlohmann::json cells = printer.Cells(rs, At("2026-11-21T23:00:30Z"));
  EXPECT_EQ(cells[0], "web-abc");
  EXPECT_EQ(cells[1], 3);
  EXPECT_EQ(cells[2], 2);
  EXPECT_EQ(cells[3], 1);
  EXPECT_EQ(cells[4], "30s");
  EXPECT_EQ(cells[5], "web");
  EXPECT_EQ(cells[6], "web:1");
  EXPECT_EQ(cells[7], "app=web,pod-template-hash=abc");
}

TEST(TablePrinterTest, UnknownBuiltinKindGetsNameAndAge) {
  TablePrinter printer = TablePrinter::ForKind("", "Widget", nullptr, false);
  nlohmann::json columns = printer.ColumnDefinitions();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0]["name"], "Name");
  EXPECT_EQ(columns[1]["name"], "Age");
}

}  // namespace
}  // namespace lifeboat::devcluster
