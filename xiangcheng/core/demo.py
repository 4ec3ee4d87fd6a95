"""Demo data for `make run`: each app registers what it loads, `manage.py seed_demo` runs them.

A loader is idempotent (a second `make run` keeps the data and creates nothing) and returns what
the developer should know: the logins it made (login, role) and a line about what it created.
Loaders run in their order; an app registers its own (by dotted path, imported only when the
demo is loaded) in its AppConfig's ``ready``:

    demo_loader(key="events", load="events.demo.demo_load", order=20)

Demo accounts share one published password, so the command refuses to run where
``settings.DEMO_DATA_ALLOWED`` is off (production).
"""

from dataclasses import dataclass, field

from django.utils.module_loading import import_string

DEMO_PASSWORD = "xiangcheng-demo-2026"  # noqa: S105 - the published demo login, never in production


@dataclass
class DemoLoaded:
    logins: list[tuple[str, str]] = field(default_factory=list)  # (login, role)
    summary: str = ""


@dataclass(frozen=True)
class DemoLoader:
    key: str
    load: str  # dotted path of a function returning DemoLoaded
    order: int


_loaders: dict[str, DemoLoader] = {}


def demo_loader(*, key: str, load: str, order: int) -> None:
    _loaders[key] = DemoLoader(key=key, load=load, order=order)


def demo_load_all() -> list[DemoLoaded]:
    """Run every app's loader, in order."""
    ordered = sorted(_loaders.values(), key=lambda loader: (loader.order, loader.key))
    return [import_string(loader.load)() for loader in ordered]
