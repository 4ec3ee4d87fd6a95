def membership(request):
    """Lets the navigation show the right links without a query on anonymous pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .profiles import profile_for

    profile = profile_for(user)
    return {"my_profile": profile}
