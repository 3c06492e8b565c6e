"""A small offline validator for the structural OpenAPI v3 schemas in our CRDs.

It implements the subset of the API server's CRD validation our schemas use (type, required,
enum, pattern, bounds, lengths, item counts, oneOf with `required`, additionalProperties,
x-kubernetes-int-or-string, map-list key uniqueness, date-time format, unknown fields as kubectl's
strict field validation reports them) and words errors like kube-apiserver, so the "# Schema:"
messages of tests/api/invalid/ can be checked without a cluster. The real API server remains the
authority (tests/e2e/api checks the same files against it).
"""
import datetime
import json
import re

JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number",
              type(None): "null"}


def json_type(value):
    return JSON_TYPES.get(type(value), "unknown")


def fmt(value):
    return json.dumps(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def go_regex_to_python(pattern):
    return pattern  # Our patterns use only syntax RE2 and Python share.


def parse_date_time(text):
    try:
        datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


def validate(value, schema, path, errors):
    if value is None:
        return
    if schema.get("x-kubernetes-int-or-string"):
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            errors.append('%s: Invalid value: "%s": %s in body must be of type int-or-string: "%s"'
                          % (path, json_type(value), path, json_type(value)))
            return
    else:
        want = schema.get("type")
        have = json_type(value)
        ok = (want is None or want == have or (want == "number" and have == "integer"))
        if not ok:
            errors.append('%s: Invalid value: "%s": %s in body must be of type %s: "%s"' % (path, have, path, want, have))
            return
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s: Unsupported value: %s: supported values: %s"
                      % (path, fmt(value), ", ".join(fmt(e) for e in schema["enum"])))
    if isinstance(value, str):
        if schema.get("format") == "date-time" and not parse_date_time(value):
            errors.append('%s: Invalid value: "%s": %s in body must be of type date-time: "%s"' % (path, value, path, value))
        if "minLength" in schema and len(value) < schema["minLength"]:
            errors.append('%s: Invalid value: "%s": %s in body should be at least %d chars long'
                          % (path, value, path, schema["minLength"]))
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            errors.append("%s: Too long: may not be longer than %d" % (path, schema["maxLength"]))
        if "pattern" in schema and not re.search(go_regex_to_python(schema["pattern"]), value):
            errors.append("%s: Invalid value: \"%s\": %s in body should match '%s'" % (path, value, path, schema["pattern"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append("%s: Invalid value: %s: %s in body should be greater than or equal to %s"
                          % (path, value, path, schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            errors.append("%s: Invalid value: %s: %s in body should be less than or equal to %s"
                          % (path, value, path, schema["maximum"]))
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            errors.append("%s: Too many: %d: must have at most %d items" % (path, len(value), schema["maxItems"]))
        if "minItems" in schema and len(value) < schema["minItems"]:
            errors.append("%s: Invalid value: %d: %s in body should have at least %d items"
                          % (path, len(value), path, schema["minItems"]))
        if schema.get("x-kubernetes-list-type") == "map":
            seen = {}
            for i, item in enumerate(value):
                key = tuple((k, json.dumps(item.get(k))) for k in schema["x-kubernetes-list-map-keys"]) if isinstance(item, dict) else None
                if key in seen:
                    errors.append("%s[%d]: Duplicate value: %s" % (path, i, dict((k, item.get(k)) for k in schema["x-kubernetes-list-map-keys"])))
                seen[key] = i
        if schema.get("x-kubernetes-list-type") == "set":
            for i, item in enumerate(value):
                if item in value[:i]:
                    errors.append("%s[%d]: Duplicate value: %s" % (path, i, fmt(item)))
        for i, item in enumerate(value):
            validate(item, schema.get("items", {}), "%s[%d]" % (path, i), errors)
    if isinstance(value, dict):
        props = schema.get("properties")
        for name in schema.get("required", []):
            if name not in value or value[name] is None:
                errors.append("%s: Required value" % (path + "." + name if path else name))
        if "minProperties" in schema and len(value) < schema["minProperties"]:
            errors.append("%s: Invalid value: %d: %s in body should have at least %d properties"
                          % (path, len(value), path, schema["minProperties"]))
        for key, item in value.items():
            child = path + "." + key if path else key
            if props is not None and key in props:
                validate(item, props[key], child, errors)
            elif "additionalProperties" in schema and isinstance(schema["additionalProperties"], dict):
                validate(item, schema["additionalProperties"], child, errors)
            elif props is not None and not schema.get("x-kubernetes-preserve-unknown-fields"):
                if path != "" or key not in ("apiVersion", "kind", "metadata"):
                    errors.append('%s: unknown field "%s"' % (path or "<root>", key))
        if "oneOf" in schema:
            matches = sum(1 for alternative in schema["oneOf"]
                          if all(r in value for r in alternative.get("required", [])))
            if matches != 1:
                errors.append('%s: Invalid value: "object": %s in body must validate one and only one schema (oneOf). '
                              'Found %s valid alternatives' % (path, path, matches))
    return errors


def validate_object(obj, crd):
    schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    errors = []
    validate(obj, schema, "", errors)
    return errors
