"""Issue 12, point 9: every page reads as French written for people — no code names, model
names, raw values or Django's English pages — and refusals are French DSFR pages."""

import pytest

from tests.audit.test_every_read import SIGN_IN_PAGES, _url, world  # noqa: F401 (fixture)
from tests.developer_text import developer_text, visible_text
from tests.permissions.test_permission_matrix import MATRIX, _url_names

pytestmark = pytest.mark.django_db


def test_sec_04_no_page_of_the_siao_operator_shows_developer_text(client, siao_operator, world):  # noqa: F811
    """Every GET page of the permission matrix, as the SIAO operator, over a world where each
    page has something to show."""
    client.force_login(siao_operator)
    client.raise_request_exception = False
    offending, read = [], 0
    for name in _url_names():
        url = _url(name, "siao_operator", world)
        entry = MATRIX.get(name)
        if url is None or name in SIGN_IN_PAGES or getattr(entry, "method", "get") != "get":
            continue
        response = client.get(url)
        if 300 <= response.status_code < 400 or "text/html" not in response.get("Content-Type", ""):
            continue
        read += 1
        offending += [f"{name}: {s}" for s in developer_text(visible_text(response.text))]
    assert read > 30, f"only {read} pages read: the walk proves nothing"
    assert not offending, "\n".join(offending)
