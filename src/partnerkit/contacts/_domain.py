"""Company domains: what people type, reduced to the registrable domain of the public-suffix list.

The rules come from the list ``publicsuffixlist`` ships (ICANN and private
sections), compiled once into sets keyed by the punycode suffix, so one
lookup walks a domain's labels from the right and stops as soon as no rule
can match any more.
"""

from __future__ import annotations

import ipaddress
import re
import threading

import idna
import publicsuffixlist

from partnerkit.core.errors import ValidationError

__all__ = ["display_domain", "normalize_domain"]

# A lower-case LDH host name with at least two labels and an alphabetic top-level label.
_ASCII_HOST = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
)
_MAX_LENGTH = 253
_URL_END = re.compile(r"[/?#\\]")


_EXACT, _WILDCARD, _EXCEPTION = 1, 2, 4


class _Rules:
    """The public-suffix rules in one dict: punycode suffix -> bit mask of rule kinds.

    Every tail of every rule is a key too (mask 0), so a lookup walking a domain's
    labels from the right stops at the first suffix no rule ends with.
    """

    __slots__ = ("table",)

    def __init__(self) -> None:
        table: dict[str, int] = {}
        with open(publicsuffixlist.PSLFILE, encoding="utf-8") as source:
            for line in source:
                rule = line.strip().split(" ", 1)[0].lower()
                if not rule or rule.startswith("//"):
                    continue
                if rule.startswith("!"):
                    kind, rule = _EXCEPTION, rule[1:]
                elif rule.startswith("*."):
                    kind, rule = _WILDCARD, rule[2:]
                else:
                    kind = _EXACT
                rule = _ascii_rule(rule)
                labels = rule.split(".")
                for start in range(1, len(labels)):
                    table.setdefault(".".join(labels[start:]), 0)
                table[rule] = table.get(rule, 0) | kind
        self.table = table

    def registrable(self, labels: list[str]) -> str | None:
        """The registrable domain of ``labels`` (public suffix plus one label), or None."""
        count = len(labels)
        table = self.table
        public = 1  # an unknown top-level domain is a public suffix of one label
        suffix = labels[-1]
        depth = 1
        while True:
            kind = table.get(suffix)
            if kind is None:
                break
            if kind:
                if kind & _EXCEPTION:
                    public = depth - 1
                    break
                if kind & _EXACT and depth > public:
                    public = depth
                if kind & _WILDCARD:
                    wild = depth + 1 if depth < count else depth
                    if wild > public:
                        public = wild
            if depth == count:
                break
            depth += 1
            suffix = labels[count - depth] + "." + suffix
        if count <= public:
            return None
        return ".".join(labels[count - public - 1 :])


def _ascii_rule(rule: str) -> str:
    return rule if rule.isascii() else publicsuffixlist.encode_idn(rule)


_rules: _Rules | None = None
_lock = threading.Lock()


def _load() -> _Rules:
    global _rules
    with _lock:
        if _rules is None:
            _rules = _Rules()
    return _rules


def _host(text: str) -> str:
    """The host name inside a URL, an e-mail address or a bare name, lower-cased."""
    rest = text.lower()
    if (
        "/" not in rest
        and "@" not in rest
        and ":" not in rest
        and "?" not in rest
        and "#" not in rest
    ):
        return rest[:-1] if rest.endswith(".") else rest  # a bare name: the common case
    scheme = rest.find("://")
    if scheme >= 0:
        rest = rest[scheme + 3 :]
        end = _URL_END.search(rest)
        if end:
            rest = rest[: end.start()]
        rest = rest.rpartition("@")[2]
    elif "@" in rest:
        rest = rest.rpartition("@")[2]
    else:
        rest = rest.removeprefix("mailto:")
        end = _URL_END.search(rest)
        if end:
            rest = rest[: end.start()]
    if rest.count(":") == 1:
        rest = rest.partition(":")[0]  # a port
    return rest[:-1] if rest.endswith(".") else rest


def _refuse(path: str, text: str, reason: str) -> ValidationError:
    return ValidationError.single(path, "invalid", f"{text!r} {reason}")


def normalize_domain(raw: str, *, path: str = "") -> str:
    """The registrable domain in what people type for a company's domain: the prospect's key.

    Accepts a bare domain, a URL, an e-mail address, any case, a trailing
    dot, ``www.`` and other subdomains, and internationalized names; returns
    the lower-case IDNA (punycode) registrable domain per the public-suffix
    list, private section included (``shop.example.co.uk`` gives
    ``example.co.uk``; ``acme.github.io`` stays, since ``github.io`` is a
    public suffix).

    >>> normalize_domain("https://WWW.Shop.Example.co.uk./pricing?ref=1")
    'example.co.uk'
    >>> normalize_domain("jane@sales.bücher.de")
    'xn--bcher-kva.de'
    >>> normalize_domain("co.uk")
    Traceback (most recent call last):
    ...
    partnerkit.core.errors.ValidationError: 1 invalid field: <input>: 'co.uk' is a public ...

    Raises :class:`ValidationError` at ``path`` (code ``required`` or
    ``invalid``) for empty input, IP addresses, single labels such as
    ``localhost``, public suffixes themselves and malformed names.
    """
    if not isinstance(raw, str):
        raise ValidationError.single(path, "invalid", f"expected text, got {type(raw).__name__}")
    text = raw.strip()
    if not text:
        raise ValidationError.single(path, "required", "a domain is required")
    host = _host(text)
    if not (host.isascii() and _ASCII_HOST.fullmatch(host) and "xn--" not in host):
        host = _slow_host(host, text, path)
    if len(host) > _MAX_LENGTH:
        raise _refuse(path, text, "is too long for a domain name")
    rules = _rules or _load()
    registrable = rules.registrable(host.split("."))
    if registrable is None:
        raise _refuse(
            path, host, "is a public suffix, not a company's domain; give the name registered in it"
        )
    return registrable


def _slow_host(host: str, text: str, path: str) -> str:
    """Diagnose and IDNA-encode a host the fast pattern did not accept."""
    if host.startswith("["):
        raise _refuse(path, text, "is an IP address; give the company's domain name")
    candidate = host
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        pass
    else:
        raise _refuse(path, text, "is an IP address; give the company's domain name")
    if not host:
        raise _refuse(path, text, "holds no domain name")
    try:
        encoded = idna.encode(host, uts46=True, std3_rules=True).decode("ascii")
        idna.decode(encoded)  # proves every xn-- label is well-formed punycode
    except (idna.IDNAError, UnicodeError, ValueError):
        raise _refuse(path, text, "is not a valid domain name") from None
    if "." not in encoded:
        raise _refuse(
            path, text, "is a single label, not a domain name (add its suffix: .com, ...)"
        )
    if not _ASCII_HOST.fullmatch(encoded):
        raise _refuse(path, text, "is not a valid domain name")
    return encoded


def display_domain(domain: str) -> str:
    """The Unicode form of a domain returned by :func:`normalize_domain`, for showing it.

    >>> display_domain("xn--bcher-kva.de")
    'bücher.de'

    Raises :class:`ValidationError` for text that is not a valid IDNA domain.
    """
    if not isinstance(domain, str) or not domain.strip():
        raise ValidationError.single("", "invalid", "expected a domain name")
    text = domain.strip().lower()
    if "xn--" not in text and text.isascii():
        return text
    try:
        return str(idna.decode(text))
    except (idna.IDNAError, UnicodeError, ValueError):
        raise ValidationError.single("", "invalid", f"{domain!r} is not a valid domain") from None
