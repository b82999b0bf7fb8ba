"""An author's SVG rebuilt from what a drawing needs, so that publishing it runs nothing.

A browser that opens an SVG on its own (a reader following a link to it) runs its
`<script>`, its `onload=`, the HTML of a `<foreignObject>` and its `javascript:` links,
on the site's origin. So an SVG is parsed with defusedxml (expat without DTDs, entities
or external references: no billion laughs, no reading of local files) and written anew
from an allow-list: the elements that draw, the attributes that style and place them,
references only within the file (`#id`) or to embedded raster images, and CSS without
`url()` to anywhere else or `@import`. Anything else is left out, with its content.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
MAX_DEPTH = 200

_ELEMENTS = frozenset("""
svg g defs symbol use title desc metadata switch
path rect circle ellipse line polyline polygon image
text tspan textPath
linearGradient radialGradient stop pattern clipPath mask marker style
filter feBlend feColorMatrix feComponentTransfer feComposite feDiffuseLighting
feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR
feGaussianBlur feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting
feSpotLight feTile feTurbulence
""".split())
# Kept for their content only: a link's drawing stays, the link goes.
_UNWRAPPED = frozenset({"a"})

_ATTRIBUTES = frozenset("""
id class style transform version viewBox preserveAspectRatio width height x y x1 y1 x2 y2
cx cy r rx ry fx fy fr d points pathLength dx dy rotate textLength lengthAdjust
fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap
stroke-linejoin stroke-miterlimit stroke-dasharray stroke-dashoffset opacity color
display visibility overflow clip-path clip-rule clipPathUnits mask maskUnits
maskContentUnits marker-start marker-mid marker-end markerWidth markerHeight markerUnits
refX refY orient filter filterUnits primitiveUnits font-family font-size font-weight
font-style font-variant font-stretch text-anchor dominant-baseline alignment-baseline
baseline-shift letter-spacing word-spacing text-decoration writing-mode direction
white-space offset stop-color stop-opacity gradientUnits gradientTransform spreadMethod
patternUnits patternContentUnits patternTransform vector-effect shape-rendering
text-rendering image-rendering color-interpolation color-interpolation-filters
paint-order mix-blend-mode isolation transform-origin startOffset method spacing side
in in2 result stdDeviation mode operator k1 k2 k3 k4 values type tableValues slope
intercept amplitude exponent flood-color flood-opacity lighting-color radius scale
xChannelSelector yChannelSelector baseFrequency numOctaves seed stitchTiles
surfaceScale diffuseConstant specularConstant specularExponent kernelUnitLength
azimuth elevation pointsAtX pointsAtY pointsAtZ limitingConeAngle z
requiredFeatures requiredExtensions systemLanguage media
""".split())
_HREF = (f"{{{XLINK}}}href", "href")
_LOCAL_REFERENCE = re.compile(r"^#[^\s\"'()<>]*$")
_RASTER_DATA = re.compile(r"^data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*$")
# Values and CSS that reach out (url() to anything but #id, @import) or hide what they
# say (escapes, comments that split words), and old script hooks.
_UNSAFE_CSS = re.compile(
    r"url\s*\(\s*(?![\"']?#)|@import|expression\s*\(|behavior\s*:|-moz-binding|javascript:|\\|/\*",
    re.IGNORECASE)


class SvgError(Exception):
    """An SVG that cannot be read as one: its 1-based line and column, and why."""

    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column = line, column


def clean_svg(data: bytes) -> bytes:
    """The SVG of `data`, rebuilt from the allow-list, as UTF-8; SvgError when `data` is
    not well-formed XML, holds a DTD or entities, or is not an SVG drawing."""
    from defusedxml import DefusedXmlException, EntitiesForbidden  # only SVGs need them
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        # A DOCTYPE is allowed (drawing tools and Graphviz write one; it is never
        # fetched), entity declarations and external references are not.
        root = fromstring(data)
    except ParseError as error:
        line, column = getattr(error, "position", (1, 0))
        raise SvgError(line, column + 1, f"is not well-formed XML: {_reason(error)}") from None
    except EntitiesForbidden:
        raise SvgError(1, 1, "declares XML entities, which an SVG image may not") from None
    except DefusedXmlException:
        raise SvgError(1, 1, "refers to an external file or entity, which an SVG image may not") from None
    if root.tag != f"{{{SVG}}}svg":
        raise SvgError(1, 1, "is not an SVG image (its root is not <svg> in the SVG namespace)")
    out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
    _write(root, out, 0, top=True)
    return "".join(out).encode("utf-8")


def _reason(error: Any) -> str:
    return re.sub(r": line \d+, column \d+$", "", str(error))


def _local(tag: Any) -> str | None:
    """The name of an element in the SVG namespace, else None (comments and processing
    instructions included)."""
    if isinstance(tag, str) and tag.startswith(f"{{{SVG}}}"):
        return tag[len(SVG) + 2:]
    return None


def _write(element: Element, out: list[str], depth: int, top: bool = False) -> None:
    if depth > MAX_DEPTH:
        raise SvgError(1, 1, f"is nested more than {MAX_DEPTH} levels deep")
    name = _local(element.tag)
    if name in _UNWRAPPED:
        _content(element, out, depth)
        return
    if name not in _ELEMENTS:
        return  # and all it holds: a script's text, a foreignObject's HTML
    out.append(f"<{name}")
    if top:
        out.append(f' xmlns="{SVG}" xmlns:xlink="{XLINK}"')
    for key, value in element.attrib.items():
        written = _attribute(name, key, value)
        if written:
            out.append(f' {written}="{_escape(value, quote=True)}"')
    out.append(">")
    if name == "style":
        css = element.text or ""
        out.append(_escape(css) if not _UNSAFE_CSS.search(css) else "")
    else:
        _content(element, out, depth)
    out.append(f"</{name}>")


def _content(element: Element, out: list[str], depth: int) -> None:
    out.append(_escape(element.text or ""))
    for child in element:
        _write(child, out, depth + 1)
        out.append(_escape(child.tail or ""))


def _attribute(element: str, key: str, value: str) -> str | None:
    """The name to write an attribute under, or None to leave it out."""
    if key in _HREF:
        local = _LOCAL_REFERENCE.match(value) or (element == "image" and _RASTER_DATA.match(value))
        return ("href" if key == "href" else "xlink:href") if local else None
    if key == f"{{{XML}}}space":
        return "xml:space"
    if key not in _ATTRIBUTES or _UNSAFE_CSS.search(value):
        return None  # event handlers, an editor's own namespaces, paints from elsewhere
    return key


def _escape(text: str, quote: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace('"', "&quot;") if quote else text
