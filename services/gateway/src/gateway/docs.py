"""A browsable page of the public API at /api/v1/docs, rendered on the server from the OpenAPI
document (no script and no CDN: it works without network access)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, render_template

METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Flatten the OpenAPI paths into a list of operations, in path order."""
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema", {})
            ops.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "body": body.get("$ref", "").rsplit("/", 1)[-1],
                "responses": sorted((op.get("responses") or {}).keys()),
                "answers": answers(spec, op),
                "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
            })
    return ops


def answers(spec: dict[str, Any], op: dict[str, Any]) -> list[dict[str, Any]]:
    """Each documented answer of an operation: status, content type, schema name, description."""
    out = []
    for code, answer in sorted((op.get("responses") or {}).items()):
        if "$ref" in answer:  # a shared response (flask-smorest's UNPROCESSABLE_ENTITY, DEFAULT_ERROR)
            answer = spec.get("components", {}).get("responses", {}).get(answer["$ref"].rsplit("/", 1)[-1], {})
        content = answer.get("content") or {"": {}}
        for media, body in content.items():
            schema = body.get("schema") or {}
            out.append({"code": code, "media": media, "schema": schema.get("$ref", "").rsplit("/", 1)[-1],
                        "description": answer.get("description", "")})
    return out


def install(app: Flask, document: Callable[[], dict[str, Any]]) -> None:
    """Serve the listing of `document()` (the public OpenAPI document) at /api/v1/docs."""

    def docs_page() -> str:
        spec = document()
        schemas = spec.get("components", {}).get("schemas", {})
        return render_template("api_docs.html", spec=spec, ops=operations(spec), schemas=schemas)

    # flask-smorest registered its Swagger UI (which loads scripts from elsewhere) at this path
    if "api-docs.openapi_swagger_ui" in app.view_functions:
        app.view_functions["api-docs.openapi_swagger_ui"] = docs_page
    else:
        app.add_url_rule("/api/v1/docs", "api_docs_page", docs_page)
