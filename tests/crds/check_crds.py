#!/usr/bin/python3
"""Checks the CRDs: the generator's output equals crds/, the kustomize and chart copies are
identical to crds/, every field has a description, the schemas are structural and use only what a
1.24 API server accepts, printer columns point at real fields, and the samples and invalid
resources are accepted or rejected by the schemas as their headers say.

usage: check_crds.py SOURCE_DIR
"""
import filecmp
import os
import re
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import schema_validator  # noqa: E402

FAILURES = []


def fail(message):
    FAILURES.append(message)


def load(path):
    with open(path, encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    return docs


ALLOWED_KEYS = {"type", "description", "properties", "required", "items", "enum", "pattern", "minimum", "maximum",
                "minLength", "maxLength", "minItems", "maxItems", "minProperties", "default", "format",
                "additionalProperties", "oneOf", "anyOf", "x-kubernetes-list-type", "x-kubernetes-list-map-keys",
                "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"}


def walk(schema, path, crd_name):
    """Structural-schema and documentation checks for one node."""
    unknown = set(schema) - ALLOWED_KEYS
    if unknown:
        fail("%s %s: keys a 1.24 API server would not accept or we do not allow: %s" % (crd_name, path, sorted(unknown)))
    if "x-kubernetes-validations" in schema:
        fail("%s %s: CEL rules are not allowed (1.24)" % (crd_name, path))
    if "type" not in schema and not schema.get("x-kubernetes-int-or-string"):
        fail("%s %s: no type (not structural)" % (crd_name, path))
    for alternative in schema.get("oneOf", []) + schema.get("anyOf", []):
        if set(alternative) - {"required"} and not schema.get("x-kubernetes-int-or-string"):
            fail("%s %s: oneOf/anyOf may only carry `required` here" % (crd_name, path))
    if schema.get("type") == "array" and "items" not in schema:
        fail("%s %s: array without items" % (crd_name, path))
    if "x-kubernetes-list-map-keys" in schema:
        item_props = schema["items"].get("properties", {})
        for key in schema["x-kubernetes-list-map-keys"]:
            if key not in schema["items"].get("required", []) and "default" not in item_props.get(key, {}):
                fail("%s %s: map-list key %s must be required or defaulted" % (crd_name, path, key))
    if "pattern" in schema:
        try:
            re.compile(schema["pattern"])
        except re.error as e:
            fail("%s %s: bad pattern: %s" % (crd_name, path, e))
    if "default" in schema:
        errors = []
        schema_validator.validate(schema["default"], schema, path, errors)
        if errors:
            fail("%s %s: default does not validate: %s" % (crd_name, path, errors))
    for name, child in schema.get("properties", {}).items():
        child_path = path + "." + name
        if path == "" and name == "metadata":
            continue
        if not child.get("description"):
            fail("%s %s: no description" % (crd_name, child_path))
        walk(child, child_path, crd_name)
    for name in schema.get("required", []):
        if name not in schema.get("properties", {}):
            fail("%s %s: requires undeclared %s" % (crd_name, path, name))
    if "items" in schema:
        walk(schema["items"], path + "[]", crd_name)
    if isinstance(schema.get("additionalProperties"), dict):
        walk(schema["additionalProperties"], path + "{}", crd_name)


def resolve_json_path(schema, json_path):
    node = schema
    for part in re.sub(r"\[\?\(@\.[^)]*\)\]", "[]", json_path).strip(".").split("."):
        array = part.endswith("[]")
        part = part[:-2] if array else part
        props = node.get("properties", {})
        if part == "metadata" and node is schema:
            return True
        if part not in props:
            return False
        node = props[part]
        if array:
            node = node.get("items", {})
    return True


def check_crd(crd):
    name = crd["metadata"]["name"]
    spec = crd["spec"]
    if spec["scope"] != "Namespaced":
        fail("%s: must be namespaced" % name)
    if spec["group"] != "lifeboat.dev":
        fail("%s: wrong group" % name)
    if "lifeboat" not in spec["names"].get("categories", []):
        fail("%s: not in the lifeboat category" % name)
    if not spec["names"].get("shortNames"):
        fail("%s: no shortNames" % name)
    if name != "%s.%s" % (spec["names"]["plural"], spec["group"]):
        fail("%s: name must be plural.group" % name)
    for version in spec["versions"]:
        if version["name"] != "v1alpha1":
            fail("%s: unexpected version %s" % (name, version["name"]))
        if version.get("subresources", {}).get("status") != {}:
            fail("%s: no status subresource" % name)
        schema = version["schema"]["openAPIV3Schema"]
        walk(schema, "", name)
        conditions = schema["properties"]["status"]["properties"].get("conditions")
        if not conditions:
            fail("%s: no status.conditions" % name)
        else:
            item = conditions["items"]
            for field in ("type", "status", "lastTransitionTime", "reason", "message"):
                if field not in item.get("required", []):
                    fail("%s: condition field %s must be required (metav1.Condition)" % (name, field))
            if conditions.get("x-kubernetes-list-type") != "map":
                fail("%s: conditions must be a map list keyed by type" % name)
        columns = version.get("additionalPrinterColumns", [])
        if len(columns) < 3:
            fail("%s: too few printer columns" % name)
        for column in columns:
            if column["type"] not in ("string", "integer", "number", "boolean", "date"):
                fail("%s: column %s has bad type" % (name, column["name"]))
            if not resolve_json_path(schema, column["jsonPath"]):
                fail("%s: column %s points at a missing field %s" % (name, column["name"], column["jsonPath"]))


def header(text, key):
    match = re.search(r"^# %s: (.*)$" % key, text, re.M)
    return match.group(1) if match else None


def main(source):
    crd_dir = os.path.join(source, "crds")
    names = sorted(f for f in os.listdir(crd_dir) if f.endswith(".yaml"))
    if len(names) != 4:
        fail("crds/ must hold the four CRDs, found %s" % names)
    # 1. The generator's output is what is checked in.
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(source, "tools/crdgen/crdgen.py"), tmp], check=True)
        for n in names:
            if not filecmp.cmp(os.path.join(tmp, n), os.path.join(crd_dir, n), shallow=False):
                fail("crds/%s differs from tools/crdgen/crdgen.py's output: run the generator" % n)
    # 2. The copies are identical.
    for copy_dir in ("config/crd/bases", "charts/lifeboat/crds"):
        copies = sorted(f for f in os.listdir(os.path.join(source, copy_dir)) if f.endswith(".yaml"))
        if copies != names:
            fail("%s holds %s, crds/ holds %s" % (copy_dir, copies, names))
        for n in names:
            other = os.path.join(source, copy_dir, n)
            if os.path.exists(other) and not filecmp.cmp(other, os.path.join(crd_dir, n), shallow=False):
                fail("%s/%s differs from crds/%s" % (copy_dir, n, n))
    # 3. Each CRD is well formed and documented.
    crds = {}
    for n in names:
        for crd in load(os.path.join(crd_dir, n)):
            check_crd(crd)
            crds[crd["spec"]["names"]["kind"]] = crd
    # 4. Samples are valid under the schemas.
    sample_dir = os.path.join(source, "config/samples")
    kinds = set()
    for n in sorted(os.listdir(sample_dir)):
        for obj in load(os.path.join(sample_dir, n)):
            kinds.add(obj["kind"])
            errors = schema_validator.validate_object(obj, crds[obj["kind"]])
            if errors:
                fail("sample %s is rejected by the schema: %s" % (n, errors))
    if kinds != set(crds):
        fail("samples cover %s, not all four kinds" % sorted(kinds))
    # 5. Invalid resources: rejected by the schema with the documented message, or accepted by it
    #    when only the operator can tell.
    invalid_dir = os.path.join(source, "tests/api/invalid")
    count = 0
    for n in sorted(os.listdir(invalid_dir)):
        text = open(os.path.join(invalid_dir, n), encoding="utf-8").read()
        expected = header(text, "Schema")
        if expected is None:
            fail("%s: no '# Schema:' header" % n)
            continue
        obj = yaml.safe_load(text)
        errors = schema_validator.validate_object(obj, crds[obj["kind"]])
        count += 1
        if expected.startswith("accepts"):
            if errors:
                fail("%s: should pass the schema (only the operator rejects it) but: %s" % (n, errors))
        elif not any(expected in e for e in errors):
            fail("%s: expected a schema error containing %r, got %s" % (n, expected, errors))
    # 6. The README's examples are valid too.
    readme = open(os.path.join(source, "README.md"), encoding="utf-8").read()
    examples = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.S)
                if "apiVersion: lifeboat.dev/" in block]
    for obj in examples:
        errors = schema_validator.validate_object(obj, crds[obj["kind"]])
        if errors:
            fail("README example %s is rejected by the schema: %s" % (obj["metadata"]["name"], errors))
    if len(examples) < 4:
        fail("README has %d examples, want one per kind" % len(examples))
    print("checked %d CRDs, %d samples' kinds, %d invalid resources, %d README examples"
          % (len(crds), len(kinds), count, len(examples)))
    for f in FAILURES:
        print("FAIL: " + f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
