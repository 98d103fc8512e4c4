def navigation(request) -> dict:
    """Menu entries for the signed-in user's role, built once per page."""
    from .navigation import menu_for

    user = getattr(request, "user", None)
    return {"menu": menu_for(user) if user and user.is_authenticated else []}
