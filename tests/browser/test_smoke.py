def test_login_page_opens(page, live_server):
    page.goto(f"{live_server.url}/connexion/")
    assert "Relais" in page.title()
