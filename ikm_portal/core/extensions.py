"""How domain apps contribute to platform pages without the platform importing them.

An AppConfig may define:
- ``nav_items(user) -> list[NavItem]``: links in the navigation bar for this user;
- ``dashboard_panels(request) -> list[Panel]``: cards on the per-role dashboard;
- ``demo_module``: a dotted path (or a list of them, run in order) to a module with ``load_reference(stdout)`` and/or
  ``load_demo(stdout) -> list[tuple[role, email]]`` used by ``manage.py load_demo``.
"""

from dataclasses import dataclass, field

from django.apps import apps


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    order: int = 50


@dataclass
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


def nav_items(user) -> list[NavItem]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        hook = getattr(config, "nav_items", None)
        if callable(hook):
            items.extend(hook(user))
    return sorted(items, key=lambda i: i.order)


def dashboard_panels(request) -> list[Panel]:
    panels: list[Panel] = []
    for config in apps.get_app_configs():
        hook = getattr(config, "dashboard_panels", None)
        if callable(hook):
            panels.extend(hook(request))
    return sorted(panels, key=lambda p: p.order)
