"""Staff groups with exactly the permissions their work needs, created by data migrations."""

from django.contrib.auth.management import create_permissions


def group_grant(apps, *, app_label: str, name: str, codenames: list[str]):
    """Create (or reset) group ``name`` with these permissions of ``app_label``'s models.

    ``apps`` is a migration's historical registry, or the real one (tests re-create the rows a
    transactional flush removed).
    """
    # Permissions are normally created after all migrations; the group needs them now.
    config = apps.get_app_config(app_label)
    previous = getattr(config, "models_module", None)
    config.models_module = previous or True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
    return group


def group_remove(apps, *, name: str) -> None:
    apps.get_model("auth", "Group").objects.filter(name=name).delete()
