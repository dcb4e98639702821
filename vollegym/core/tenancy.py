"""Tenancy: every studio-owned row belongs to one studio, and nothing reads across studios by accident.

The rules (STYLE.md, rule 2):
- a studio-owned model inherits `StudioOwned`;
- its default manager `objects` refuses to run a query that is not scoped to a studio: call
  `.for_studio(studio)` first (or filter on `studio=`);
- `all_studios` is the one, clearly named, unscoped manager, so `grep all_studios` lists every crossing;
- a foreign key from one studio's row to another studio's row is refused on save.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.sql import Query

if TYPE_CHECKING:
    from vollegym.studios.models import Studio

_M = TypeVar("_M", bound=models.Model)

# One studio, named: `studio__in` is not among them, since a list (or a subquery) of studios crosses tenants.
_STUDIO_KEYS = frozenset({"studio", "studio_id", "studio__pk", "studio__id", "studio__slug"})
# Set only while Django checks a model's unique constraints (StudioOwned.validate_constraints): the second and last
# crossing besides `all_studios`, since Django checks them through the default manager.
_CHECKING_CONSTRAINTS: ContextVar[bool] = ContextVar("vollegym_checking_constraints", default=False)


class UnscopedQueryError(RuntimeError):
    """A query on studio-owned rows that does not say which studio."""


class CrossStudioReferenceError(ValidationError):
    """A row that points at a row of another studio."""


class StudioScopedQuery(Query):
    """The query of a studio-scoped queryset; used inside another query (a subquery) it must be scoped too.

    A queryset evaluated on its own is checked by the queryset; one passed to `filter(x__in=...)`, `Exists()` or
    `Subquery()` is only compiled as part of the outer query, which lands here.
    """

    studio_scoped: bool = False

    def as_sql(self, compiler: Any, connection: Any) -> Any:
        if not self.studio_scoped:
            raise UnscopedQueryError(
                f"{self.model.__name__ if self.model else 'a'} subquery must be scoped with .for_studio(studio) "
                "first; use all_studios to cross studios on purpose"
            )
        return super().as_sql(compiler, connection)


class StudioScopedQuerySet(models.QuerySet[_M]):
    _studio_scoped: bool = False

    def __init__(
        self, model: Any = None, query: Query | None = None, using: str | None = None, hints: Any = None
    ):
        super().__init__(model, query or StudioScopedQuery(model), using, hints)

    def for_studio(self, studio: Studio | int) -> Self:
        studio_id = studio if isinstance(studio, int) else studio.pk
        qs = self.filter(studio_id=studio_id)
        return qs

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._studio_scoped = self._studio_scoped
        return clone

    def _filter_or_exclude(self, negate: bool, args: Any, kwargs: Any) -> Self:
        clone: Self = super()._filter_or_exclude(negate, args, kwargs)  # type: ignore[misc]
        if not negate and _STUDIO_KEYS.intersection(kwargs):
            if any(
                isinstance(kwargs[key], models.QuerySet | Query) for key in _STUDIO_KEYS.intersection(kwargs)
            ):
                return clone  # studio=<a subquery of studios> names no single studio
            clone._studio_scoped = True
            if isinstance(clone.query, StudioScopedQuery):
                clone.query.studio_scoped = True
        return clone

    def _scoped_only_if(self, combined: Self, *others: Any) -> Self:
        """A union of querysets is scoped only when every part is: `for_studio(a) | unscoped` reads every studio."""
        scoped = self._studio_scoped and all(getattr(o, "_studio_scoped", False) for o in others)
        combined._studio_scoped = scoped
        if isinstance(combined.query, StudioScopedQuery):
            combined.query.studio_scoped = scoped
        return combined

    def __or__(self, other: Any) -> Self:
        return self._scoped_only_if(super().__or__(other), other)

    def __xor__(self, other: Any) -> Self:
        combined: Self = getattr(super(), "__xor__")(other)  # noqa: B009 - not in django-stubs yet
        return self._scoped_only_if(combined, other)

    def union(self, *other_qs: Any, all: bool = False) -> Self:
        return self._scoped_only_if(super().union(*other_qs, all=all), *other_qs)

    def _require_scope(self) -> None:
        if not self._studio_scoped and not _CHECKING_CONSTRAINTS.get():
            raise UnscopedQueryError(
                f"{self.model.__name__}.objects must be scoped with .for_studio(studio) first; "
                f"use {self.model.__name__}.all_studios to cross studios on purpose"
            )

    # Every way a queryset reaches the database goes through one of these.
    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Any:
        self._require_scope()
        return super().iterator(chunk_size=chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()


class StudioScopedManager(models.Manager[_M]):
    _queryset_class = StudioScopedQuerySet

    def get_queryset(self) -> StudioScopedQuerySet[_M]:
        # _queryset_class: a manager made with .from_queryset(SubclassOfStudioScopedQuerySet) keeps its verbs.
        qs: StudioScopedQuerySet[_M] = self._queryset_class(self.model, using=self._db)
        return qs

    def for_studio(self, studio: Studio | int) -> StudioScopedQuerySet[_M]:
        return self.get_queryset().for_studio(studio)


class StudioOwned(models.Model):
    """Base of every model whose rows belong to one studio."""

    studio = models.ForeignKey("studios.Studio", on_delete=models.CASCADE, related_name="+")

    objects = StudioScopedManager()
    all_studios = models.Manager()  # noqa: DJ012 - the named crossing, not a field

    class Meta:
        abstract = True
        base_manager_name = "all_studios"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.check_same_studio()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.check_same_studio()

    def validate_constraints(self, exclude: Any = None) -> None:
        """The database holds a unique constraint across studios, so a form's check of it crosses studios too."""
        token = _CHECKING_CONSTRAINTS.set(True)
        try:
            super().validate_constraints(exclude=exclude)
        finally:
            _CHECKING_CONSTRAINTS.reset(token)

    def check_same_studio(self) -> None:
        """Refuses a foreign key to a row of another studio."""
        for field in self._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or field.name == "studio":
                continue
            target = field.related_model
            if not (isinstance(target, type) and issubclass(target, StudioOwned)):
                continue
            target_id = getattr(self, field.attname)
            if target_id is None:
                continue
            cached = self._state.fields_cache.get(field.name)
            if cached is not None and cached.pk == target_id:
                other_studio_id = cached.studio_id
            else:
                other_studio_id = (
                    target.all_studios.filter(pk=target_id).values_list("studio_id", flat=True).first()
                )
            if other_studio_id != self.studio_id:
                raise CrossStudioReferenceError(
                    {field.name: f"{target.__name__} {target_id} belongs to another studio"},
                    code="cross_studio",
                )


def studio_owned_models() -> list[type[models.Model]]:
    """Every concrete model of ours that carries a `studio` foreign key."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("vollegym."):
            continue
        fk = next((f for f in model._meta.concrete_fields if f.name == "studio"), None)
        if fk is not None and fk.is_relation:
            found.append(model)
    return found
