"""Issue 12, point 9, as a structure manager lives it: refusals and missing pages are French
DSFR pages with the menu; the code, password and authenticator pages draw visible inputs.
Every snap() also checks the page for developer text (tests/browser/conftest.py)."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.conftest import give_authenticator
from tests.factories import PASSWORD

TRANSPARENT = "rgba(0, 0, 0, 0)"


def _assert_visible_box(page, selector: str):
    """A text box a user can see: DSFR draws it grey with a dark bottom line (fr-input)."""
    box = page.locator(selector)
    expect(box).to_be_visible()
    style = box.evaluate(
        "el => { const s = getComputedStyle(el); "
        "return {background: s.backgroundColor, shadow: s.boxShadow, border: s.borderBottomWidth}; }"
    )
    assert style["background"] != TRANSPARENT, style
    assert style["shadow"] != "none" or style["border"] not in ("0px", ""), style
    assert "fr-input" in (box.get_attribute("class") or "")


def test_sec_04_a_structure_manager_meets_french_pages_and_visible_inputs(
    page, live_server, snap, structure_manager
):
    device = give_authenticator(structure_manager)
    page.goto(f"{live_server.url}/connexion/")
    page.locator('input[name="username"]').fill(structure_manager.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/connexion/code/**")
    _assert_visible_box(page, 'input[name="code"]')
    snap("code de vérification")
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token()
    page.locator('input[name="code"]').fill(f"{code:0{device.digits}d}")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()
    snap("accueil")

    # A page they may not see: the French 403, with their menu and a way back.
    response = page.goto(f"{live_server.url}/journal/")
    assert response.status == 403
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cette page ne vous est pas ouverte")
    expect(page.locator("#menu")).to_contain_text("Mes structures")
    expect(page.get_by_role("link", name="Revenir à l'accueil")).to_be_visible()
    snap("page refusée")

    # A page that does not exist: the French 404.
    response = page.goto(f"{live_server.url}/demandes/999999/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
    expect(page.locator("#menu")).to_be_visible()
    snap("page introuvable")
    page.get_by_role("link", name="Revenir à l'accueil").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/mot-de-passe/modifier/")
    for name in ("old_password", "new_password1", "new_password2"):
        _assert_visible_box(page, f'input[name="{name}"]')
    snap("changer de mot de passe")

    page.goto(f"{live_server.url}/connexion/application/")
    _assert_visible_box(page, 'input[name="code"]')
    snap("application d'authentification")

    # The link a new account receives to choose its password (the token covers last_login).
    structure_manager.refresh_from_db()
    uid = urlsafe_base64_encode(force_bytes(structure_manager.pk))
    token = default_token_generator.make_token(structure_manager)
    page.goto(f"{live_server.url}/mot-de-passe/{uid}/{token}/")
    for name in ("new_password1", "new_password2"):
        _assert_visible_box(page, f'input[name="{name}"]')
    snap("choisir son mot de passe")
