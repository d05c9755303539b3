"""The API reference shows a curl example per endpoint, made from the OpenAPI description: each one, run as it
stands (with a real token), reaches its endpoint and sends only fields the API knows."""
import html
import json
import re
import shlex

from tests.api.test_api import ALL


def run(http, command, secret):
    """Runs a curl command of the reference through the test client: (method, path, status, JSON answer)."""
    words = shlex.split(command.replace("\\\n", " "))
    method, url = words[words.index("-X") + 1], words[3]
    headers = dict(words[i + 1].split(": ", 1) for i, word in enumerate(words) if word == "-H")
    headers["Authorization"] = f"Bearer {secret}"
    body = words[words.index("-d") + 1] if "-d" in words else None
    path = url.split("://", 1)[1].split("/", 1)[1]
    response = http.open("/" + path, method=method, headers=headers, data=body)
    return method, path, response.status_code, response.get_json(silent=True)


def test_every_endpoint_has_a_curl_example_that_the_api_takes(app, as_user, make_token):  # noqa: F811
    document = app.test_client().get("/api/v1/openapi.json").json
    operations = [(method.upper(), path) for path, ops in document["paths"].items() for method in ops
                  if method != "parameters"]
    page = as_user("dip@demo.test").get("/api-reference").get_data(as_text=True)
    shown = {(method, path): html.unescape(example) for method, path, example in re.findall(
        r'<h3><code>(\w+) ([^<]+)</code></h3>.*?<pre class="curl"><code id="[^"]+">(.*?)</code></pre>', page, re.S)}
    assert sorted(shown) == sorted(operations) and len(operations) >= 10
    examples = [shown[operation] for operation in operations]
    secret = make_token("dip@demo.test", scopes=ALL)
    http = app.test_client()
    for example, (method, path) in zip(examples, operations):
        assert example.startswith(f"curl -X {method} 'http://localhost{path.split('{')[0]}"), example
        assert "-H 'Authorization: Bearer rd_…'" in example
        sent_method, sent_path, status, answer = run(http, example, secret)
        # It reaches its endpoint (an example id may name nothing: 404 is the API's answer, not a wrong route) …
        assert status not in (400, 405, 415), (example, status, answer)
        # … and the API knows every field it sends.
        errors = json.dumps((answer or {}).get("errors", {}))
        assert "Unknown field" not in errors, (example, answer)
    # A body carries every field a client may send, with example values from the description.
    create = examples[operations.index(("POST", "/api/v1/rfcs"))]
    assert "-H 'Idempotency-Key: build-4411'" in create and '"system": "DIP"' in create
    assert '"window_start": "2026-12-14T09:30:00Z"' in create and '"environments": [\n    "SIT-A"\n  ]' in create
