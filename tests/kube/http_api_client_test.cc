#include "operator/kube/http_api_client.h"

#include <gtest/gtest.h>

#include "operator/kube/api_error.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_http_transport.h"

namespace lifeboat::kube {
namespace {

using testing::FakeClock;
using testing::FakeHttpTransport;

const ResourceRef kConfigMaps{"", "v1", "configmaps", "ConfigMap", true};
const ResourceRef kGizmos{"example.com", "v1", "gizmos", "Gizmo", true};
const ResourceRef kNamespaces{"", "v1", "namespaces", "Namespace", false};

// Watch lines as a real API server sends them (k8s-wire 20), managedFields trimmed.
const std::string kWatchBody =
    R"({"type":"MODIFIED","object":{"apiVersion":"example.com/v1","kind":"Gizmo","metadata":{"name":"g1","namespace":"default","resourceVersion":"255","uid":"f565b7fb-1c54-4440-a796-7db2912e220f"},"spec":{"mode":"safe","size":4}}})"
    "\n"
    R"({"type":"DELETED","object":{"apiVersion":"example.com/v1","kind":"Gizmo","metadata":{"name":"g1","namespace":"default","resourceVersion":"258","uid":"f565b7fb-1c54-4440-a796-7db2912e220f"},"spec":{"mode":"safe","size":7}}})"
    "\n"
    R"({"type":"BOOKMARK","object":{"apiVersion":"example.com/v1","kind":"Gizmo","metadata":{"resourceVersion":"258"}}})"
    "\n";

struct Harness {
  FakeClock clock;
  FakeHttpTransport transport;
  std::vector<std::chrono::milliseconds> sleeps;
  std::unique_ptr<HttpApiClient> client;
  Harness() {
    HttpApiClientOptions options;
    options.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
    client = std::make_unique<HttpApiClient>(transport, clock, options);
  }
};

std::vector<WatchEvent> DrainWatch(WatchStream& stream, Status* end = nullptr) {
  std::vector<WatchEvent> events;
  while (true) {
    auto next = stream.Next();
    if (!next.ok()) {
      if (end) *end = next.status();
      break;
    }
    if (!next->has_value()) break;
    events.push_back(std::move(**next));
  }
  return events;
}

TEST(HttpApiClientTest, WatchDecodesLinesSplitAtEveryPossibleChunkBoundary) {
  for (size_t split = 1; split < kWatchBody.size(); ++split) {
    Harness h;
    h.transport.RespondStream({kWatchBody.substr(0, split), kWatchBody.substr(split)});
    auto stream = h.client->Watch(kGizmos, "default", {.resource_version = "254"});
    ASSERT_TRUE(stream.ok()) << stream.status();
    auto events = DrainWatch(**stream);
    ASSERT_EQ(events.size(), 3u) << "split at " << split;
    EXPECT_EQ(events[0].type, WatchEventType::kModified);
    EXPECT_EQ(events[0].object["spec"]["size"], 4);
    EXPECT_EQ(events[1].type, WatchEventType::kDeleted);
    EXPECT_EQ(events[2].type, WatchEventType::kBookmark);
    EXPECT_EQ(ObjectResourceVersion(events[2].object), "258");
  }
}

TEST(HttpApiClientTest, WatchDecodesByteByByteChunks) {
  Harness h;
  std::vector<std::string> chunks;
  for (char c : kWatchBody) chunks.emplace_back(1, c);
  h.transport.RespondStream(chunks);
  auto stream = h.client->Watch(kGizmos, "", {});
  ASSERT_TRUE(stream.ok());
  EXPECT_EQ(DrainWatch(**stream).size(), 3u);
}

TEST(HttpApiClientTest, WatchRequestsBookmarksAndResumesFromTheResourceVersion) {
  Harness h;
  h.transport.RespondStream({});
  auto stream = h.client->Watch(kGizmos, "default",
                                {.resource_version = "258", .label_selector = "app in (a,b)", .timeout_seconds = 300});
  ASSERT_TRUE(stream.ok());
  auto requests = h.transport.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "GET");
  EXPECT_EQ(requests[0].path_and_query,
            "/apis/example.com/v1/namespaces/default/gizmos?watch=1&resourceVersion=258&allowWatchBookmarks=true&"
            "labelSelector=app%20in%20%28a%2Cb%29&timeoutSeconds=300");
}

TEST(HttpApiClientTest, WatchReturnsTheExpiredErrorEventAsAnEvent) {
  Harness h;
  h.transport.RespondStream(
      {R"j({"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (235)","reason":"Expired","code":410}})j"
       "\n"});
  auto stream = h.client->Watch(kConfigMaps, "default", {.resource_version = "1"});
  ASSERT_TRUE(stream.ok());
  auto events = DrainWatch(**stream);
  ASSERT_EQ(events.size(), 1u);
  ASSERT_EQ(events[0].type, WatchEventType::kError);
  Status status = WatchErrorToStatus(events[0]);
  EXPECT_TRUE(IsExpired(status)) << status;
  EXPECT_NE(status.message().find("too old resource version"), std::string::npos);
}

TEST(HttpApiClientTest, WatchAnsweredWithHttp410IsExpired) {
  Harness h;
  h.transport.RespondStream({}, Status::Ok(), 410,
                            R"({"kind":"Status","reason":"Expired","message":"too old resource version","code":410})");
  auto stream = h.client->Watch(kConfigMaps, "default", {.resource_version = "1"});
  ASSERT_FALSE(stream.ok());
  EXPECT_TRUE(IsExpired(stream.status()));
}

TEST(HttpApiClientTest, ABrokenWatchConnectionIsAnErrorAfterTheEventsReceived) {
  Harness h;
  h.transport.RespondStream({kWatchBody.substr(0, kWatchBody.find('\n') + 10)}, UnavailableError("connection reset"));
  auto stream = h.client->Watch(kGizmos, "default", {});
  ASSERT_TRUE(stream.ok());
  Status end;
  auto events = DrainWatch(**stream, &end);
  EXPECT_EQ(events.size(), 1u);
  EXPECT_EQ(end.code(), StatusCode::kUnavailable);
}

TEST(HttpApiClientTest, MalformedWatchLineIsAnError) {
  Harness h;
  h.transport.RespondStream({"{not json}\n"});
  auto stream = h.client->Watch(kGizmos, "default", {});
  ASSERT_TRUE(stream.ok());
  Status end;
  DrainWatch(**stream, &end);
  EXPECT_EQ(end.code(), StatusCode::kInvalidArgument);
}

TEST(HttpApiClientTest, BuildsPathsForCoreGroupNamedGroupsAndClusterScope) {
  Harness h;
  h.transport.Respond(200, R"({"kind":"ConfigMap","metadata":{"name":"a"}})");
  h.transport.Respond(200, R"({"kind":"Gizmo","metadata":{"name":"g1"}})");
  h.transport.Respond(200, R"({"kind":"Namespace","metadata":{"name":"n"}})");
  h.transport.Respond(200, R"({"kind":"Gizmo","metadata":{"name":"g1"}})");
  EXPECT_TRUE(h.client->Get(kConfigMaps, "ns1", "a").ok());
  EXPECT_TRUE(h.client->Get(kGizmos, "ns1", "g1").ok());
  EXPECT_TRUE(h.client->Get(kNamespaces, "", "n").ok());
  EXPECT_TRUE(h.client->Get(kGizmos, "ns1", "g1", "status").ok());
  auto requests = h.transport.requests();
  EXPECT_EQ(requests[0].path_and_query, "/api/v1/namespaces/ns1/configmaps/a");
  EXPECT_EQ(requests[1].path_and_query, "/apis/example.com/v1/namespaces/ns1/gizmos/g1");
  EXPECT_EQ(requests[2].path_and_query, "/api/v1/namespaces/n");
  EXPECT_EQ(requests[3].path_and_query, "/apis/example.com/v1/namespaces/ns1/gizmos/g1/status");
}

TEST(HttpApiClientTest, RejectsNamesThatWouldEscapeThePath) {
  Harness h;
  EXPECT_EQ(h.client->Get(kConfigMaps, "ns1", "../secrets/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.client->Get(kConfigMaps, "", "a").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(h.client->Get(kNamespaces, "ns1", "a").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(h.transport.requests().empty());
}

TEST(HttpApiClientTest, ListFollowsContinueTokensAcrossPages) {
  Harness h;
  h.transport.Respond(200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"235","continue":"tok1"},"items":[{"metadata":{"name":"page-1","namespace":"default"}},{"metadata":{"name":"page-2","namespace":"default"}}]})");
  h.transport.Respond(200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"235"},"items":[{"metadata":{"name":"page-3","namespace":"default"}}]})");
  auto list = h.client->List(kConfigMaps, "default", {.limit = 2});
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->items.size(), 3u);
  EXPECT_EQ(list->resource_version, "235");
  // Items of a list come without kind/apiVersion; the client restores them.
  EXPECT_EQ(list->items[0]["kind"], "ConfigMap");
  EXPECT_EQ(list->items[0]["apiVersion"], "v1");
  auto requests = h.transport.requests();
  EXPECT_EQ(requests[0].path_and_query, "/api/v1/namespaces/default/configmaps?limit=2");
  EXPECT_EQ(requests[1].path_and_query, "/api/v1/namespaces/default/configmaps?limit=2&continue=tok1");
}

TEST(HttpApiClientTest, ListRestartsOnceWhenTheContinueTokenExpired) {
  Harness h;
  h.transport.Respond(200, R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"10","continue":"old"},"items":[{"metadata":{"name":"a","namespace":"d"}}]})");
  h.transport.Respond(410, R"({"kind":"Status","reason":"Expired","message":"The provided continue parameter is too old","code":410})");
  h.transport.Respond(200, R"({"kind":"ConfigMapList","metadata":{"resourceVersion":"20"},"items":[{"metadata":{"name":"a","namespace":"d"}},{"metadata":{"name":"b","namespace":"d"}}]})");
  auto list = h.client->List(kConfigMaps, "d", {.limit = 1});
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->items.size(), 2u);
  EXPECT_EQ(list->resource_version, "20");
}

TEST(HttpApiClientTest, Retries429AfterTheRetryAfterDelay) {
  Harness h;
  h.transport.Respond(429, R"({"kind":"Status","reason":"TooManyRequests","code":429})", {{"retry-after", "3"}});
  h.transport.Respond(429, "", {});
  h.transport.Respond(200, R"({"kind":"ConfigMap","metadata":{"name":"a"}})");
  auto got = h.client->Get(kConfigMaps, "d", "a");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::seconds(3), std::chrono::seconds(1)}));
  EXPECT_EQ(h.transport.requests().size(), 3u);
}

TEST(HttpApiClientTest, GivesUpOn429AfterTheRetryLimitAsUnavailable) {
  FakeClock clock;
  FakeHttpTransport transport;
  int sleeps = 0;
  HttpApiClientOptions options;
  options.max_throttle_retries = 2;
  options.sleep = [&](std::chrono::milliseconds) { ++sleeps; };
  HttpApiClient client(transport, clock, options);
  for (int i = 0; i < 3; ++i) transport.Respond(429, "", {{"retry-after", "1000"}});
  auto got = client.Get(kConfigMaps, "d", "a");
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(sleeps, 2);
}

TEST(HttpApiClientTest, RetryAfterIsCapped) {
  Harness h;
  h.transport.Respond(503, "", {{"retry-after", "86400"}});
  h.transport.Respond(200, R"({"kind":"ConfigMap","metadata":{"name":"a"}})");
  ASSERT_TRUE(h.client->Get(kConfigMaps, "d", "a").ok());
  EXPECT_EQ(h.sleeps, (std::vector<std::chrono::milliseconds>{std::chrono::seconds(60)}));
}

TEST(HttpApiClientTest, ServerErrorsWithoutRetryAfterAreReturnedAsUnavailable) {
  Harness h;
  h.transport.Respond(503, "");
  EXPECT_EQ(h.client->Get(kConfigMaps, "d", "a").status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(h.sleeps.empty());
}

TEST(HttpApiClientTest, TransportFailuresAreUnavailable) {
  Harness h;
  h.transport.Fail(UnavailableError("connection refused"));
  EXPECT_EQ(h.client->Get(kConfigMaps, "d", "a").status().code(), StatusCode::kUnavailable);
}

TEST(HttpApiClientTest, CreatePostsToTheCollectionWithTheNamespaceSet) {
  Harness h;
  h.transport.Respond(201, R"({"kind":"ConfigMap","metadata":{"name":"a","namespace":"d","uid":"u"}})");
  auto created = h.client->Create(kConfigMaps, "d", {{"metadata", {{"name", "a"}}}});
  ASSERT_TRUE(created.ok());
  auto request = h.transport.requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path_and_query, "/api/v1/namespaces/d/configmaps");
  EXPECT_EQ(Json::parse(request.body)["metadata"]["namespace"], "d");
  EXPECT_EQ(request.content_type, "application/json");
}

TEST(HttpApiClientTest, UpdateStatusPutsToTheStatusSubresource) {
  Harness h;
  h.transport.Respond(200, R"({"kind":"Gizmo","metadata":{"name":"g1"}})");
  Json object = {{"metadata", {{"name", "g1"}, {"namespace", "d"}, {"resourceVersion", "5"}}}, {"status", {{"x", 1}}}};
  ASSERT_TRUE(h.client->UpdateStatus(kGizmos, "", object).ok());
  auto request = h.transport.requests()[0];
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.path_and_query, "/apis/example.com/v1/namespaces/d/gizmos/g1/status");
}

TEST(HttpApiClientTest, UpdateConflictIsAborted) {
  Harness h;
  h.transport.Respond(409, R"({"kind":"Status","status":"Failure","message":"Operation cannot be fulfilled on gizmos.example.com \"g1\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","code":409})");
  auto updated = h.client->Update(kGizmos, "d", {{"metadata", {{"name", "g1"}, {"resourceVersion", "1"}}}});
  EXPECT_EQ(updated.status().code(), StatusCode::kAborted);
}

TEST(HttpApiClientTest, PatchesUseTheContentTypeOfTheirKind) {
  Harness h;
  for (int i = 0; i < 3; ++i) h.transport.Respond(200, R"({"kind":"Gizmo","metadata":{"name":"g1"}})");
  ASSERT_TRUE(h.client->Patch(kGizmos, "d", "g1", PatchType::kMerge, {{"spec", {{"size", 3}}}}).ok());
  ASSERT_TRUE(h.client->Patch(kGizmos, "d", "g1", PatchType::kJson,
                              Json::array({{{"op", "replace"}, {"path", "/spec/size"}, {"value", 3}}}))
                  .ok());
  ASSERT_TRUE(h.client->PatchStatus(kGizmos, "d", "g1", PatchType::kMerge, {{"status", {{"a", 1}}}}).ok());
  auto requests = h.transport.requests();
  EXPECT_EQ(requests[0].content_type, "application/merge-patch+json");
  EXPECT_EQ(requests[1].content_type, "application/json-patch+json");
  EXPECT_EQ(requests[2].path_and_query, "/apis/example.com/v1/namespaces/d/gizmos/g1/status");
  EXPECT_EQ(h.client->Patch(kGizmos, "d", "g1", PatchType::kJson, {{"spec", 1}}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(HttpApiClientTest, DeleteSendsPropagationPolicyAndPreconditions) {
  Harness h;
  h.transport.Respond(200, R"({"kind":"Status","status":"Success"})");
  DeleteOptions options;
  options.propagation_policy = "Foreground";
  options.precondition_uid = "u-1";
  options.precondition_resource_version = "42";
  ASSERT_TRUE(h.client->Delete(kConfigMaps, "d", "a", options).ok());
  auto request = h.transport.requests()[0];
  EXPECT_EQ(request.method, "DELETE");
  Json body = Json::parse(request.body);
  EXPECT_EQ(body["kind"], "DeleteOptions");
  EXPECT_EQ(body["propagationPolicy"], "Foreground");
  EXPECT_EQ(body["preconditions"]["uid"], "u-1");
  EXPECT_EQ(body["preconditions"]["resourceVersion"], "42");
}

TEST(HttpApiClientTest, DeleteOfAMissingObjectIsNotFound) {
  Harness h;
  h.transport.Respond(404, R"({"kind":"Status","reason":"NotFound","message":"configmaps \"a\" not found","code":404})");
  EXPECT_EQ(h.client->Delete(kConfigMaps, "d", "a").code(), StatusCode::kNotFound);
}

TEST(HttpApiClientTest, A2xxWithAnUnparsableBodyIsInternal) {
  Harness h;
  h.transport.Respond(200, "<html>");
  EXPECT_EQ(h.client->Get(kConfigMaps, "d", "a").status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace lifeboat::kube
