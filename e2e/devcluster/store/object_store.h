// ObjectStore: the devcluster's in-process etcd plus the generic REST registry of a kube-apiserver.
// It owns every object, one global monotonically increasing resourceVersion, and the REST semantics
// a real API server applies: uid/creationTimestamp/generation, defaults, schema validation and
// pruning, fieldValidation, optimistic concurrency, the status and scale subresources, patches,
// finalizers and deletionTimestamp, cascading deletion through ownerReferences, namespace
// lifecycle, CRD installation, StatefulSet status following spec.replicas, watches with
// a bounded history, and persistence under `<data-dir>/store/`.
//
// Requests carry everything an HTTP request carries, already decoded by the http layer (path
// parameters, query parameters, body); answers are the object/list to serialize or an ApiError
// with the real Status texts. The store never formats HTTP itself.
//
// Persistence: `<data-dir>/store/snapshot.json` (every object plus the counter, written to a temp
// file, fsynced and renamed) and `<data-dir>/store/wal.jsonl` (one JSON line per committed change,
// appended with write(2) before the change becomes visible). fsync policy: the log is fdatasync'ed
// on every compaction, on Close(), and by the first write that comes `fsync_interval` or more after
// the previous sync. So a crash of the process (even SIGKILL) loses nothing; a crash of the machine
// may lose the writes since the last sync (those the kernel had not written back yet). A torn last
// line (crash mid-write) is ignored on recovery.
//
// Thread-safety: every public method is thread-safe. Reads run in parallel; writes are serialized.
// Watch subscriptions are fed without per-watcher work under the write lock.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/devcluster/semantics/field_validation.h"
#include "e2e/devcluster/store/api_error.h"
#include "e2e/devcluster/store/resource_registry.h"
#include "e2e/devcluster/store/watch.h"
#include "operator/core/clock.h"
#include "operator/core/status.h"

namespace lifeboat::devcluster {

// Which resource a request addresses: /api(s)/<group>/<version>/[namespaces/<ns>/]<resource>[/<name>[/<subresource>]].
struct ResourcePath {
  std::string group;      // "" for core
  std::string version;    // "v1"
  std::string resource;   // plural: "pods", "gizmos"
  std::string namespace_name;  // "" for cluster-scoped kinds, or for "all namespaces" in list/watch
  std::string name;       // "" for collection requests
  std::string subresource;  // "", "status" or "scale"
};

// ?fieldValidation= (semantics' FieldValidationMode, parsed with ParseFieldValidationMode): Ignore
// prunes silently, Warn (the server default) adds warnings, Strict fails with 400 BadRequest
// `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: unknown field
// "spec.foo", duplicate field "spec.size"`.
using FieldValidation = FieldValidationMode;

struct WriteOptions {
  FieldValidation field_validation = FieldValidation::kWarn;
  bool dry_run = false;       // ?dryRun=All: validate and answer, persist nothing
  std::string field_manager;  // ?fieldManager= (accepted; managedFields are not kept)
};

// The answer to create/update/patch: the stored object (what the real server returns), the HTTP
// code (201 for a create, 200 otherwise) and the texts for `Warning: 299 - "<text>"` headers.
struct WriteResult {
  nlohmann::json object;
  int http_code = 200;
  std::vector<std::string> warnings;
};

struct CreateRequest {
  ResourcePath path;  // name may be empty (it comes from the body / generateName)
  nlohmann::json body;
  std::string raw_body;  // the request body as sent (JSON), for duplicate-field detection; may be ""
  WriteOptions options;
};

struct UpdateRequest {
  ResourcePath path;  // name and optional subresource ("status", "scale")
  nlohmann::json body;
  std::string raw_body;
  WriteOptions options;
};

enum class PatchType {
  kJsonPatch,            // application/json-patch+json
  kMergePatch,           // application/merge-patch+json
  kStrategicMergePatch,  // application/strategic-merge-patch+json (415 for custom resources)
  kApplyPatch,           // application/apply-patch+yaml (server-side apply; body decoded to JSON)
};
// Maps a Content-Type (parameters ignored) to a PatchType; 415 UnsupportedMediaType otherwise.
ApiResult<PatchType> ParsePatchContentType(std::string_view content_type, bool custom_resource);

struct PatchRequest {
  ResourcePath path;
  PatchType type = PatchType::kMergePatch;
  nlohmann::json patch;  // the decoded patch document (apply: the YAML body converted to JSON)
  std::string raw_patch;  // as sent, for duplicate-field detection of merge/strategic/apply; may be ""
  WriteOptions options;
  bool force = false;     // ?force=true (server-side apply)
};

struct GetRequest {
  ResourcePath path;  // name and optional subresource ("status", "scale")
  std::string resource_version;  // ?resourceVersion= (accepted; the store serves the latest state)
};

struct ListRequest {
  ResourcePath path;  // namespace_name "" = all namespaces (or a cluster-scoped kind)
  std::string label_selector;  // ?labelSelector=
  std::string field_selector;  // ?fieldSelector=
  int64_t limit = 0;           // ?limit= (0 = no limit)
  std::string continue_token;  // ?continue=
  std::string resource_version;        // ?resourceVersion= ("" latest, "0" any, "N")
  std::string resource_version_match;  // ?resourceVersionMatch= ("", "NotOlderThan", "Exact")
};

// The list object, ready to serialize: {"kind":"<Kind>List","apiVersion":..,"metadata":
// {"resourceVersion":..,["continue":..,"remainingItemCount":..]},"items":[...]}.
struct ListResult {
  nlohmann::json list;
};

struct WatchRequest {
  ResourcePath path;  // name set for a watch on one object (e.g. fieldSelector=metadata.name=x)
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // "" or "0": synthetic ADDED for current state first; "N": changes after N
  bool allow_bookmarks = false;
  // ?sendInitialEvents=true (with resourceVersionMatch=NotOlderThan): initial ADDED events, then a
  // BOOKMARK annotated "k8s.io/initial-events-end": "true".
  bool send_initial_events = false;
};

struct DeleteOptions {
  std::optional<std::string> propagation_policy;  // "Background" (default), "Foreground", "Orphan"
  std::optional<bool> orphan_dependents;          // deprecated form of Orphan
  std::optional<int64_t> grace_period_seconds;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  bool dry_run = false;
  // Parses a DeleteOptions JSON body (kind DeleteOptions); {} or null gives the defaults.
  static ApiResult<DeleteOptions> FromJson(const nlohmann::json& body);
};

struct DeleteRequest {
  ResourcePath path;
  DeleteOptions options;
};

// The answer to a delete: `body` is what the real server returns (the object for kinds that
// return it and for objects whose deletion is pending on finalizers; a Status
// {"status":"Success","details":{"name","group","kind","uid"}} otherwise) and `http_code`
// (200, or 202 when the deletion is pending and orphanDependents=false was asked for).
struct DeleteResult {
  nlohmann::json body;
  int http_code = 200;
  bool deleted = false;  // the object is gone now (not merely marked with deletionTimestamp)
};

struct DeleteCollectionRequest {
  ResourcePath path;
  std::string label_selector;
  std::string field_selector;
  DeleteOptions options;
};

struct ObjectStoreOptions {
  // Where state lives: `<data_dir>/store/`. Empty: in memory only (tests).
  std::filesystem::path data_dir;
  // How many committed changes the watch history keeps; a watch from an older resourceVersion
  // gets 410 Expired.
  size_t watch_history = 1000;
  // A watcher whose unread queue grows beyond this is closed (the client re-watches), so a stuck
  // client cannot exhaust memory.
  size_t max_watch_queue = 100000;
  // The log is rewritten into a snapshot once it holds this many records.
  size_t compact_after_records = 20000;
  std::chrono::milliseconds fsync_interval{1000};
};

class ObjectStore {
 public:
  // Opens (or creates) the store, recovering state from `<data_dir>/store/`; creates the
  // namespaces default, kube-system, kube-public and kube-node-lease when missing. Fails on an
  // unreadable data dir or a corrupt snapshot.
  static StatusOr<std::unique_ptr<ObjectStore>> Open(ObjectStoreOptions options, const Clock& clock);
  ~ObjectStore();
  ObjectStore(const ObjectStore&) = delete;
  ObjectStore& operator=(const ObjectStore&) = delete;

  ResourceRegistry& Registry() { return registry_; }
  const ResourceRegistry& Registry() const { return registry_; }

  ApiResult<WriteResult> Create(const CreateRequest& request);
  ApiResult<nlohmann::json> Get(const GetRequest& request);
  ApiResult<ListResult> List(const ListRequest& request);
  // PUT; path.subresource "" (status ignored when the kind has the status subresource),
  // "status" (only status taken) or "scale" (body is an autoscaling/v1 Scale).
  ApiResult<WriteResult> Update(const UpdateRequest& request);
  ApiResult<WriteResult> Patch(const PatchRequest& request);
  ApiResult<DeleteResult> Delete(const DeleteRequest& request);
  // Deletes every matching object; answers the list of what was deleted (as the real server).
  ApiResult<ListResult> DeleteCollection(const DeleteCollectionRequest& request);
  ApiResult<WatchSubscriptionPtr> Watch(const WatchRequest& request);

  // The latest committed resourceVersion.
  uint64_t CurrentResourceVersion() const;
  // Flushes and fsyncs the log. Also done by the destructor.
  Status Close();

 private:
  ObjectStore();
  struct Impl;
  ResourceRegistry registry_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lifeboat::devcluster
