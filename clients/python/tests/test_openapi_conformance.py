"""The client against the live server's own description (``GET /openapi.json``).

Every operation the server describes has a client method, with the same method, path and
query parameters; every JSON answer and body is decoded or encoded by the model mirroring its
schema; every object schema has a model whose fields are its properties, with the same
required set and compatible types; every enumeration has the same values. A change on either
side that the other does not follow fails here.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Dict, List, Literal, Optional, Set, Tuple

import pytest

from hypatia_client import AsyncHypatiaClient, HypatiaClient
from hypatia_client.client import OPERATIONS
from hypatia_client.models import ENUMS, SCHEMAS, Model

REF = "#/components/schemas/"


def _ref_name(schema: Dict[str, Any]) -> Optional[str]:
    ref = schema.get("$ref")
    return ref[len(REF) :] if isinstance(ref, str) and ref.startswith(REF) else None


def _resolve(openapi: dict, schema: Dict[str, Any]) -> Dict[str, Any]:
    name = _ref_name(schema)
    return openapi["components"]["schemas"][name] if name else schema


def _object_view(openapi: dict, schema: Dict[str, Any]) -> Tuple[Dict[str, Any], Set[str]]:
    """Properties and required names of an object schema, through ``$ref`` and ``allOf``."""
    schema = _resolve(openapi, schema)
    props: Dict[str, Any] = dict(schema.get("properties", {}))
    required: Set[str] = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        p, r = _object_view(openapi, part)
        props.update(p)
        required |= r
    return props, required


def _is_object_schema(openapi: dict, schema: Dict[str, Any]) -> bool:
    props, _ = _object_view(openapi, schema)
    return bool(props)


def _operations(openapi: dict):
    for path, item in openapi["paths"].items():
        for method, op in item.items():
            yield method.upper(), path, op


def test_every_described_operation_has_a_client_method(openapi):
    described = {op["operationId"]: (method, path) for method, path, op in _operations(openapi)}
    table = {op_id: (op.method, op.path) for op_id, op in OPERATIONS.items()}
    assert table == described, "OPERATIONS differs from the server's operations (operationId: (method, path))"
    for op_id, op in OPERATIONS.items():
        for cls in (HypatiaClient, AsyncHypatiaClient):
            assert callable(getattr(cls, op.client_method, None)), f"{cls.__name__}.{op.client_method} ({op_id})"


def test_query_parameters_match(openapi):
    for method, path, op in _operations(openapi):
        described = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
        ours = set(OPERATIONS[op["operationId"]].query)
        assert ours == described, f"{method} {path}: client sends {sorted(ours)}, server takes {sorted(described)}"


def test_answers_and_bodies_use_the_models_of_their_schemas(openapi):
    for method, path, op in _operations(openapi):
        ours = OPERATIONS[op["operationId"]]
        answers = [
            r["content"]["application/json"]["schema"]
            for status, r in op["responses"].items()
            if status.startswith("2") and "application/json" in r.get("content", {})
        ]
        for schema in answers:
            if schema.get("type") == "array":
                assert ours.many, f"{method} {path} answers an array"
                schema = schema["items"]
            else:
                assert not ours.many, f"{method} {path} answers one object"
            name = _ref_name(schema)
            if name is None:
                assert ours.answer is None, f"{method} {path} answers an unnamed schema"
            else:
                assert ours.answer is not None and ours.answer.__schema__ == name, (
                    f"{method} {path}: answer schema {name}, client decodes {ours.answer}"
                )
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            name = _ref_name(body["schema"])
            assert ours.body is not None and ours.body.__schema__ == name, f"{method} {path}: body {name}"
        else:
            assert ours.body is None, f"{method} {path} has no JSON body"


def test_every_object_schema_has_a_model(openapi):
    objects = {n for n, s in openapi["components"]["schemas"].items() if _is_object_schema(openapi, s)}
    missing = objects - set(SCHEMAS)
    assert not missing, f"object schemas without a model: {sorted(missing)}"
    stale = set(SCHEMAS) - set(openapi["components"]["schemas"])
    assert not stale, f"models of schemas the server no longer has: {sorted(stale)}"


def _json_fields(model: type) -> Dict[str, dataclasses.Field]:
    return {f.metadata.get("json", f.name): f for f in dataclasses.fields(model)}


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, getattr(__import__("types"), "UnionType", typing.Union)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _kinds(openapi: dict, schema: Dict[str, Any]) -> Set[str]:
    """The JSON kinds a property schema allows, besides null."""
    if "oneOf" in schema or "anyOf" in schema:
        out: Set[str] = set()
        for s in schema.get("oneOf", []) + schema.get("anyOf", []):
            out |= _kinds(openapi, s)
        return out
    if "allOf" in schema:
        return {"object"}
    name = _ref_name(schema)
    if name:
        target = openapi["components"]["schemas"][name]
        if _is_object_schema(openapi, target):
            return {"model:" + name}
        return _kinds(openapi, target)
    t = schema.get("type")
    types_ = set(t) if isinstance(t, list) else {t} if t else set()
    types_.discard("null")
    if "enum" in schema:
        types_ = {"string"}
    return types_


def _python_kind(tp: Any) -> Set[str]:
    tp = _strip_optional(tp)
    origin = typing.get_origin(tp)
    if origin is Literal:
        return {"string"}
    if origin in (list, List, tuple, Tuple):
        return {"array"}
    if origin in (dict, Dict):
        return {"object"}
    if origin is typing.Union:
        out: Set[str] = set()
        for a in typing.get_args(tp):
            out |= _python_kind(a)
        return out
    if isinstance(tp, type) and issubclass(tp, Model):
        return {"model:" + tp.__schema__}
    return {{str: "string", int: "integer", float: "number", bool: "boolean"}.get(tp, repr(tp))}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_model_fields_match_schema_properties(openapi, name):
    model = SCHEMAS[name]
    assert name in openapi["components"]["schemas"], f"the server has no schema {name}"
    props, required = _object_view(openapi, openapi["components"]["schemas"][name])
    fields = _json_fields(model)
    assert set(fields) == set(props), (
        f"{model.__name__} vs {name}: only in the model {sorted(set(fields) - set(props))}, "
        f"only in the schema {sorted(set(props) - set(fields))}"
    )
    hints = typing.get_type_hints(model)
    for json_name, f in fields.items():
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        assert has_default == (json_name not in required), (
            f"{model.__name__}.{f.name}: {'optional' if has_default else 'required'} in the model, "
            f"{'required' if json_name in required else 'optional'} in {name}"
        )
        expected = _kinds(openapi, props[json_name])
        ours = _python_kind(hints[f.name])
        # `object` stands for free-form objects and also for inline (allOf) ones.
        if expected == {"object"} and any(k.startswith("model:") for k in ours):
            continue
        assert ours <= expected | {"object"} and (ours & expected or ours == {"object"}), (
            f"{model.__name__}.{f.name}: the model types it {sorted(ours)}, {name} {sorted(expected)}"
        )


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_enumerations_match(openapi, name):
    schema = openapi["components"]["schemas"][name]
    assert set(typing.get_args(ENUMS[name])) == set(schema["enum"]), name


def test_error_body_is_what_errors_read(openapi):
    props, required = _object_view(openapi, openapi["components"]["schemas"]["ErrorBody"])
    assert {"code", "message"} <= required
    for method, path, op in _operations(openapi):
        for status, r in op["responses"].items():
            if status.startswith(("4", "5")):
                schema = r.get("content", {}).get("application/json", {}).get("schema", {})
                assert _ref_name(schema) == "ErrorBody", f"{method} {path} {status} is not an ErrorBody"
