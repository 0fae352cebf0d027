"""What every page shares: the request's reader, cached query results, the sidebar filters.

Results are cached (st.cache_data) under the published file's identity (device, inode, mtime,
size) and the query's arguments, so a publish makes every later request query the new file;
connections are never cached (`source.Reader` is per request).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl
import streamlit as st

from . import detail, queries
from .filters import Filters
from .source import Identity, Reader, identity

T = TypeVar("T")
_request = threading.local()
PAGES: dict[str, Any] = {}  # url path -> st.Page, filled by app.py (for st.page_link)
# Built once per published file (q_publish), and in the background when a new one appears.
PER_PUBLISH: tuple[Callable[[Any], Any], ...] = (
    queries.filter_options,
    queries.outcome_cube,
    queries.outcome_labels,
    detail.decided_all,
)
_warmed: set[Identity] = set()
_warm_lock = threading.Lock()
FILTER_KEYS = (
    "f_years",
    "f_provinces",
    "f_prefectures",
    "f_kinds",
    "f_templates",
)  # Streamlit runs each session's script in its own thread


def begin(db: Path) -> Identity | None:
    """Start a request on the warehouse at `db`; its identity, or None when there is none."""
    _request.reader = Reader(db)
    _request.identity = identity(db)
    if _request.identity is not None:
        prewarm(db, _request.identity)
    return _request.identity


def end() -> None:
    """Close the request's connection, if it opened one."""
    reader: Reader | None = getattr(_request, "reader", None)
    if reader is not None:
        reader.close()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(name: str, ident: Identity | None, args: tuple[Any, ...], _fn: Callable[..., Any], _reader: Reader) -> Any:
    return _fn(_reader.con(), *args)


# Larger frames built once per published file: only the latest few builds are kept.
@st.cache_data(max_entries=2 * len(PER_PUBLISH), show_spinner=False)
def _cached_publish(name: str, ident: Identity | None, _fn: Callable[..., Any], _reader: Reader) -> Any:
    return _fn(_reader.con())


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def q_publish(fn: Callable[[Any], T]) -> T:
    """`fn(connection)`, one of PER_PUBLISH, built once per published file for every session."""
    return _cached_publish(_name(fn), _request.identity, fn, _request.reader)


def prewarm(db: Path, ident: Identity) -> None:
    """Build the PER_PUBLISH frames of a newly seen published file in the background (its own
    connection), so the pages that need them answer at once."""
    with _warm_lock:
        if ident in _warmed:
            return
        _warmed.add(ident)

    def work() -> None:
        try:
            with Reader(db) as reader:
                for fn in PER_PUBLISH:
                    _cached_publish(_name(fn), ident, fn, reader)
        except (duckdb.Error, OSError):
            pass  # the request itself reports an unreadable warehouse

    threading.Thread(target=work, name="ogi-dashboard-prewarm", daemon=True).start()


def q(fn: Callable[..., T], *args: Any) -> T:
    """`fn(connection, *args)` for this request, from the cache when the same published file
    already answered it."""
    return _cached(_name(fn), _request.identity, args, fn, _request.reader)


def _labels(frame: pl.DataFrame, key: str, label: str) -> dict[Any, str]:
    return dict(zip(frame[key].to_list(), frame[label].to_list(), strict=True))


def sidebar_filters(*, years: bool = True) -> Filters:
    """The sidebar's filters (年度, 省份, 地市, 机关类型, 模板); selections persist across pages."""
    opts = q_publish(queries.filter_options)
    for key in FILTER_KEYS:  # keep the selections when the user moves to another page
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    st.sidebar.markdown("**筛选 Filters**")
    year_sel: list[int] = []
    if years:
        year_sel = st.sidebar.multiselect("年度 Year", opts["years"]["year"].to_list(), key="f_years")
    provinces = _labels(opts["provinces"], "code", "name")
    prov_sel = st.sidebar.multiselect(
        "省份 Province", list(provinces), format_func=lambda c: provinces.get(c, c), key="f_provinces"
    )
    pref = opts["prefectures"]
    if prov_sel:
        pref = pref.filter(pl.col("province_code").is_in(prov_sel))
    prefectures = _labels(pref, "code", "name")
    pref_sel = st.sidebar.multiselect(
        "地市 Prefecture", list(prefectures), format_func=lambda c: prefectures.get(c, c), key="f_prefectures"
    )
    kinds = _labels(opts["kinds"], "kind", "label_zh")
    kind_sel = st.sidebar.multiselect(
        "机关类型 Agency kind", list(kinds), format_func=lambda c: kinds.get(c, c), key="f_kinds"
    )
    tmpl_sel = st.sidebar.multiselect("模板 Template", opts["templates"]["template"].to_list(), key="f_templates")
    return Filters(
        years=tuple(year_sel),
        provinces=tuple(prov_sel),
        prefectures=tuple(p for p in pref_sel if p in prefectures),
        kinds=tuple(kind_sel),
        templates=tuple(tmpl_sel),
    )


def number(value: float | None) -> str:
    """A count for a metric tile: thousands separated, blank shown as —."""
    return "—" if value is None else f"{value:,.0f}"


def rate(value: float | None) -> str:
    """A rate as a percentage, blank (no denominator) shown as —."""
    return "—" if value is None else f"{value:.1%}"


def table(frame: pl.DataFrame, columns: dict[str, str], **kwargs: Any) -> None:
    """`frame`'s `columns` (name -> heading) as an interactive table."""
    shown = frame.select([pl.col(c).alias(h) for c, h in columns.items() if c in frame.columns])
    st.dataframe(shown, hide_index=True, placeholder="—", **kwargs)


def bar(frame: pl.DataFrame, x: str, y: str, color: str | None = None, *, horizontal: bool = False, **enc: Any) -> None:
    """A bar chart (Vega-Lite, bundled with Streamlit: renders offline), stacked by `color`."""
    import altair as alt  # noqa: PLC0415 - Streamlit imports it lazily too; pages without charts skip it

    base = alt.Chart(frame)
    if horizontal:
        chart = base.mark_bar().encode(y=alt.Y(x, sort=None, title=None), x=alt.X(y, title=None), **enc)
    else:
        chart = base.mark_bar().encode(x=alt.X(x, sort=None, title=None), y=alt.Y(y, title=None), **enc)
    if color:
        chart = chart.encode(color=alt.Color(color, sort=None, title=None), tooltip=[x, color, y])
    else:
        chart = chart.encode(tooltip=[x, y])
    st.altair_chart(chart, width="stretch")
