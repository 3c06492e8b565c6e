#include "e2e/devcluster/server/openapi.h"

#include <openssl/evp.h>

#include <cctype>

#include "e2e/devcluster/semantics/builtin_schemas.h"

namespace lifeboat::devcluster {
namespace {

constexpr const char* kMetaPrefix = "io.k8s.apimachinery.pkg.apis.meta.v1.";

std::string Ref(const std::string& definition) { return "#/components/schemas/" + definition; }

std::string GroupVersionPath(const ResourceInfo& info) {
  return info.group.empty() ? "/api/" + info.version : "/apis/" + info.group + "/" + info.version;
}

// "io.k8s.api.core.v1", "io.k8s.api.apps.v1", "com.example.v1".
std::string DefinitionPrefix(const std::string& group, const std::string& version, bool custom) {
  if (custom) {
    std::vector<std::string> labels;
    size_t pos = 0;
    while (pos <= group.size()) {
      size_t dot = group.find('.', pos);
      if (dot == std::string::npos) dot = group.size();
      labels.push_back(group.substr(pos, dot - pos));
      pos = dot + 1;
    }
    std::string out;
    for (auto it = labels.rbegin(); it != labels.rend(); ++it) out += (out.empty() ? "" : ".") + *it;
    return out + "." + version;
  }
  if (group.empty()) return "io.k8s.api.core." + version;
  if (group == "apiextensions.k8s.io") return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions." + version;
  std::string first = group.substr(0, group.find('.'));
  return "io.k8s.api." + first + "." + version;
}

// "ExampleComV1", "CoreV1", "AppsV1", "CoordinationV1".
std::string OperationGroupVersion(const ResourceInfo& info) {
  std::string group = info.group.empty() ? "core" : info.group;
  if (!info.custom && group.size() > 7 && group.substr(group.size() - 7) == ".k8s.io") group.resize(group.size() - 7);
  std::string out;
  bool upper = true;
  for (char c : group) {
    if (c == '.' || c == '-') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  std::string version = info.version;
  if (!version.empty()) version[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(version[0])));
  return out + version;
}

nlohmann::json QueryParam(const std::string& name, const std::string& type, const std::string& description) {
  return {{"name", name}, {"in", "query"}, {"description", description}, {"schema", {{"type", type}, {"uniqueItems", true}}}};
}

nlohmann::json PathParam(const std::string& name, const std::string& description) {
  return {{"name", name}, {"in", "path"}, {"description", description}, {"required", true},
          {"schema", {{"type", "string"}, {"uniqueItems", true}}}};
}

nlohmann::json WriteParams(bool patch) {
  nlohmann::json params = nlohmann::json::array();
  params.push_back(QueryParam("dryRun", "string",
                              "When present, indicates that modifications should not be persisted. Valid values are: - All: "
                              "all dry run stages will be processed"));
  params.push_back(QueryParam("fieldManager", "string",
                              "fieldManager is a name associated with the actor or entity that is making these changes."));
  params.push_back(QueryParam("fieldValidation", "string",
                              "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) "
                              "containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict"));
  if (patch) {
    params.push_back(QueryParam("force", "boolean",
                                "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields "
                                "owned by other people."));
  }
  return params;
}

nlohmann::json ListParams() {
  nlohmann::json params = nlohmann::json::array();
  params.push_back(QueryParam("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."));
  params.push_back(QueryParam("continue", "string", "The continue option should be set when retrieving more results from the server."));
  params.push_back(QueryParam("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."));
  params.push_back(QueryParam("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."));
  params.push_back(QueryParam("limit", "integer", "limit is a maximum number of responses to return for a list call."));
  params.push_back(QueryParam("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."));
  params.push_back(QueryParam("resourceVersionMatch", "string", "resourceVersionMatch determines how resourceVersion is applied to list calls."));
  params.push_back(QueryParam("sendInitialEvents", "boolean", "`sendInitialEvents=true` may be set together with `watch=true`."));
  params.push_back(QueryParam("timeoutSeconds", "integer", "Timeout for the list/watch call."));
  params.push_back(QueryParam("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."));
  return params;
}

nlohmann::json DeleteParams() {
  nlohmann::json params = nlohmann::json::array();
  params.push_back(QueryParam("dryRun", "string", "When present, indicates that modifications should not be persisted."));
  params.push_back(QueryParam("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."));
  params.push_back(QueryParam("orphanDependents", "boolean", "Deprecated: please use the PropagationPolicy."));
  params.push_back(QueryParam("propagationPolicy", "string", "Whether and how garbage collection will be performed."));
  return params;
}

nlohmann::json Content(const std::vector<std::string>& types, const std::string& ref) {
  nlohmann::json content = nlohmann::json::object();
  for (const auto& t : types) content[t] = {{"schema", {{"$ref", Ref(ref)}}}};
  return content;
}

nlohmann::json Responses(const std::vector<std::pair<std::string, std::string>>& codes, const std::string& ref) {
  nlohmann::json responses = nlohmann::json::object();
  for (const auto& [code, description] : codes) {
    responses[code] = {{"description", description}, {"content", Content({"application/json", "application/yaml"}, ref)}};
  }
  responses["401"] = {{"description", "Unauthorized"}};
  return responses;
}

nlohmann::json Operation(const std::string& description, const std::string& operation_id, const std::string& action,
                         const nlohmann::json& gvk, const std::string& tag) {
  return {{"tags", {tag}},
          {"description", description},
          {"operationId", operation_id},
          {"x-kubernetes-action", action},
          {"x-kubernetes-group-version-kind", gvk}};
}

// The schema of a kind as served in OpenAPI: the CRD's (or built-in) schema with apiVersion, kind,
// metadata and the GVK extension.
nlohmann::json KindSchema(const ResourceInfo& info) {
  nlohmann::json schema = info.schema.is_object() ? info.schema : nlohmann::json::object();
  if (!info.schema.is_object()) {
    const nlohmann::json* builtin = BuiltinSchema(info.group, info.version, info.kind);
    if (builtin != nullptr) schema = *builtin;
  }
  if (schema.empty()) schema = {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  if (!schema.contains("type")) schema["type"] = "object";
  nlohmann::json& properties = schema["properties"];
  if (!properties.is_object()) properties = nlohmann::json::object();
  properties["apiVersion"] = {{"description", "APIVersion defines the versioned schema of this representation of an object."},
                              {"type", "string"}};
  properties["kind"] = {{"description", "Kind is a string value representing the REST resource this object represents."},
                        {"type", "string"}};
  if (info.custom || !properties.contains("metadata")) {
    properties["metadata"] = {{"description", "Standard object's metadata."},
                              {"allOf", {{{"$ref", Ref(std::string(kMetaPrefix) + "ObjectMeta")}}}}};
  }
  schema["x-kubernetes-group-version-kind"] = {{{"group", info.group}, {"kind", info.kind}, {"version", info.version}}};
  return schema;
}

nlohmann::json ListSchema(const ResourceInfo& info, const std::string& kind_definition) {
  return {{"description", info.list_kind + " is a list of " + info.kind},
          {"type", "object"},
          {"required", {"items"}},
          {"properties",
           {{"apiVersion", {{"type", "string"}}},
            {"items", {{"type", "array"}, {"items", {{"$ref", Ref(kind_definition)}}}}},
            {"kind", {{"type", "string"}}},
            {"metadata", {{"allOf", {{{"$ref", Ref(std::string(kMetaPrefix) + "ListMeta")}}}}}}}},
          {"x-kubernetes-group-version-kind", {{{"group", info.group}, {"kind", info.list_kind}, {"version", info.version}}}}};
}

void AddCommonDefinitions(nlohmann::json& schemas, bool with_scale) {
  const nlohmann::json* object_meta = BuiltinDefinition("ObjectMeta");
  schemas[std::string(kMetaPrefix) + "ObjectMeta"] =
      object_meta != nullptr ? *object_meta
                             : nlohmann::json{{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
  schemas[std::string(kMetaPrefix) + "ListMeta"] = {
      {"type", "object"},
      {"properties",
       {{"continue", {{"type", "string"}}},
        {"remainingItemCount", {{"type", "integer"}, {"format", "int64"}}},
        {"resourceVersion", {{"type", "string"}}},
        {"selfLink", {{"type", "string"}}}}}};
  schemas[std::string(kMetaPrefix) + "Status"] = {
      {"type", "object"},
      {"properties",
       {{"apiVersion", {{"type", "string"}}},
        {"code", {{"type", "integer"}, {"format", "int32"}}},
        {"details", {{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}}},
        {"kind", {{"type", "string"}}},
        {"message", {{"type", "string"}}},
        {"metadata", {{"allOf", {{{"$ref", Ref(std::string(kMetaPrefix) + "ListMeta")}}}}}},
        {"reason", {{"type", "string"}}},
        {"status", {{"type", "string"}}}}},
      {"x-kubernetes-group-version-kind", {{{"group", ""}, {"kind", "Status"}, {"version", "v1"}}}}};
  schemas[std::string(kMetaPrefix) + "DeleteOptions"] = {
      {"type", "object"},
      {"properties",
       {{"apiVersion", {{"type", "string"}}},
        {"dryRun", {{"type", "array"}, {"items", {{"type", "string"}}}}},
        {"gracePeriodSeconds", {{"type", "integer"}, {"format", "int64"}}},
        {"kind", {{"type", "string"}}},
        {"orphanDependents", {{"type", "boolean"}}},
        {"preconditions",
         {{"type", "object"}, {"properties", {{"resourceVersion", {{"type", "string"}}}, {"uid", {{"type", "string"}}}}}}},
        {"propagationPolicy", {{"type", "string"}}}}}};
  schemas[std::string(kMetaPrefix) + "Patch"] = {
      {"description", "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."},
      {"type", "object"}};
  if (with_scale) {
    schemas["io.k8s.api.autoscaling.v1.Scale"] = {
        {"type", "object"},
        {"properties",
         {{"apiVersion", {{"type", "string"}}},
          {"kind", {{"type", "string"}}},
          {"metadata", {{"allOf", {{{"$ref", Ref(std::string(kMetaPrefix) + "ObjectMeta")}}}}}},
          {"spec", {{"type", "object"}, {"properties", {{"replicas", {{"type", "integer"}, {"format", "int32"}}}}}}},
          {"status",
           {{"type", "object"},
            {"required", {"replicas"}},
            {"properties",
             {{"replicas", {{"type", "integer"}, {"format", "int32"}}}, {"selector", {{"type", "string"}}}}}}}}},
        {"x-kubernetes-group-version-kind", {{{"group", "autoscaling"}, {"kind", "Scale"}, {"version", "v1"}}}}};
  }
}

void AddKindPaths(const ResourceInfo& info, const std::string& kind_definition, nlohmann::json& paths) {
  const std::string gv_path = GroupVersionPath(info);
  const std::string op_gv = OperationGroupVersion(info);
  const std::string tag = op_gv.substr(0, 1) + op_gv.substr(1);
  const std::string list_definition = kind_definition + "List";
  const std::string status_definition = std::string(kMetaPrefix) + "Status";
  const nlohmann::json gvk = {{"group", info.group}, {"version", info.version}, {"kind", info.kind}};
  const std::string scope = info.namespaced ? "Namespaced" : "";
  const std::string collection = info.namespaced ? gv_path + "/namespaces/{namespace}/" + info.plural
                                                 : gv_path + "/" + info.plural;
  const std::string item = collection + "/{name}";
  std::vector<std::string> patch_types = {"application/apply-patch+yaml", "application/json-patch+json",
                                          "application/merge-patch+json"};
  if (!info.custom) patch_types.push_back("application/strategic-merge-patch+json");
  const nlohmann::json ns_param = PathParam("namespace", "object name and auth scope, such as for teams and projects");
  const nlohmann::json name_param = PathParam("name", "name of the " + info.kind);
  const nlohmann::json pretty = QueryParam("pretty", "string", "If 'true', then the output is pretty printed.");

  if (info.namespaced) {
    nlohmann::json all = {{"get", Operation("list or watch objects of kind " + info.kind,
                                            "list" + op_gv + info.kind + "ForAllNamespaces", "list", gvk, tag)}};
    all["get"]["responses"] = Responses({{"200", "OK"}}, list_definition);
    all["parameters"] = ListParams();
    all["parameters"].push_back(pretty);
    paths[gv_path + "/" + info.plural] = all;
  }

  nlohmann::json coll;
  coll["get"] = Operation("list or watch objects of kind " + info.kind, "list" + op_gv + scope + info.kind, "list", gvk, tag);
  coll["get"]["parameters"] = ListParams();
  coll["get"]["responses"] = Responses({{"200", "OK"}}, list_definition);
  coll["post"] = Operation("create " + info.kind, "create" + op_gv + scope + info.kind, "post", gvk, tag);
  coll["post"]["parameters"] = WriteParams(false);
  coll["post"]["requestBody"] = {{"content", Content({"application/json", "application/yaml"}, kind_definition)}, {"required", true}};
  coll["post"]["responses"] = Responses({{"200", "OK"}, {"201", "Created"}, {"202", "Accepted"}}, kind_definition);
  coll["delete"] = Operation("delete collection of " + info.kind, "deletecollection" + op_gv + scope + info.kind,
                             "deletecollection", gvk, tag);
  coll["delete"]["parameters"] = ListParams();
  for (const auto& p : DeleteParams()) coll["delete"]["parameters"].push_back(p);
  coll["delete"]["requestBody"] = {{"content", Content({"application/json", "application/yaml"}, std::string(kMetaPrefix) + "DeleteOptions")}};
  coll["delete"]["responses"] = Responses({{"200", "OK"}}, status_definition);
  coll["parameters"] = nlohmann::json::array();
  if (info.namespaced) coll["parameters"].push_back(ns_param);
  coll["parameters"].push_back(pretty);
  paths[collection] = coll;

  nlohmann::json one;
  one["get"] = Operation("read the specified " + info.kind, "read" + op_gv + scope + info.kind, "get", gvk, tag);
  one["get"]["responses"] = Responses({{"200", "OK"}}, kind_definition);
  one["put"] = Operation("replace the specified " + info.kind, "replace" + op_gv + scope + info.kind, "put", gvk, tag);
  one["put"]["parameters"] = WriteParams(false);
  one["put"]["requestBody"] = {{"content", Content({"application/json", "application/yaml"}, kind_definition)}, {"required", true}};
  one["put"]["responses"] = Responses({{"200", "OK"}, {"201", "Created"}}, kind_definition);
  one["patch"] = Operation("partially update the specified " + info.kind, "patch" + op_gv + scope + info.kind, "patch", gvk, tag);
  one["patch"]["parameters"] = WriteParams(true);
  one["patch"]["requestBody"] = {{"content", Content(patch_types, std::string(kMetaPrefix) + "Patch")}, {"required", true}};
  one["patch"]["responses"] = Responses({{"200", "OK"}, {"201", "Created"}}, kind_definition);
  one["delete"] = Operation("delete a " + info.kind, "delete" + op_gv + scope + info.kind, "delete", gvk, tag);
  one["delete"]["parameters"] = DeleteParams();
  one["delete"]["requestBody"] = {{"content", Content({"application/json", "application/yaml"}, std::string(kMetaPrefix) + "DeleteOptions")}};
  one["delete"]["responses"] = Responses({{"200", "OK"}, {"202", "Accepted"}}, status_definition);
  one["parameters"] = nlohmann::json::array({name_param});
  if (info.namespaced) one["parameters"].push_back(ns_param);
  one["parameters"].push_back(pretty);
  paths[item] = one;

  auto subresource = [&](const std::string& sub, const std::string& suffix, const std::string& definition,
                         const nlohmann::json& sub_gvk) {
    nlohmann::json p;
    p["get"] = Operation("read " + sub + " of the specified " + info.kind, "read" + op_gv + scope + info.kind + suffix, "get", sub_gvk, tag);
    p["get"]["responses"] = Responses({{"200", "OK"}}, definition);
    p["put"] = Operation("replace " + sub + " of the specified " + info.kind, "replace" + op_gv + scope + info.kind + suffix, "put", sub_gvk, tag);
    p["put"]["parameters"] = WriteParams(false);
    p["put"]["requestBody"] = {{"content", Content({"application/json", "application/yaml"}, definition)}, {"required", true}};
    p["put"]["responses"] = Responses({{"200", "OK"}, {"201", "Created"}}, definition);
    p["patch"] = Operation("partially update " + sub + " of the specified " + info.kind, "patch" + op_gv + scope + info.kind + suffix, "patch", sub_gvk, tag);
    p["patch"]["parameters"] = WriteParams(true);
    p["patch"]["requestBody"] = {{"content", Content(patch_types, std::string(kMetaPrefix) + "Patch")}, {"required", true}};
    p["patch"]["responses"] = Responses({{"200", "OK"}, {"201", "Created"}}, definition);
    p["parameters"] = one["parameters"];
    paths[item + "/" + sub] = p;
  };
  if (info.has_status) subresource("status", "Status", kind_definition, gvk);
  if (info.scale.has_value()) {
    subresource("scale", "Scale", "io.k8s.api.autoscaling.v1.Scale",
                {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}});
  }
}

// Rewrites "#/components/schemas/X" references to "#/definitions/X" (Swagger 2.0).
void RewriteRefs(nlohmann::json& node) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (it.key() == "$ref" && it.value().is_string()) {
        std::string ref = it.value().get<std::string>();
        const std::string prefix = "#/components/schemas/";
        if (ref.rfind(prefix, 0) == 0) it.value() = "#/definitions/" + ref.substr(prefix.size());
      } else {
        RewriteRefs(it.value());
      }
    }
  } else if (node.is_array()) {
    for (auto& child : node) RewriteRefs(child);
  }
}

nlohmann::json V2Parameter(const nlohmann::json& v3) {
  nlohmann::json p = {{"name", v3["name"]}, {"in", v3["in"]}};
  if (v3.contains("description")) p["description"] = v3["description"];
  if (v3.value("required", false)) p["required"] = true;
  if (v3.contains("schema")) {
    for (auto it = v3["schema"].begin(); it != v3["schema"].end(); ++it) p[it.key()] = it.value();
  }
  return p;
}

nlohmann::json V2Operation(const nlohmann::json& v3) {
  nlohmann::json op = v3;
  op.erase("requestBody");
  op.erase("responses");
  nlohmann::json params = nlohmann::json::array();
  if (v3.contains("parameters")) {
    for (const auto& p : v3["parameters"]) params.push_back(V2Parameter(p));
  }
  if (v3.contains("requestBody")) {
    const nlohmann::json& content = v3["requestBody"]["content"];
    nlohmann::json consumes = nlohmann::json::array();
    nlohmann::json schema;
    for (auto it = content.begin(); it != content.end(); ++it) {
      consumes.push_back(it.key());
      schema = it.value()["schema"];
    }
    op["consumes"] = consumes;
    params.push_back({{"name", "body"}, {"in", "body"}, {"required", v3["requestBody"].value("required", false)}, {"schema", schema}});
  } else {
    op["consumes"] = {"*/*"};
  }
  op["produces"] = {"application/json", "application/yaml"};
  op["schemes"] = {"https"};
  if (!params.empty()) op["parameters"] = params;
  nlohmann::json responses = nlohmann::json::object();
  for (auto it = v3["responses"].begin(); it != v3["responses"].end(); ++it) {
    nlohmann::json r = {{"description", it.value()["description"]}};
    if (it.value().contains("content")) r["schema"] = it.value()["content"]["application/json"]["schema"];
    responses[it.key()] = r;
  }
  op["responses"] = responses;
  return op;
}

}  // namespace

std::optional<nlohmann::json> BuildOpenApiV3Document(const ResourceRegistry& registry, std::string_view group,
                                                     std::string_view version) {
  std::vector<ResourceInfoPtr> kinds = registry.ForGroupVersion(group, version);
  if (kinds.empty()) return std::nullopt;
  nlohmann::json schemas = nlohmann::json::object();
  nlohmann::json paths = nlohmann::json::object();
  bool with_scale = false;
  for (const auto& info : kinds) {
    const std::string definition = DefinitionPrefix(info->group, info->version, info->custom) + "." + info->kind;
    schemas[definition] = KindSchema(*info);
    schemas[definition + "List"] = ListSchema(*info, definition);
    AddKindPaths(*info, definition, paths);
    with_scale = with_scale || info->scale.has_value();
  }
  AddCommonDefinitions(schemas, with_scale);
  return nlohmann::json{{"openapi", "3.0.0"},
                        {"info", {{"title", "Kubernetes"}, {"version", kinds[0]->custom ? "v0.1.0" : "v1.32.0"}}},
                        {"paths", paths},
                        {"components", {{"schemas", schemas}}}};
}

nlohmann::json BuildOpenApiV2Document(const ResourceRegistry& registry) {
  nlohmann::json definitions = nlohmann::json::object();
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& gv : registry.Groups()) {
    for (const auto& version : gv.versions) {
      auto doc = BuildOpenApiV3Document(registry, gv.group, version);
      if (!doc.has_value()) continue;
      for (auto it = (*doc)["components"]["schemas"].begin(); it != (*doc)["components"]["schemas"].end(); ++it) {
        definitions[it.key()] = it.value();
      }
      for (auto it = (*doc)["paths"].begin(); it != (*doc)["paths"].end(); ++it) {
        nlohmann::json path_item = nlohmann::json::object();
        for (auto op = it.value().begin(); op != it.value().end(); ++op) {
          if (op.key() == "parameters") {
            nlohmann::json params = nlohmann::json::array();
            for (const auto& p : op.value()) params.push_back(V2Parameter(p));
            path_item["parameters"] = params;
          } else {
            path_item[op.key()] = V2Operation(op.value());
          }
        }
        paths[it.key()] = path_item;
      }
    }
  }
  nlohmann::json doc = {{"swagger", "2.0"},
                        {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0"}}},
                        {"paths", paths},
                        {"definitions", definitions},
                        {"securityDefinitions", {{"BearerToken", {{"type", "apiKey"}, {"name", "authorization"}, {"in", "header"}}}}},
                        {"security", {{{"BearerToken", nlohmann::json::array()}}}}};
  RewriteRefs(doc);
  return doc;
}

std::string OpenApiHash(const std::string& serialized) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(serialized.data(), serialized.size(), digest, &length, EVP_sha512(), nullptr);
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

void OpenApiCache::RefreshLocked(const ResourceRegistry& registry) {
  uint64_t epoch = registry.Epoch();
  if (epoch == epoch_ && !v3_index_.empty()) return;
  v3_documents_.clear();
  nlohmann::json index_paths = nlohmann::json::object();
  for (const auto& gv : registry.Groups()) {
    for (const auto& version : gv.versions) {
      auto doc = BuildOpenApiV3Document(registry, gv.group, version);
      if (!doc.has_value()) continue;
      std::string key = gv.group.empty() ? "api/" + version : "apis/" + gv.group + "/" + version;
      std::string text = doc->dump();
      index_paths[key] = {{"serverRelativeURL", "/openapi/v3/" + key + "?hash=" + OpenApiHash(text)}};
      v3_documents_[key] = std::move(text);
    }
  }
  v3_index_ = nlohmann::json{{"paths", index_paths}}.dump();
  v2_document_.clear();  // rebuilt lazily: few clients ask for it
  epoch_ = epoch;
}

std::string OpenApiCache::V3Index(const ResourceRegistry& registry) {
  std::lock_guard lock(mutex_);
  RefreshLocked(registry);
  return v3_index_;
}

std::optional<std::string> OpenApiCache::V3Document(const ResourceRegistry& registry, std::string_view group,
                                                    std::string_view version) {
  std::lock_guard lock(mutex_);
  RefreshLocked(registry);
  std::string key = group.empty() ? "api/" + std::string(version) : "apis/" + std::string(group) + "/" + std::string(version);
  auto it = v3_documents_.find(key);
  if (it == v3_documents_.end()) return std::nullopt;
  return it->second;
}

std::string OpenApiCache::V2Document(const ResourceRegistry& registry) {
  std::lock_guard lock(mutex_);
  RefreshLocked(registry);
  if (v2_document_.empty()) v2_document_ = BuildOpenApiV2Document(registry).dump();
  return v2_document_;
}

}  // namespace lifeboat::devcluster
