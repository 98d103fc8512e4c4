def pytest_terminal_summary(terminalreporter):
    """Say how many denials the permission matrix asserted (also under pytest-xdist)."""
    denials = sum(
        value
        for report in terminalreporter.stats.get("passed", [])
        for key, value in getattr(report, "user_properties", [])
        if key == "denials"
    )
    if denials:
        terminalreporter.write_line(f"Matrice des permissions : {denials} refus vérifiés.")
