"""Browser tests: Playwright (sync API) driving Debian's chromium against live_server.

Every test in this directory is marked `browser`, which pyproject's addopts deselect; run
them with `make test-browser` (pytest -m browser). Playwright's own browser downloads are
never used: we launch /usr/bin/chromium (apt-get install chromium).

    def test_something(page, live_server, login, social_worker):
        login(page, live_server, "alice", PASSWORD)
        page.goto(f"{live_server.url}/demandes/")
"""

import contextlib
import os
import re
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.accounts.models import User
from tests.conftest import give_authenticator
from tests.developer_text import developer_text

# Playwright's sync API runs an asyncio loop in the test thread; Django would then refuse
# ORM calls from fixtures and tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
# Belt and braces: nothing here may fetch Playwright's browser builds.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
HERE = Path(__file__).resolve().parent
# Where the run leaves a full-page screenshot of every page a flow passes through (CI keeps
# this folder as an artefact); RELAIS_SCREENSHOTS overrides it.
SCREENSHOTS = Path(
    os.environ.get("RELAIS_SCREENSHOTS", HERE.parents[1] / "artifacts" / "screenshots")
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark this directory's tests `browser` before `-m` selects (this hook sees all items)."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} est absent : apt-get install -y chromium", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context, snap):
    page = context.new_page()
    snap.page = page
    yield page
    with contextlib.suppress(Exception):  # a page that crashed: the test's failure says more
        snap("fin")
    page.close()


class Snap:
    """snap("étape") saves a full-page screenshot of the current page, numbered in order, in
    artifacts/screenshots/<test>/; the page fixture takes a last one when the test ends.

    Each snap also reads the page's visible text and fails the test on developer text (code
    names, model names, True/False/None, "---------", Django's English error pages: see
    tests/developer_text.py), quoting the offending text.
    """

    def __init__(self, folder: Path):
        self.folder = folder
        self.page = None
        self.count = 0

    def __call__(self, label: str):
        if self.page is None or self.page.is_closed():
            return
        self.count += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w-]+", "-", label).strip("-") or "page"
        self.page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)
        found = developer_text(self.page.inner_text("body"))
        if found:
            pytest.fail(
                f"Texte de développeur sur la page « {label} » ({self.page.url}) :\n"
                + "\n".join(found),
                pytrace=False,
            )


@pytest.fixture
def snap(request):
    folder = SCREENSHOTS / re.sub(r"[^\w-]+", "-", request.node.name).strip("-")
    return Snap(folder)


def _login(page, live_server, username: str, password: str):
    """Sign in through the login page, then type the code of the user's authenticator app
    (set up for them if they had none); returns the page, on the landing page."""
    device = give_authenticator(User.objects.get(username=username))
    page.goto(f"{live_server.url}/connexion/")
    page.locator('input[name="username"]').fill(username)
    page.locator('input[name="password"]').fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
    if "/connexion/code/" in page.url:
        # A code serves once: forget the last one so a second login within 30 s works too.
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
        page.locator('input[name="code"]').fill(f"{code:0{device.digits}d}")
        page.get_by_role("button", name="Valider").click()
        page.wait_for_load_state()
    return page


@pytest.fixture
def login():
    """The helper login(page, live_server, username, password), as a fixture."""
    return _login
