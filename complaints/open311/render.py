"""GeoReport v2 output in both formats, shaped like the specification's examples.

JSON follows the Spark convention the specification uses: the XML root and its list wrappers
disappear, lists become arrays. XML is schemaless, without namespace, UTF-8, with the declaration.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from django.http import HttpResponse

# List wrapper -> element name of one item.
ITEM = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(parent: ET.Element, value: object, tag: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            child = ET.SubElement(parent, key)
            _fill(child, item, key)
    elif isinstance(value, list | tuple):
        for item in value:
            child = ET.SubElement(parent, ITEM[tag])
            _fill(child, item, ITEM[tag])
    else:
        parent.text = _text(value)


def to_xml(root: str, data: object) -> bytes:
    element = ET.Element(root)
    _fill(element, data, root)
    ET.indent(element, space="  ")
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="utf-8", xml_declaration=False) + b"\n"


def respond(fmt: str, root: str, data: object, status: int = 200) -> HttpResponse:
    """`root` names the XML root (`services`, `service_requests`, `errors`...); JSON drops it."""
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    else:
        body = to_xml(root, data)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES["json" if fmt == "json" else "xml"])


def error(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's error list: one {code, description} per problem, code = HTTP status."""
    return respond(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status=status)
