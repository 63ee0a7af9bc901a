"""How domain apps contribute to data-subject rights without the platform importing them.

An AppConfig may define (all optional; see docs/security.md):

- ``personal_data_export(user) -> dict``: the app's part of "download all my data" — a
  JSON-serialisable dict, shown under the app's verbose name;
- ``personal_data_holds(user) -> list[Hold]``: records that must be kept as they are for now
  (e.g. an application in a programme that has not closed) with the reason; every app's
  ``personal_data_erase`` receives all holds, so registry can spare a business that training
  still needs without knowing training;
- ``personal_data_erase(user, *, actor, holds) -> list[tuple[what, why]]``: anonymise what
  neither the law nor a hold requires to keep; return what was kept and why (translated);
- ``personal_data_retention(*, cutoff) -> list[tuple[label, count]]``: anonymise rejected or
  abandoned drafts untouched since ``cutoff``; idempotent (what is anonymised is not found again).
"""

from dataclasses import dataclass

from django.apps import apps


@dataclass(frozen=True)
class Hold:
    """A record kept as it is for now: ``model`` is "app_label.modelname", ``pk`` its id."""

    model: str
    pk: int
    what: str
    why: str


def holds_cover(holds, model: str, pk) -> bool:
    return any(h.model == model and h.pk == pk for h in holds)


def _hooks(name: str):
    for config in apps.get_app_configs():
        hook = getattr(config, name, None)
        if callable(hook):
            yield config, hook


def personal_data_export(user) -> dict:
    data: dict = {}
    for config, hook in _hooks("personal_data_export"):
        part = hook(user)
        if part:
            data[config.label] = {"title": str(config.verbose_name), "data": part}
    return data


def personal_data_holds(user) -> list[Hold]:
    holds: list[Hold] = []
    for _config, hook in _hooks("personal_data_holds"):
        holds.extend(hook(user))
    return holds


def personal_data_erase(user, *, actor, holds) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    for _config, hook in _hooks("personal_data_erase"):
        kept.extend((str(what), str(why)) for what, why in hook(user, actor=actor, holds=holds))
    return kept


def personal_data_retention(*, cutoff) -> list[tuple[str, int]]:
    done: list[tuple[str, int]] = []
    for _config, hook in _hooks("personal_data_retention"):
        done.extend((str(label), int(count)) for label, count in hook(cutoff=cutoff))
    return done
