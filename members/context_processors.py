def membership(request):
    """Her profile for the navigation: no query on anonymous pages, and none for a signed-in
    account loaded with it (members/backends.py)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .profiles import profile_for

    return {"my_profile": profile_for(user)}
