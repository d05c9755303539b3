"""A curl example for every operation of the OpenAPI description, made from the description itself (its paths,
parameters and body schemas), so the reference page can never show a call the API does not take."""
import json

EXAMPLE_TIME = "2026-12-14T09:30:00Z"
EXAMPLE_DAY = "2026-12-14"
TOKEN = "rd_…"


def _resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def example_value(spec, schema, name="", depth=0):
    """A value the schema accepts: its example, its first allowed value, or one of its type."""
    schema = _resolve(spec, schema)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    kinds = schema.get("type", "object")
    kind = next((k for k in kinds if k != "null"), "string") if isinstance(kinds, list) else kinds
    if kind == "object" or "properties" in schema:
        return example_body(spec, schema, depth + 1) if depth < 3 else {}
    if kind == "array":
        return [example_value(spec, schema.get("items", {}), name, depth + 1)]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return EXAMPLE_TIME
    if schema.get("format") == "date":
        return EXAMPLE_DAY
    return f"<{name or 'text'}>"


def example_body(spec, schema, depth=0):
    """Every field a client may send (not the read-only ones), each with an example value."""
    schema = _resolve(spec, schema)
    return {name: example_value(spec, field, name, depth) for name, field in schema.get("properties", {}).items()
            if not _resolve(spec, field).get("readOnly")}


def _quoted(text):
    return "'" + text.replace("'", "'\\''") + "'"


def curl_example(spec, base_url, path, method, operation, shared_parameters=()):
    """The curl command for one operation: required parameters filled with example values, the JSON body with
    every field the client may send."""
    url = base_url.rstrip("/") + path
    query, headers = [], [f"Authorization: Bearer {TOKEN}"]
    for parameter in list(shared_parameters) + operation.get("parameters", []):
        value = example_value(spec, parameter.get("schema", {}), parameter["name"])
        if parameter["in"] == "path":
            url = url.replace("{" + parameter["name"] + "}", str(value))
        elif parameter["in"] == "query" and parameter.get("required"):
            query.append(f"{parameter['name']}={value}")
        elif parameter["in"] == "header":
            headers.append(f"{parameter['name']}: {'build-4411' if parameter['name'] == 'Idempotency-Key' else value}")
    if query:
        url += "?" + "&".join(query)
    lines = [f"curl -X {method.upper()} {_quoted(url)}"] + [f"  -H {_quoted(h)}" for h in headers]
    content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
    if content:
        lines.append("  -H 'Content-Type: application/json'")
        lines.append("  -d " + _quoted(json.dumps(example_body(spec, content["schema"]), indent=2,
                                                   ensure_ascii=False)))
    return " \\\n".join(lines)


def curl_examples(spec, base_url):
    """{(path, method): curl command} for every operation."""
    examples = {}
    for path, operations in spec["paths"].items():
        shared = operations.get("parameters", [])
        for method, operation in operations.items():
            if method != "parameters":
                examples[(path, method)] = curl_example(spec, base_url, path, method, operation, shared)
    return examples
