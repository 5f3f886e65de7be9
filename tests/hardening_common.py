"""What the bad-input suites share: hypothesis settings that keep CI
reproducible and short, hostile strings, and the check that no active
content (script, event handler, javascript: link) survived into HTML."""

import re

import lxml.html
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Every payload carries this marker: a script or handler holding it is ours.
MARK = "spidxss"

INJECTIONS = (
    f'<script>alert("{MARK}")</script>',
    f'<img src=x onerror=alert("{MARK}")>',
    f"<svg/onload=alert('{MARK}')>",
    f'"><script>alert("{MARK}")</script><"',
    f"'><img src=x onerror=alert('{MARK}')>",
    f"<a href=\"javascript:alert('{MARK}')\">click</a>",
    f"<a href=\"JaVaScRiPt:alert('{MARK}')\">click</a>",
    f"<iframe src=\"javascript:alert('{MARK}')\"></iframe>",
    f"<object data=\"javascript:alert('{MARK}')\"></object>",
    f"<body onload=alert('{MARK}')>",
    f"<div style=\"background:url(javascript:alert('{MARK}'))\">x</div>",
    f"<p onmouseover=\"alert('{MARK}')\">hover</p>",
    f"<form action=\"javascript:alert('{MARK}')\"><button>go</button></form>",
    f"<math><mtext><table><mglyph><style><img src=x onerror=alert('{MARK}')>",
    f"<t t-out=\"'{MARK}'\"/>{{{{ {MARK} }}}} ${{7*7}} %(x)s %s",
    f'=HYPERLINK("http://evil.example/{MARK}","x")',
    f"'; DROP TABLE spid_ticket; -- {MARK}",
    f"\u202e{MARK}\u200b\ufeff",
    f"{MARK}\x00nul",
    f"{MARK}\x1b[31m\r\n\x0b\x0c",
    "",
    "   ",
    MARK * 4000,  # 28 kB in one field
)

# Where a javascript: URL runs (a `value` or `title` holding one is text).
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "style", "background", "poster", "srcdoc"}

# Hypothesis: few examples, no deadline (HTTP and the ORM are slow), the
# same examples on every run, no example database written to the checkout.
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def typed(text):
    """What the portal keeps of a text: control characters other than tab
    and line breaks are dropped."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)


def dirty_text(max_size=80):
    """Any unicode text (control characters and NUL included), a known
    injection, or an injection inside random text."""
    return st.one_of(
        st.text(max_size=max_size),
        st.sampled_from(INJECTIONS),
        st.tuples(st.text(max_size=12), st.sampled_from(INJECTIONS), st.text(max_size=12)).map("".join),
    )


def dirty_id(valid_ids=()):
    """What a form may send for a many2one: valid ids, other records' ids,
    and garbage (negative, huge, float, text, SQL)."""
    garbage = ("", "0", "-1", "1.5", "abc", "99999999999999999999", "2147483648", "1 OR 1=1", "[1]", " 7 ")
    return st.sampled_from(tuple(str(i) for i in valid_ids) + garbage)


def active_content(html):
    """The active content of an HTML text that carries our marker: scripts,
    event handlers, javascript: URLs. Empty when the text is safe."""
    if not html or MARK not in html:
        return []
    found = []
    # lxml refuses NUL and control characters, which change no markup
    root = lxml.html.document_fromstring(re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", html))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in ("script", "style") and MARK in (element.text or ""):
            found.append(lxml.html.tostring(element, encoding="unicode")[:200])
        for attr, value in element.attrib.items():
            if MARK not in value:
                continue
            compact = "".join(value.split()).lower()
            if attr.lower().startswith("on") or (attr.lower() in URL_ATTRIBUTES and "javascript:" in compact):
                found.append(f"<{tag} {attr}={value[:100]!r}>")
    return found
