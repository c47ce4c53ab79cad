"""Bounds on every integer and date a route takes in its path, query or headers, in one place (issue 12: no 5xx).

A route that declares `id: int` or `as_of: date` without bounds, or with only one side (`offset: int = Query(ge=0)`),
gets the missing side here, once, when the app is built: integers fit a signed 64-bit column (SQLite and PostgreSQL
refuse larger ones with a server error), a year (`year`, `*_year`) and a date lie in 1949–2200 (business dates). Out of
range is FastAPI's own 422 naming the parameter; the bounds show in the OpenAPI document, so clients and the fuzzer see
them. A route's own bounds win where they are tighter; an integer bound beyond 64 bits (`le=2**63`) is replaced by
the 64-bit one, since no column can hold it. The same holds for the int and date fields of request body models.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from fastapi import FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
YEAR_MIN, YEAR_MAX = 1949, 2200
DATE_MIN, DATE_MAX = date(YEAR_MIN, 1, 1), date(YEAR_MAX, 12, 31)

BoundedInt = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]
Year = Annotated[int, Field(ge=YEAR_MIN, le=YEAR_MAX)]
BusinessDate = Annotated[date, Field(ge=DATE_MIN, le=DATE_MAX)]


def _base(annotation: Any) -> type | None:
    """int or date, also inside Optional / list; None for anything else."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        found = {_base(a) for a in get_args(annotation) if a is not type(None)}
        return found.pop() if len(found) == 1 else None
    if origin in (list, tuple, set, frozenset):
        args = get_args(annotation)
        return _base(args[0]) if args else None
    if annotation is bool:
        return None
    return annotation if annotation in (int, date) else None


def _limits(name: str, base: type) -> tuple[Any, Any]:
    if base is date:
        # People's birth dates reach further back than business dates.
        return (date(1900, 1, 1) if "birth" in name or "born" in name else DATE_MIN), DATE_MAX
    if name == "year" or name.endswith("_year"):
        return YEAR_MIN, YEAR_MAX
    return INT_MIN, INT_MAX


def _value(bound: Any) -> Any:
    return next(getattr(bound, k) for k in ("ge", "gt", "le", "lt") if hasattr(bound, k))


def _completed(metadata: list[Any], base: type, low: Any, high: Any) -> list[Any] | None:
    """The metadata with the missing lower / upper bound added (and, for 64-bit integers, a bound beyond 64 bits
    replaced); None if nothing changes."""
    flat: list[Any] = []
    for m in metadata:
        flat.extend(m if isinstance(m, annotated_types.Interval) else [m])  # an Interval iterates as its Ge/Gt/Le/Lt
    hard = base is int and (low, high) == (INT_MIN, INT_MAX)
    kept: list[Any] = []
    has_low = has_high = False
    for m in flat:
        if isinstance(m, annotated_types.Ge | annotated_types.Gt):
            if hard and _value(m) < low:
                continue
            has_low = True
        elif isinstance(m, annotated_types.Le | annotated_types.Lt):
            if hard and _value(m) > high:
                continue
            has_high = True
        kept.append(m)
    if has_low and has_high and len(kept) == len(metadata):
        return None
    return [*kept, *([] if has_low else [annotated_types.Ge(low)]), *([] if has_high else [annotated_types.Le(high)])]


def _bounded(field: Any) -> Any:
    info = field.field_info
    base = _base(info.annotation)
    if base is None or get_origin(info.annotation) in (list, tuple, set, frozenset):
        return field  # a list's items: left to the route (none in use today)
    metadata = _completed(info.metadata, base, *_limits(field.name, base))
    if metadata is None:
        return field
    new_info = copy.copy(info)  # keeps its class (Path, Query, Header): FastAPI dispatches on it
    new_info.metadata = metadata
    return replace(field, field_info=new_info)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in get_args(annotation) for m in _models_in(a)]


def _bound_model(model: type[BaseModel], done: dict[type, bool]) -> bool:
    """The missing bounds of the model's own int/date fields and, first, of its nested models'; True if it changed (it
    is then rebuilt, so its validator checks them)."""
    if model in done:
        return done[model]
    done[model] = False  # a model nesting itself
    changed = False
    for name, info in model.model_fields.items():
        for nested in _models_in(info.annotation):
            changed |= _bound_model(nested, done)
        base = _base(info.annotation)
        if base is None or get_origin(info.annotation) in (list, tuple, set, frozenset):
            continue
        metadata = _completed(info.metadata, base, *_limits(name, base))
        if metadata is not None:
            info.metadata[:] = metadata
            changed = True
    if changed:
        model.model_rebuild(force=True)
    done[model] = changed
    return changed


def _walk(dependant: Any, seen: set[int], models: dict[type, bool]) -> None:
    if id(dependant) in seen:
        return
    seen.add(id(dependant))
    for params in (dependant.path_params, dependant.query_params, dependant.header_params):
        params[:] = [_bounded(f) for f in params]
    for field in dependant.body_params:
        if any(_bound_model(m, models) for m in _models_in(field.field_info.annotation)):
            field.__post_init__()  # its validator was compiled from the model's old schema
    for sub in dependant.dependencies:
        _walk(sub, seen, models)


def bound_parameters(app: FastAPI) -> None:
    """Give every int/date path, query and header parameter, and every such field of a request body model, the bound
    (lower, upper or both) it lacks (call once, after the routers are included)."""
    seen: set[int] = set()
    models: dict[type, bool] = {}
    for route in _api_routes(app.routes):
        _walk(route.dependant, seen, models)
        body = route.body_field
        if body is not None and any(_bound_model(m, models) for m in _models_in(body.field_info.annotation)):
            body.__post_init__()
    app.openapi_schema = None


def _api_routes(routes: Iterable[Any]) -> Iterator[Any]:
    """Every APIRoute, and inside included routers the routes FastAPI serves: since 0.16x an included router is
    kept by reference and each of its routes rebuilt once per inclusion (an "effective" route with its own
    dependant, built here on first use and then cached by FastAPI, so the bounds set here are the ones it uses)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_candidates"):
            for candidate in [*route.effective_candidates(), *route.effective_low_priority_routes()]:
                if hasattr(candidate, "effective_candidates"):
                    yield from _api_routes([candidate])
                elif getattr(candidate, "dependant", None) is not None:
                    yield candidate
