#include "e2e/devcluster/store/api_error.h"

namespace lifeboat::devcluster {
namespace {

std::string QualifiedResource(std::string_view group, std::string_view resource) {
  std::string out(resource);
  if (!group.empty()) {
    out += ".";
    out += group;
  }
  return out;
}

nlohmann::json NameDetails(std::string_view group, std::string_view kind, std::string_view name) {
  nlohmann::json details = nlohmann::json::object();
  if (!name.empty()) details["name"] = std::string(name);
  if (!group.empty()) details["group"] = std::string(group);
  details["kind"] = std::string(kind);
  return details;
}

std::string Quote(std::string_view text) {
  std::string out = "\"";
  out += text;
  out += "\"";
  return out;
}

}  // namespace

nlohmann::json ApiError::ToStatus() const {
  nlohmann::json status = {{"kind", "Status"},
                           {"apiVersion", "v1"},
                           {"metadata", nlohmann::json::object()},
                           {"status", "Failure"},
                           {"message", message},
                           {"reason", reason}};
  if (details.is_object() && !details.empty()) status["details"] = details;
  status["code"] = code;
  return status;
}

ApiError ApiError::NotFound(std::string_view group, std::string_view resource, std::string_view name) {
  return {404, "NotFound", QualifiedResource(group, resource) + " " + Quote(name) + " not found",
          NameDetails(group, resource, name)};
}

ApiError ApiError::AlreadyExists(std::string_view group, std::string_view resource, std::string_view name) {
  return {409, "AlreadyExists", QualifiedResource(group, resource) + " " + Quote(name) + " already exists",
          NameDetails(group, resource, name)};
}

ApiError ApiError::Conflict(std::string_view group, std::string_view resource, std::string_view name,
                            std::string_view detail) {
  std::string why = detail.empty()
                        ? std::string("the object has been modified; please apply your changes to the latest "
                                      "version and try again")
                        : std::string(detail);
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + QualifiedResource(group, resource) + " " + Quote(name) + ": " + why,
          NameDetails(group, resource, name)};
}

ApiError ApiError::Invalid(std::string_view group, std::string_view kind, std::string_view name,
                           std::vector<ApiCause> causes) {
  std::string qualified_kind = QualifiedResource(group, kind);
  std::string message = qualified_kind + " " + Quote(name) + " is invalid: ";
  if (causes.size() == 1) {
    message += causes[0].field.empty() ? causes[0].message : causes[0].field + ": " + causes[0].message;
  } else {
    message += "[";
    for (size_t i = 0; i < causes.size(); ++i) {
      if (i > 0) message += ", ";
      message += causes[i].field.empty() ? causes[i].message : causes[i].field + ": " + causes[i].message;
    }
    message += "]";
  }
  nlohmann::json details = NameDetails(group, kind, name);
  nlohmann::json list = nlohmann::json::array();
  for (const ApiCause& cause : causes) {
    nlohmann::json entry = {{"reason", cause.reason}, {"message", cause.message}};
    if (!cause.field.empty()) entry["field"] = cause.field;
    list.push_back(std::move(entry));
  }
  details["causes"] = std::move(list);
  return {422, "Invalid", std::move(message), std::move(details)};
}

ApiError ApiError::BadRequest(std::string message) {
  return {400, "BadRequest", std::move(message), nlohmann::json::object()};
}

ApiError ApiError::Forbidden(std::string_view group, std::string_view resource, std::string_view name,
                             std::string_view detail) {
  return {403, "Forbidden",
          QualifiedResource(group, resource) + " " + Quote(name) + " is forbidden: " + std::string(detail),
          NameDetails(group, resource, name)};
}

ApiError ApiError::MethodNotSupported(std::string_view group, std::string_view resource) {
  return {405, "MethodNotAllowed", "the server does not allow this method on the requested resource",
          NameDetails(group, resource, "")};
}

ApiError ApiError::Expired(std::string message) {
  return {410, "Expired", std::move(message), nlohmann::json::object()};
}

ApiError ApiError::TooOldResourceVersion(uint64_t requested, uint64_t oldest_available) {
  return Expired("too old resource version: " + std::to_string(requested) + " (" +
                 std::to_string(oldest_available) + ")");
}

ApiError ApiError::UnsupportedMediaType(const std::vector<std::string>& accepted) {
  std::string message = "the body of the request was in an unknown format - accepted media types include: ";
  for (size_t i = 0; i < accepted.size(); ++i) {
    if (i > 0) message += ", ";
    message += accepted[i];
  }
  return {415, "UnsupportedMediaType", std::move(message), nlohmann::json::object()};
}

ApiError ApiError::TooLargeResourceVersion(uint64_t requested, uint64_t current) {
  nlohmann::json details = {
      {"causes", {{{"reason", "ResourceVersionTooLarge"}, {"message", "Too large resource version"}}}},
      {"retryAfterSeconds", 1}};
  return {504, "Timeout",
          "Too large resource version: " + std::to_string(requested) + ", current: " + std::to_string(current),
          std::move(details)};
}

ApiError ApiError::Internal(std::string_view message) {
  nlohmann::json details = {{"causes", {{{"message", std::string(message)}}}}};
  return {500, "InternalError", "Internal error occurred: " + std::string(message), std::move(details)};
}

}  // namespace lifeboat::devcluster
