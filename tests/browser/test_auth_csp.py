"""The strict Content-Security-Policy blocks nothing on the main pages."""

from tests.factories import PASSWORD, make_evaluation, make_request

# Records every violation the page reports, from the very first script on.
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_auth_main_pages_report_no_csp_violation(page, live_server, login, social_worker):
    request = make_request(referrer=social_worker)
    make_evaluation(request)
    console_errors = []
    page.on(
        "console",
        lambda message: (
            console_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    page.add_init_script(_RECORD_VIOLATIONS)

    def violations_on(path: str) -> list[str]:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        return page.evaluate("window.__cspViolations")

    assert violations_on("/connexion/") == []
    login(page, live_server, social_worker.username, PASSWORD)
    for path in [
        "/",
        "/demandes/",
        f"/demandes/{request.pk}/",
        f"/demandes/{request.pk}/evaluation/",
        f"/demandes/{request.pk}/evaluation/imprimer/",
        "/demandes/nouvelle/",
        "/mot-de-passe/modifier/",
        "/connexion/application/",
    ]:
        assert violations_on(path) == [], path
    # htmx filters the list without reloading the page: its requests stay within the policy.
    page.goto(f"{live_server.url}/demandes/")
    page.get_by_label("Nom ou prénom").fill(request.person.birth_name[:3])
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    assert console_errors == []
