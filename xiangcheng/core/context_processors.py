def unread_notices(request):
    """The unread count in the header menu: one indexed count, only for a logged-in member."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .message_centre import centre_unread_count

    return {"unread_notices": centre_unread_count(user)}
