#include "operator/kube/resource.h"

#include <cctype>

namespace lifeboat::kube {

std::string ResourceRef::ApiVersion() const { return group.empty() ? version : group + "/" + version; }

std::string ResourceRef::GroupResource() const { return group.empty() ? resource : resource + "." + group; }

std::string ResourceRef::GroupVersionPath() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string ResourceRef::CollectionPath(std::string_view ns) const {
  std::string path = GroupVersionPath();
  if (namespaced && !ns.empty()) {
    path += "/namespaces/";
    path += ns;
  }
  path += "/";
  path += resource;
  return path;
}

std::string ResourceRef::ObjectPath(std::string_view ns, std::string_view name, std::string_view subresource) const {
  std::string path = CollectionPath(ns);
  path += "/";
  path += name;
  if (!subresource.empty()) {
    path += "/";
    path += subresource;
  }
  return path;
}

std::string ObjectKey::ToString() const { return ns.empty() ? name : ns + "/" + name; }

StatusOr<ObjectKey> ObjectKey::Parse(std::string_view key) {
  auto slash = key.find('/');
  ObjectKey result;
  if (slash == std::string_view::npos) {
    result.name = std::string(key);
  } else {
    result.ns = std::string(key.substr(0, slash));
    result.name = std::string(key.substr(slash + 1));
    if (result.ns.empty() || result.name.find('/') != std::string::npos) {
      return InvalidArgumentError("object key \"" + std::string(key) + "\" is not namespace/name or name");
    }
  }
  if (result.name.empty()) return InvalidArgumentError("object key \"" + std::string(key) + "\" has no name");
  return result;
}

std::string UrlEncode(std::string_view value) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

ResourceRef LeaseResource() { return {"coordination.k8s.io", "v1", "leases", "Lease", true}; }
ResourceRef EventResource() { return {"", "v1", "events", "Event", true}; }

}  // namespace lifeboat::kube
