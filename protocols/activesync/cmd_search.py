"""Search ([MS-ASCMD] 2.2.1.16), ResolveRecipients (2.2.1.18), Find (2.2.1.8, 16.1)."""

from __future__ import annotations

from dataclasses import dataclass

from .cmd_common import FD, GAL, RR, SR, RequestError, expect_root, flag, need, need_text, opt_int, opt_text
from .cmd_sync import SyncOptions, parse_options
from .element import Element
from .status import FIND_INVALID_REQUEST, RESOLVE_PROTOCOL_ERROR, SEARCH_INVALID_REQUEST

MAX_RANGE = 1000


def _range(text: str | None, bad: int) -> tuple[int, int] | None:
    """"0-99" -> (0, 99)."""
    if text is None:
        return None
    first, sep, last = text.partition("-")
    if not sep or not first.isdigit() or not last.isdigit() or int(first) > int(last):
        raise RequestError(f"bad Range {text!r}", bad)
    return int(first), int(last)


@dataclass(frozen=True)
class SearchRequest:
    store: str  # "Mailbox", "GAL", "DocumentLibrary"
    query: Element  # Search:Query, kept as a tree (And/EqualTo/FreeText/GreaterThan...)
    free_text: str | None  # the FreeText found in Query, for the common case
    range: tuple[int, int] | None
    deep_traversal: bool
    rebuild_results: bool
    options: SyncOptions | None
    picture: tuple[int | None, int | None] | None  # (MaxSize, MaxPictures) for GAL


def _first_free_text(q: Element) -> str | None:
    work = [q]
    while work:
        el = work.pop()
        if el.tag == "Search:FreeText":
            return el.value
        work.extend(reversed(el.children))
    return None


def parse_search(root: Element) -> SearchRequest:
    bad = SEARCH_INVALID_REQUEST
    expect_root(root, "Search:Search", bad)
    store = need(root, "Store", bad)
    name = need_text(store, "Name", bad, 32)
    query = need(store, "Query", bad)
    opts = store.find("Options")
    picture = None
    if opts is not None and opts.has("Picture"):
        pic = need(opts, "Picture", bad)
        picture = (opt_int(pic, "MaxSize", bad), opt_int(pic, "MaxPictures", bad))
    return SearchRequest(
        name, query, query.value if not query.children else _first_free_text(query),
        _range(opts.findtext("Range"), bad) if opts is not None else None,
        opts is not None and opts.has("DeepTraversal"),
        opts is not None and opts.has("RebuildResults"),
        parse_options(opts) if opts is not None else None, picture)


def gal_properties(display_name: str, email: str, **extra: str) -> tuple[Element, ...]:
    """GAL result properties (GAL namespace): Phone, Office, Title, Company, Alias, FirstName, ..."""
    return (GAL("DisplayName", text=display_name), GAL("EmailAddress", text=email),
            *[GAL(k, text=v) for k, v in extra.items()])


def build_search_response(status: int, store_status: int | None = None, *,
                          results: list[tuple[Element, ...]] | None = None,
                          range_: tuple[int, int] | None = None, total: int | None = None) -> Element:
    """results: per hit, either property elements (wrapped in Result/Properties)
    or the 1-tuple that build_search_result makes for a Mailbox hit."""
    if store_status is None:
        return SR("Search", SR("Status", text=status))
    rows = [r[0] if len(r) == 1 and r[0].tag == "Search:Result" else SR("Result", SR("Properties", *r))
            for r in (results or [])]
    if not rows:
        rows = [SR("Result")]  # 2.2.3.152.2: an empty Result when nothing matched
    return SR("Search", SR("Status", text=status), SR("Response", SR(
        "Store", SR("Status", text=store_status), *rows,
        SR("Range", text=f"{range_[0]}-{range_[1]}") if range_ and results else None,
        SR("Total", text=total) if total is not None else None)))


def build_search_result(properties: tuple[Element, ...], *, class_: str | None = None,
                        long_id: str | None = None, collection_id: str | None = None) -> tuple[Element]:
    """A Mailbox hit: Class, LongId, CollectionId, then Properties."""
    head = [Element("AirSync:Class", (), class_) if class_ else None,
            SR("LongId", text=long_id) if long_id else None,
            Element("AirSync:CollectionId", (), collection_id) if collection_id else None]
    return (SR("Result", *head, SR("Properties", *properties)),)


# --- ResolveRecipients ----------------------------------------------------------------------

@dataclass(frozen=True)
class ResolveRecipientsRequest:
    to: tuple[str, ...]
    certificate_retrieval: int | None  # 1 none, 2 full, 3 mini
    max_certificates: int | None
    max_ambiguous: int | None
    availability: tuple[str, str] | None  # (StartTime, EndTime)
    picture: tuple[int | None, int | None] | None


def parse_resolverecipients(root: Element) -> ResolveRecipientsRequest:
    bad = RESOLVE_PROTOCOL_ERROR
    expect_root(root, "ResolveRecipients:ResolveRecipients", bad)
    to = tuple(t.value for t in root.findall("To"))
    if not to or len(to) > 100:
        raise RequestError("1 to 100 To elements required", bad)
    opts = root.find("Options") or Element("ResolveRecipients:Options")
    avail = opts.find("Availability")
    pic = opts.find("Picture")
    return ResolveRecipientsRequest(
        to, opt_int(opts, "CertificateRetrieval", bad), opt_int(opts, "MaxCertificates", bad),
        opt_int(opts, "MaxAmbiguousRecipients", bad),
        (need_text(avail, "StartTime", bad, 32), need_text(avail, "EndTime", bad, 32)) if avail else None,
        (opt_int(pic, "MaxSize", bad), opt_int(pic, "MaxPictures", bad)) if pic else None)


@dataclass(frozen=True)
class Recipient:
    display_name: str
    email: str
    type: int = 1  # 1 GAL, 2 contact
    merged_free_busy: str | None = None


def build_resolverecipients_response(status: int, responses: list[tuple[str, int, list[Recipient]]] = ()  # type: ignore[assignment]
                                     ) -> Element:
    """responses: (the To text, status, matches)."""
    out = []
    for to, st, recipients in responses:
        out.append(RR("Response", RR("To", text=to), RR("Status", text=st),
                      RR("RecipientCount", text=len(recipients)),
                      *[RR("Recipient", RR("Type", text=r.type), RR("DisplayName", text=r.display_name),
                           RR("EmailAddress", text=r.email),
                           RR("Availability", RR("Status", text=1),
                              RR("MergedFreeBusy", text=r.merged_free_busy))
                           if r.merged_free_busy is not None else None)
                        for r in recipients]))
    return RR("ResolveRecipients", RR("Status", text=status), *out)


# --- Find (16.1) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FindRequest:
    search_id: str
    gal: bool  # GalSearchCriterion rather than MailBoxSearchCriterion
    free_text: str
    collection_id: str | None
    deep_traversal: bool
    range: tuple[int, int] | None


def parse_find(root: Element) -> FindRequest:
    bad = FIND_INVALID_REQUEST
    expect_root(root, "Find:Find", bad)
    execute = need(root, "ExecuteSearch", bad)
    crit = execute.find("MailBoxSearchCriterion") or execute.find("GalSearchCriterion")
    if crit is None:
        raise RequestError("ExecuteSearch without a criterion", bad)
    query = need(crit, "Query", bad)
    opts = crit.find("Options") or Element("Find:Options")
    return FindRequest(need_text(root, "SearchId", bad, 64), crit.name == "GalSearchCriterion",
                       need_text(query, "FreeText", bad, 1024), opt_text(query, "AirSync:CollectionId", 64),
                       flag(opts, "DeepTraversal"), _range(opts.findtext("Range"), bad))


def build_find_response(status: int, results: list[tuple[Element, ...]] = (),  # type: ignore[assignment]
                        range_: tuple[int, int] | None = None, total: int | None = None) -> Element:
    rows = [FD("Result", *r) for r in results]
    return FD("Find", FD("Status", text=status), FD(
        "Response", FD("Status", text=status), *rows,
        FD("Range", text=f"{range_[0]}-{range_[1]}") if range_ and rows else None,
        FD("Total", text=total) if total is not None else None) if status == 1 else None)
