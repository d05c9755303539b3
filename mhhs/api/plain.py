"""A schema's dump made once into plain functions: for each field, the attribute it reads and a converter of the
value, chosen by the field's kind (a name, an enumeration's value, a UTC time, text, a nested schema, a list), so a
page of rows is serialised without marshmallow's per-field machinery (13,500 field calls a page of 25 RFCs). The
schemas in schemas.py stay the one description of the JSON: a field of any other kind (or a schema with dump
hooks) is serialised by marshmallow itself, and tests/api compare the two."""
from datetime import UTC
from functools import cache

from marshmallow import fields
from marshmallow.utils import missing

from ..core.urls import public_url_of_id
from ..rfcs.numbers import rfc_number
from . import schemas


def _none_or(convert):
    return lambda value: None if value is None else convert(value)


def _converter(field):
    kind = type(field)
    if kind is schemas.Name:
        return _none_or(lambda value: value.name)
    if kind is schemas.Value:
        return lambda value: getattr(value, "value", value)
    if kind is schemas.Text:
        return lambda value: str(value) if value else ""
    if kind is schemas.RfcNumber:
        return lambda value: rfc_number(value) if value else None
    if kind is schemas.Page:
        return _none_or(lambda value: public_url_of_id(field.endpoint, field.key, value))
    if kind is schemas.UtcTime:
        return _none_or(lambda value: value.replace(tzinfo=UTC).isoformat())
    if kind is fields.String:
        return _none_or(str)
    if kind is fields.Integer and not field.as_string:
        return _none_or(int)
    if kind is fields.Boolean:
        return lambda value: value
    if kind is fields.Enum and field.by_value:
        return _none_or(lambda value: value.value)
    if kind is fields.List:
        inner = _converter(field.inner)
        return None if inner is None else _none_or(lambda values: [inner(value) for value in values])
    if kind is fields.Nested and not field.many and isinstance(field.nested, type):
        nested = dumper(field.nested)
        return None if nested is None else _none_or(nested)
    return None


@cache
def dumper(schema_class):
    """obj -> the dict schema_class().dump(obj) gives, from plain converters (after the schema's own pre_dump
    hooks, one object at a time); None when it has other hooks (then dump with marshmallow)."""
    schema = schema_class()
    if schema._hooks.get("post_dump") or any(many for _, many, _ in schema._hooks.get("pre_dump", [])):
        return None
    hooks = [getattr(schema, name) for name, _, _ in schema._hooks.get("pre_dump", [])]
    plan = []
    for name, field in schema.dump_fields.items():
        key = field.data_key or name
        attribute = field.attribute or name
        convert = None if "." in attribute else _converter(field)
        if convert is None:  # a method, a function, a dotted attribute or another kind: marshmallow's own
            plan.append((key, None, field, name))
        else:
            plan.append((key, attribute, convert, None))

    def dump(obj):
        for hook in hooks:
            obj = hook(obj, many=False)
        out = {}
        get = ((lambda attribute: obj.get(attribute, missing)) if isinstance(obj, dict)
               else (lambda attribute: getattr(obj, attribute, missing)))
        for key, attribute, convert, name in plan:
            if attribute is None:
                value = convert.serialize(name, obj)
            else:
                value = get(attribute)
                if value is missing:
                    continue
                value = convert(value)
            if value is not missing:
                out[key] = value
        return out
    return dump


def dump(schema_class, obj):
    """schema_class().dump(obj), through the plain functions when the schema allows."""
    made = dumper(schema_class)
    return made(obj) if made else schema_class().dump(obj)
