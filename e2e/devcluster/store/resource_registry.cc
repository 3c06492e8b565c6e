#include "e2e/devcluster/store/resource_registry.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

#include "e2e/devcluster/semantics/builtin_schemas.h"

namespace lifeboat::devcluster {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Kubernetes version priority: GA before beta before alpha, higher numbers first, anything else
// after, alphabetically. Returns true when `a` sorts before `b`.
bool VersionBefore(const std::string& a, const std::string& b) {
  static const std::regex kPattern("^v([0-9]+)(?:(alpha|beta)([0-9]+))?$");
  std::smatch ma, mb;
  bool ka = std::regex_match(a, ma, kPattern);
  bool kb = std::regex_match(b, mb, kPattern);
  if (ka != kb) return ka;
  if (!ka) return a < b;
  auto rank = [](const std::smatch& m) { return m[2].matched ? (m[2].str() == "beta" ? 1 : 0) : 2; };
  int ra = rank(ma), rb = rank(mb);
  if (ra != rb) return ra > rb;
  long long va = std::stoll(ma[1].str()), vb = std::stoll(mb[1].str());
  if (va != vb) return va > vb;
  long long sa = ma[3].matched ? std::stoll(ma[3].str()) : 0;
  long long sb = mb[3].matched ? std::stoll(mb[3].str()) : 0;
  return sa > sb;
}

int BuiltinGroupRank(const std::string& group) {
  static const std::vector<std::string> kOrder = {"", "apps", "batch", "coordination.k8s.io", "rbac.authorization.k8s.io",
                                                      "apiextensions.k8s.io"};
  auto it = std::find(kOrder.begin(), kOrder.end(), group);
  return it == kOrder.end() ? static_cast<int>(kOrder.size()) : static_cast<int>(it - kOrder.begin());
}

ResourceInfo Builtin(std::string group, std::string version, std::string kind, std::string plural,
                     bool namespaced, std::vector<std::string> short_names, bool has_status,
                     std::vector<std::string> categories = {}, std::vector<std::string> selectable = {}) {
  ResourceInfo info;
  info.group = std::move(group);
  info.version = std::move(version);
  info.kind = std::move(kind);
  info.list_kind = info.kind + "List";
  info.plural = std::move(plural);
  info.singular = Lower(info.kind);
  info.short_names = std::move(short_names);
  info.categories = std::move(categories);
  info.verbs = kAllVerbs;
  info.namespaced = namespaced;
  info.has_status = has_status;
  info.selectable_fields = std::move(selectable);
  if (const nlohmann::json* schema = BuiltinSchema(info.group, info.version, info.kind)) info.schema = *schema;
  return info;
}

const nlohmann::json* Path(const nlohmann::json& object, std::initializer_list<const char*> keys) {
  const nlohmann::json* current = &object;
  for (const char* key : keys) {
    if (!current->is_object()) return nullptr;
    auto it = current->find(key);
    if (it == current->end()) return nullptr;
    current = &*it;
  }
  return current;
}

std::string StringAt(const nlohmann::json& object, std::initializer_list<const char*> keys) {
  const nlohmann::json* value = Path(object, keys);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

std::vector<std::string> StringsAt(const nlohmann::json& object, std::initializer_list<const char*> keys) {
  std::vector<std::string> out;
  const nlohmann::json* value = Path(object, keys);
  if (value == nullptr || !value->is_array()) return out;
  for (const auto& item : *value)
    if (item.is_string()) out.push_back(item.get<std::string>());
  return out;
}

const std::regex& Dns1123Label() {
  static const std::regex kRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  return kRegex;
}

const std::regex& Dns1123Subdomain() {
  static const std::regex kRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  return kRegex;
}

std::string Quoted(const std::string& text) { return nlohmann::json(text).dump(); }

// Structural-schema checks the real server makes on every node: a type everywhere (unless
// x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields), object type at the root.
void CheckStructural(const nlohmann::json& node, const std::string& path, bool root, std::vector<ApiCause>& causes) {
  if (!node.is_object()) {
    causes.push_back({"FieldValueInvalid", "Invalid value: " + node.dump() + ": must be an object", path});
    return;
  }
  bool int_or_string = node.value("x-kubernetes-int-or-string", false);
  bool preserve = node.value("x-kubernetes-preserve-unknown-fields", false);
  auto type = node.find("type");
  if (root) {
    if (type == node.end() || !type->is_string() || type->get<std::string>().empty()) {
      causes.push_back({"FieldValueRequired", "Required value: must not be empty at the root", path + ".type"});
    } else if (type->get<std::string>() != "object") {
      causes.push_back({"FieldValueInvalid",
                        "Invalid value: " + Quoted(type->get<std::string>()) + ": must be object at the root",
                        path + ".type"});
    }
  } else if ((type == node.end() || (type->is_string() && type->get<std::string>().empty())) && !int_or_string &&
             !preserve) {
    causes.push_back(
        {"FieldValueRequired", "Required value: must not be empty for specified object fields", path + ".type"});
  }
  if (type != node.end() && type->is_string()) {
    static const std::set<std::string> kTypes = {"object", "array", "string", "integer", "number", "boolean"};
    if (!type->get<std::string>().empty() && !kTypes.count(type->get<std::string>())) {
      causes.push_back({"FieldValueNotSupported",
                        "Unsupported value: " + Quoted(type->get<std::string>()) +
                            ": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", "
                            "\"string\"",
                        path + ".type"});
    }
    if (type->get<std::string>() == "array" && !node.contains("items")) {
      causes.push_back({"FieldValueRequired", "Required value: must be specified", path + ".items"});
    }
  }
  if (auto props = node.find("properties"); props != node.end()) {
    if (!props->is_object()) {
      causes.push_back({"FieldValueInvalid", "Invalid value: must be an object", path + ".properties"});
    } else {
      for (auto it = props->begin(); it != props->end(); ++it)
        CheckStructural(it.value(), path + ".properties[" + it.key() + "]", false, causes);
    }
  }
  if (auto items = node.find("items"); items != node.end() && items->is_object())
    CheckStructural(*items, path + ".items", false, causes);
  if (auto extra = node.find("additionalProperties"); extra != node.end() && extra->is_object())
    CheckStructural(*extra, path + ".additionalProperties", false, causes);
}

}  // namespace

std::string ResourceInfo::ApiVersion() const { return group.empty() ? version : group + "/" + version; }
std::string ResourceInfo::GroupVersion() const { return ApiVersion(); }
std::string ResourceInfo::GroupResource() const { return group.empty() ? plural : plural + "." + group; }
std::string ResourceInfo::GroupKind() const { return group.empty() ? kind : kind + "." + group; }
std::string ResourceInfo::StorageKey() const { return group + "/" + plural; }

ResourceRegistry::ResourceRegistry() {
  std::unique_lock lock(mutex_);
  AddLocked(Builtin("", "v1", "Namespace", "namespaces", false, {"ns"}, true, {}, {"status.phase"}));
  kinds_.back() = [&] {
    ResourceInfo info = *kinds_.back();
    info.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    return std::make_shared<const ResourceInfo>(std::move(info));
  }();
  AddLocked(Builtin("", "v1", "Secret", "secrets", true, {}, false, {}, {"type"}));
  AddLocked(Builtin("", "v1", "ConfigMap", "configmaps", true, {"cm"}, false));
  AddLocked(Builtin("", "v1", "Service", "services", true, {"svc"}, true, {"all"}));
  AddLocked(Builtin("", "v1", "Pod", "pods", true, {"po"}, true, {"all"},
                    {"spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                     "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName"}));
  AddLocked(Builtin("", "v1", "Event", "events", true, {"ev"}, false, {},
                    {"involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                     "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                     "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"}));
  AddLocked(Builtin("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, {"pvc"}, true));
  AddLocked(Builtin("", "v1", "ServiceAccount", "serviceaccounts", true, {"sa"}, false));
  ResourceInfo deployments = Builtin("apps", "v1", "Deployment", "deployments", true, {"deploy"}, true, {"all"});
  deployments.scale = ScaleSubresource{".spec.replicas", ".status.replicas", ".status.selector"};
  AddLocked(std::move(deployments));
  ResourceInfo replicasets = Builtin("apps", "v1", "ReplicaSet", "replicasets", true, {"rs"}, true, {"all"});
  replicasets.scale = ScaleSubresource{".spec.replicas", ".status.replicas", ".status.selector"};
  AddLocked(std::move(replicasets));
  ResourceInfo statefulsets = Builtin("apps", "v1", "StatefulSet", "statefulsets", true, {"sts"}, true, {"all"});
  statefulsets.scale = ScaleSubresource{".spec.replicas", ".status.replicas", ".status.selector"};
  AddLocked(std::move(statefulsets));
  AddLocked(Builtin("batch", "v1", "Job", "jobs", true, {}, true, {"all"}, {"status.successful"}));
  AddLocked(Builtin("coordination.k8s.io", "v1", "Lease", "leases", true, {}, false));
  // Stored as the real server stores them; the devcluster authorizes nothing (every token is admin).
  AddLocked(Builtin("rbac.authorization.k8s.io", "v1", "Role", "roles", true, {}, false));
  AddLocked(Builtin("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, {}, false));
  AddLocked(Builtin("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
                    {"crd", "crds"}, true, {"api-extensions"}));
}

void ResourceRegistry::AddLocked(ResourceInfo info) {
  kinds_.push_back(std::make_shared<const ResourceInfo>(std::move(info)));
  ++epoch_;
}

ResourceInfoPtr ResourceRegistry::Find(std::string_view group, std::string_view version,
                                       std::string_view plural) const {
  std::shared_lock lock(mutex_);
  for (const auto& info : kinds_)
    if (info->group == group && info->version == version && info->plural == plural) return info;
  return nullptr;
}

ResourceInfoPtr ResourceRegistry::FindByKind(std::string_view group, std::string_view version,
                                             std::string_view kind) const {
  std::shared_lock lock(mutex_);
  for (const auto& info : kinds_)
    if (info->group == group && info->version == version && info->kind == kind) return info;
  return nullptr;
}

ResourceInfoPtr ResourceRegistry::Resolve(std::string_view name) const {
  std::string lowered = Lower(name);
  std::string resource = lowered;
  std::string group;
  bool qualified = false;
  if (auto dot = lowered.find('.'); dot != std::string::npos) {
    resource = lowered.substr(0, dot);
    group = lowered.substr(dot + 1);
    qualified = true;
  }
  std::vector<ResourceInfoPtr> all = All();
  // Preferred versions first, so an unversioned name resolves to the preferred version.
  std::vector<GroupVersions> groups = Groups();
  auto preferred = [&](const ResourceInfoPtr& info) {
    for (const auto& g : groups)
      if (g.group == info->group) return !g.versions.empty() && g.versions.front() == info->version;
    return false;
  };
  std::stable_sort(all.begin(), all.end(),
                   [&](const ResourceInfoPtr& a, const ResourceInfoPtr& b) { return preferred(a) && !preferred(b); });
  for (const auto& info : all) {
    if (qualified && info->group != group) continue;
    if (info->plural == resource || info->singular == resource || Lower(info->kind) == resource) return info;
    for (const auto& short_name : info->short_names)
      if (short_name == resource) return info;
  }
  return nullptr;
}

std::vector<ResourceInfoPtr> ResourceRegistry::All() const {
  std::vector<ResourceInfoPtr> out;
  {
    std::shared_lock lock(mutex_);
    out = kinds_;
  }
  std::sort(out.begin(), out.end(), [](const ResourceInfoPtr& a, const ResourceInfoPtr& b) {
    if (a->group != b->group) return a->group < b->group;
    if (a->version != b->version) return a->version < b->version;
    return a->plural < b->plural;
  });
  return out;
}

std::vector<ResourceInfoPtr> ResourceRegistry::ForGroupVersion(std::string_view group,
                                                               std::string_view version) const {
  std::vector<ResourceInfoPtr> out;
  for (const auto& info : All())
    if (info->group == group && info->version == version) out.push_back(info);
  return out;
}

std::vector<ResourceRegistry::GroupVersions> ResourceRegistry::Groups() const {
  std::vector<ResourceInfoPtr> kinds;
  {
    std::shared_lock lock(mutex_);
    kinds = kinds_;
  }
  std::vector<GroupVersions> out;
  for (const auto& info : kinds) {
    auto it = std::find_if(out.begin(), out.end(), [&](const GroupVersions& g) { return g.group == info->group; });
    if (it == out.end()) {
      out.push_back({info->group, {}});
      it = out.end() - 1;
    }
    if (std::find(it->versions.begin(), it->versions.end(), info->version) == it->versions.end())
      it->versions.push_back(info->version);
  }
  for (auto& g : out) std::sort(g.versions.begin(), g.versions.end(), VersionBefore);
  std::stable_sort(out.begin(), out.end(), [](const GroupVersions& a, const GroupVersions& b) {
    int ra = BuiltinGroupRank(a.group), rb = BuiltinGroupRank(b.group);
    if (ra != rb) return ra < rb;
    return a.group < b.group;
  });
  return out;
}

uint64_t ResourceRegistry::Epoch() const {
  std::shared_lock lock(mutex_);
  return epoch_;
}

std::vector<ApiCause> ResourceRegistry::ValidateCrd(const nlohmann::json& crd) {
  std::vector<ApiCause> causes;
  const std::string name = StringAt(crd, {"metadata", "name"});
  const std::string group = StringAt(crd, {"spec", "group"});
  const std::string plural = StringAt(crd, {"spec", "names", "plural"});
  const std::string singular = StringAt(crd, {"spec", "names", "singular"});
  const std::string kind = StringAt(crd, {"spec", "names", "kind"});
  const std::string list_kind = StringAt(crd, {"spec", "names", "listKind"});
  const std::string scope = StringAt(crd, {"spec", "scope"});

  if (!name.empty() && name != plural + "." + group) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + Quoted(name) + ": must be spec.names.plural+\".\"+spec.group",
                      "metadata.name"});
  }
  if (group.empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.group"});
  } else if (group.find('.') == std::string::npos) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + Quoted(group) + ": should be a domain with at least one dot",
                      "spec.group"});
  } else if (!std::regex_match(group, Dns1123Subdomain())) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + Quoted(group) +
                          ": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                          "'-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
                          "regex used for validation is "
                          "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                      "spec.group"});
  }
  auto check_label = [&](const std::string& value, const std::string& field, bool required) {
    if (value.empty()) {
      if (required) causes.push_back({"FieldValueRequired", "Required value", field});
      return;
    }
    if (!std::regex_match(value, Dns1123Label())) {
      causes.push_back({"FieldValueInvalid",
                        "Invalid value: " + Quoted(value) +
                            ": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                            "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                            "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                        field});
    }
  };
  check_label(plural, "spec.names.plural", true);
  check_label(singular, "spec.names.singular", false);
  for (size_t i = 0; const auto& short_name : StringsAt(crd, {"spec", "names", "shortNames"}))
    check_label(short_name, "spec.names.shortNames[" + std::to_string(i++) + "]", false);
  static const std::regex kKind("^[A-Za-z][-A-Za-z0-9]*$");
  if (kind.empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.names.kind"});
  } else if (!std::regex_match(kind, kKind)) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + Quoted(kind) +
                          ": a DNS-1035 label must consist of lower case alphanumeric characters or '-'",
                      "spec.names.kind"});
  }
  if (!list_kind.empty() && list_kind == kind) {
    causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(list_kind) + ": kind and listKind may not be the same",
                      "spec.names.listKind"});
  }
  if (scope.empty()) {
    causes.push_back({"FieldValueRequired", "Required value", "spec.scope"});
  } else if (scope != "Namespaced" && scope != "Cluster") {
    causes.push_back({"FieldValueNotSupported",
                      "Unsupported value: " + Quoted(scope) + ": supported values: \"Cluster\", \"Namespaced\"",
                      "spec.scope"});
  }
  const nlohmann::json* versions = Path(crd, {"spec", "versions"});
  if (versions == nullptr || !versions->is_array() || versions->empty()) {
    causes.push_back({"FieldValueRequired", "Required value: must have exactly one version marked as storage version",
                      "spec.versions"});
    return causes;
  }
  int storage = 0;
  std::set<std::string> seen;
  static const std::regex kVersion("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  for (size_t i = 0; i < versions->size(); ++i) {
    const nlohmann::json& version = (*versions)[i];
    const std::string base = "spec.versions[" + std::to_string(i) + "]";
    std::string version_name = StringAt(version, {"name"});
    if (version_name.empty()) {
      causes.push_back({"FieldValueRequired", "Required value", base + ".name"});
    } else if (!std::regex_match(version_name, kVersion)) {
      causes.push_back({"FieldValueInvalid", "Invalid value: " + Quoted(version_name) + ": a DNS-1035 label must consist of lower case alphanumeric characters or '-'",
                        base + ".name"});
    } else if (!seen.insert(version_name).second) {
      causes.push_back({"FieldValueDuplicate", "Duplicate value: " + Quoted(version_name), "spec.versions"});
    }
    if (version.value("storage", false)) ++storage;
    if (!version.contains("served") || !version["served"].is_boolean())
      causes.push_back({"FieldValueRequired", "Required value", base + ".served"});
    const nlohmann::json* schema = Path(version, {"schema", "openAPIV3Schema"});
    if (schema == nullptr) {
      causes.push_back({"FieldValueRequired", "Required value: schemas are required",
                        base + ".schema.openAPIV3Schema"});
    } else {
      CheckStructural(*schema, base + ".schema.openAPIV3Schema", true, causes);
    }
    if (const nlohmann::json* columns = Path(version, {"additionalPrinterColumns"}); columns && columns->is_array()) {
      for (size_t c = 0; c < columns->size(); ++c) {
        const std::string cbase = base + ".additionalPrinterColumns[" + std::to_string(c) + "]";
        if (StringAt((*columns)[c], {"name"}).empty())
          causes.push_back({"FieldValueRequired", "Required value", cbase + ".name"});
        if (StringAt((*columns)[c], {"jsonPath"}).empty())
          causes.push_back({"FieldValueRequired", "Required value", cbase + ".jsonPath"});
        static const std::set<std::string> kColumnTypes = {"integer", "number", "string", "boolean", "date"};
        std::string type = StringAt((*columns)[c], {"type"});
        if (type.empty()) {
          causes.push_back({"FieldValueRequired", "Required value", cbase + ".type"});
        } else if (!kColumnTypes.count(type)) {
          causes.push_back({"FieldValueNotSupported",
                            "Unsupported value: " + Quoted(type) +
                                ": supported values: \"boolean\", \"date\", \"integer\", \"number\", \"string\"",
                            cbase + ".type"});
        }
      }
    }
  }
  if (storage != 1) {
    causes.push_back({"FieldValueInvalid",
                      "Invalid value: " + versions->dump() + ": must have exactly one version marked as storage version",
                      "spec.versions"});
  }
  return causes;
}

void ResourceRegistry::InstallCrd(const nlohmann::json& crd) {
  const std::string crd_name = StringAt(crd, {"metadata", "name"});
  std::vector<ResourceInfo> infos;
  const nlohmann::json& spec = crd["spec"];
  for (const auto& version : spec["versions"]) {
    if (!version.value("served", false)) continue;
    ResourceInfo info;
    info.group = spec.value("group", "");
    info.version = version.value("name", "");
    info.kind = StringAt(crd, {"spec", "names", "kind"});
    info.list_kind = StringAt(crd, {"spec", "names", "listKind"});
    if (info.list_kind.empty()) info.list_kind = info.kind + "List";
    info.plural = StringAt(crd, {"spec", "names", "plural"});
    info.singular = StringAt(crd, {"spec", "names", "singular"});
    if (info.singular.empty()) info.singular = Lower(info.kind);
    info.short_names = StringsAt(crd, {"spec", "names", "shortNames"});
    info.categories = StringsAt(crd, {"spec", "names", "categories"});
    info.verbs = kAllVerbs;
    info.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
    info.custom = true;
    info.storage_version = version.value("storage", false);
    info.crd_name = crd_name;
    if (const nlohmann::json* schema = Path(version, {"schema", "openAPIV3Schema"})) info.schema = *schema;
    if (const nlohmann::json* columns = Path(version, {"additionalPrinterColumns"}); columns && columns->is_array())
      info.printer_columns = *columns;
    if (const nlohmann::json* sub = Path(version, {"subresources"}); sub && sub->is_object()) {
      info.has_status = sub->contains("status");
      if (auto scale = sub->find("scale"); scale != sub->end() && scale->is_object()) {
        ScaleSubresource s;
        s.spec_replicas_path = scale->value("specReplicasPath", ".spec.replicas");
        s.status_replicas_path = scale->value("statusReplicasPath", ".status.replicas");
        s.label_selector_path = scale->value("labelSelectorPath", "");
        info.scale = s;
      }
    }
    if (const nlohmann::json* fields = Path(version, {"selectableFields"}); fields && fields->is_array()) {
      for (const auto& field : *fields) {
        std::string path = field.value("jsonPath", "");
        if (!path.empty() && path[0] == '.') path.erase(0, 1);
        if (!path.empty()) info.selectable_fields.push_back(path);
      }
    }
    infos.push_back(std::move(info));
  }
  std::unique_lock lock(mutex_);
  std::erase_if(kinds_, [&](const ResourceInfoPtr& info) { return info->custom && info->crd_name == crd_name; });
  for (auto& info : infos) AddLocked(std::move(info));
  ++epoch_;
}

void ResourceRegistry::RemoveCrd(std::string_view crd_name) {
  std::unique_lock lock(mutex_);
  std::erase_if(kinds_, [&](const ResourceInfoPtr& info) { return info->custom && info->crd_name == crd_name; });
  ++epoch_;
}

}  // namespace lifeboat::devcluster
