// The example CRD of /work/shared/k8s-wire/crd.yaml (group example.com, kind Gizmo), as JSON, for
// tests that need a registry with a custom kind installed. Header-only test data.
#pragma once

#include <nlohmann/json.hpp>

namespace lifeboat::devcluster::testing {

inline nlohmann::json GizmoCrd() {
  return nlohmann::json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "gizmos.example.com"},
    "spec": {
      "group": "example.com", "scope": "Namespaced",
      "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo", "listKind": "GizmoList",
                "shortNames": ["gz"], "categories": ["example"]},
      "versions": [{
        "name": "v1", "served": true, "storage": true, "subresources": {"status": {}},
        "additionalPrinterColumns": [
          {"name": "Size", "type": "integer", "jsonPath": ".spec.size"},
          {"name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status"},
          {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}],
        "schema": {"openAPIV3Schema": {"type": "object", "properties": {
          "spec": {"type": "object", "required": ["size"], "properties": {
            "size": {"type": "integer", "minimum": 1, "maximum": 10},
            "mode": {"type": "string", "enum": ["fast", "safe"], "default": "safe"}}},
          "status": {"type": "object", "properties": {"conditions": {"type": "array", "items": {
            "type": "object", "required": ["type", "status"],
            "properties": {"type": {"type": "string"}, "status": {"type": "string"}}}}}}}}}
      }]
    }})");
}

}  // namespace lifeboat::devcluster::testing
