"""Staff groups come from the roles registry, with exactly what each role is granted."""

import pytest
from django.contrib.auth.models import Group, Permission

from xiangcheng.core import roles


def held(name: str) -> set[tuple[str, str]]:
    return set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))


@pytest.mark.django_db
def test_every_role_is_a_group_holding_exactly_its_grants():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)
    assert {name: held(name) for name in roles.ROLES} == {name: r.permissions for name, r in roles.ROLES.items()}
    assert held("审核员") == {("members", "view_memberprofile"), ("members", "review_memberprofile"),
                             ("core", "view_notice"), ("core", "change_notice")}


@pytest.mark.django_db
def test_sync_takes_back_a_permission_added_by_hand():
    group = Group.objects.get(name=roles.REVIEWER.name)
    group.permissions.add(Permission.objects.get(codename="delete_memberprofile"))

    roles.roles_sync()

    assert held(roles.REVIEWER.name) == roles.REVIEWER.permissions


@pytest.mark.django_db
def test_a_grant_of_a_permission_no_model_defines_fails_loudly(monkeypatch):
    monkeypatch.setitem(roles.ROLES, "试用角色", roles.Role(name="试用角色", description="", permissions={
        ("members", "view_memberprofile"), ("members", "fly_memberprofile")}))

    with pytest.raises(roles.UnknownPermission, match="fly_memberprofile"):
        roles.roles_sync()
