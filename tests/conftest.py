"""Test-wide set-up: undefined template variables fail, and a fixed cast of users.

The cast (healthchecks style) lives on two territories:

    territory (68, Haut-Rhin)
        siao ............ siao_operator (sarah), territory_admin (thomas)
        ccas ............ social_worker (alice), colleague (bob)
        secteur Colmar .. outsider (charlie)
        115 ............. emergency_line_user (eric)
        association ..... structure_manager (gaston), who runs `structure` (20 places)
        SPIP ............ cpip (camille)
        DDETS ........... state_service_user (etienne)
        ACI ............. siae_coach (ines), siae_supervisor (jules)
        CP Mulhouse ..... prison_staff (paul), in `prison`
    other_territory (67, Bas-Rhin)
        CCAS Strasbourg . remote_worker (rachel)

Every account's password is tests.factories.PASSWORD.
"""

import sys
from pathlib import Path

import factory.random
import pytest
from django.template.base import FilterExpression, Node, Template
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.accounts.enums import OrganisationSubtype
from relais.accounts.security import AUTHENTICATOR_NAME
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    TerritoryFactory,
    UserFactory,
)

# ---------------------------------------------------------------------------------------------
# Undefined template variables
# ---------------------------------------------------------------------------------------------

_FILTER_RESOLVE_CODE = FilterExpression.resolve.__code__


class UndefinedTemplateVariable(AssertionError):
    """One of the project's templates used a variable that its context does not define."""


class UndefinedVariableHandler(str):
    """TEMPLATES[0]["OPTIONS"]["string_if_invalid"] for tests.

    Django calls ``string_if_invalid % var`` when a variable does not resolve (after checking
    ``"%s" in string_if_invalid``). We walk up the stack to the template node being rendered:
    if it comes from one of the project's templates (under BASE_DIR, outside .venv and
    site-packages), the test fails; library templates (django-dsfr, admin) reference optional
    variables on purpose, so for them we return what production would render.

    It is a str (Django's templates.E002 check wants one) equal to "" and falsy everywhere
    except in the ``if string_if_invalid:`` test of FilterExpression.resolve, so silent
    failures (e.g. a missing one-to-one relation) still behave as "" in ``{% if %}``.

    Note: Django skips the filters of an undefined variable when string_if_invalid is set, so
    ``{{ missing|default:"—" }}`` also fails in a project template. Pass the variable in the
    context, or test it with ``{% if %}`` (which never calls this handler).
    """

    base_dir: Path
    errors: list[str]

    def __new__(cls, base_dir: Path) -> "UndefinedVariableHandler":
        handler = super().__new__(cls, "")
        handler.base_dir = Path(base_dir).resolve()
        handler.errors = []
        return handler

    def __bool__(self) -> bool:
        return sys._getframe(1).f_code is _FILTER_RESOLVE_CODE

    def __contains__(self, item) -> bool:
        return item == "%s" or super().__contains__(item)

    def __mod__(self, var) -> str:
        caller = sys._getframe(1)
        origin = self._origin(caller)
        if origin is not None and self.is_project_template(origin.name):
            message = f"Undefined template variable '{var}' in '{origin.name}'"
            self.errors.append(message)
            raise UndefinedTemplateVariable(
                f"{message}. Put it in the context or test it with {{% if %}} "
                "(filters such as |default do not apply to undefined variables in tests)."
            )
        return self._production_value(caller)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.base_dir}>"

    def is_project_template(self, name: str) -> bool:
        if not name or not Path(name).is_absolute():  # "<unknown source>": from_string()
            return False
        path = Path(name).resolve()
        if not path.is_relative_to(self.base_dir):
            return False
        parts = path.relative_to(self.base_dir).parts
        return parts[:1] != (".venv",) and "site-packages" not in parts

    @staticmethod
    def _origin(frame):
        """The origin of the nearest template node (or template) being rendered."""
        while frame is not None:
            owner = frame.f_locals.get("self")
            # type(), not isinstance(): a lazy object's __class__ would evaluate it.
            if issubclass(type(owner), Node | Template) and getattr(owner, "origin", None):
                return owner.origin
            frame = frame.f_back
        return None

    @staticmethod
    def _production_value(caller) -> str:
        """What Django renders with string_if_invalid="": "" run through the filters."""
        if caller.f_code is not _FILTER_RESOLVE_CODE:
            return ""  # e.g. {% blocktranslate %}, which applies no filter
        expression, context = caller.f_locals["self"], caller.f_locals["context"]
        if not expression.filters:
            return ""
        literal = FilterExpression.__new__(FilterExpression)
        literal.token, literal.filters = expression.token, expression.filters
        literal.var, literal.is_var = "", False
        return literal.resolve(context)


UNDEFINED_VARIABLES: UndefinedVariableHandler | None = None
_CALL_FAILED = pytest.StashKey[bool]()


def pytest_configure(config):
    global UNDEFINED_VARIABLES
    import django.test.signals  # noqa: F401  (registers the template engine reset below)
    from django.conf import settings
    from django.test.signals import setting_changed

    UNDEFINED_VARIABLES = UndefinedVariableHandler(settings.BASE_DIR)
    settings.TEMPLATES[0].setdefault("OPTIONS", {})["string_if_invalid"] = UNDEFINED_VARIABLES
    # Drop any template engine built before this point so every engine uses the handler.
    setting_changed.send(sender=None, setting="TEMPLATES", value=settings.TEMPLATES, enter=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(autouse=True)
def _fail_on_undefined_template_variables(request):
    """Also catch undefined variables whose exception was swallowed (e.g. in live_server)."""
    UNDEFINED_VARIABLES.errors.clear()
    yield
    errors = list(UNDEFINED_VARIABLES.errors)
    UNDEFINED_VARIABLES.errors.clear()
    if errors and not request.node.stash.get(_CALL_FAILED, False):
        pytest.fail("\n".join(errors), pytrace=False)


@pytest.fixture
def undefined_template_variables():
    """For tests that trigger undefined variables on purpose: the messages, cleared after."""
    yield UNDEFINED_VARIABLES.errors
    UNDEFINED_VARIABLES.errors.clear()


@pytest.fixture(autouse=True)
def _reseed_factories(request):
    """Faker and factory_boy draw the same values for a test whatever the tests around it."""
    factory.random.reseed_random(request.node.nodeid)


# ---------------------------------------------------------------------------------------------
# Test clients that pass the second factor
# ---------------------------------------------------------------------------------------------


class VerifiedClient(Client):
    """A test client whose force_login also passes the second factor, as django_otp.login
    would after the user typed the code of their (confirmed) authenticator app."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device = give_authenticator(user)
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def give_authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator, set up if they had none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME)


@pytest.fixture
def client():
    return VerifiedClient()


@pytest.fixture
def admin_client(db, admin_user):
    client = VerifiedClient()
    client.force_login(admin_user)
    return client


# ---------------------------------------------------------------------------------------------
# The cast
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def territory(db):
    return TerritoryFactory(insee_code="68", name="Haut-Rhin")


@pytest.fixture
def other_territory(db):
    return TerritoryFactory(insee_code="67", name="Bas-Rhin")


@pytest.fixture
def siao(territory):
    return OrganisationFactory(siao=True, territory=territory, name="SIAO du Haut-Rhin")


@pytest.fixture
def ccas(territory):
    return OrganisationFactory(social_service=True, territory=territory, name="CCAS de Mulhouse")


@pytest.fixture
def siao_operator(siao):
    return UserFactory(
        siao_operator=True,
        organisation=siao,
        username="sarah",
        first_name="Sarah",
        last_name="Keller",
    )


@pytest.fixture
def territory_admin(siao):
    return UserFactory(
        territory_admin=True,
        organisation=siao,
        username="thomas",
        first_name="Thomas",
        last_name="Weber",
    )


@pytest.fixture
def social_worker(ccas):
    return UserFactory(
        social_worker=True,
        organisation=ccas,
        username="alice",
        first_name="Alice",
        last_name="Martin",
    )


@pytest.fixture
def colleague(social_worker):
    return UserFactory(
        social_worker=True,
        organisation=social_worker.organisation,
        username="bob",
        first_name="Bob",
        last_name="Durand",
    )


@pytest.fixture
def outsider(territory):
    sector = OrganisationFactory(
        social_service=True,
        subtype=OrganisationSubtype.SECTOR,
        territory=territory,
        name="Service social de secteur de Colmar",
    )
    return UserFactory(
        social_worker=True,
        organisation=sector,
        username="charlie",
        first_name="Charlie",
        last_name="Meyer",
    )


@pytest.fixture
def remote_worker(other_territory):
    strasbourg = OrganisationFactory(
        social_service=True, territory=other_territory, name="CCAS de Strasbourg"
    )
    return UserFactory(
        social_worker=True,
        organisation=strasbourg,
        username="rachel",
        first_name="Rachel",
        last_name="Schmitt",
    )


@pytest.fixture
def emergency_line_user(territory):
    line = OrganisationFactory(emergency_line=True, territory=territory, name="115 du Haut-Rhin")
    return UserFactory(
        emergency_line=True, organisation=line, username="eric", first_name="Éric", last_name="Roth"
    )


@pytest.fixture
def structure_manager(territory):
    association = OrganisationFactory(
        structure_manager=True, territory=territory, name="Association Accueil et Logement"
    )
    return UserFactory(
        structure_manager=True,
        organisation=association,
        username="gaston",
        first_name="Gaston",
        last_name="Muller",
    )


@pytest.fixture
def structure(structure_manager):
    """An insertion CHRS of 20 places run by structure_manager's association."""
    return StructureFactory(
        manager=structure_manager.organisation, name="CHRS Les Tilleuls", places=20
    )


@pytest.fixture
def cpip(territory):
    spip = OrganisationFactory(spip=True, territory=territory, name="SPIP du Haut-Rhin")
    return UserFactory(
        cpip=True, organisation=spip, username="camille", first_name="Camille", last_name="Fischer"
    )


@pytest.fixture
def state_service_user(territory):
    ddets = OrganisationFactory(state_service=True, territory=territory, name="DDETS du Haut-Rhin")
    return UserFactory(
        state_service=True,
        organisation=ddets,
        username="etienne",
        first_name="Étienne",
        last_name="Klein",
    )


@pytest.fixture
def siae_coach(territory):
    aci = OrganisationFactory(siae=True, territory=territory, name="ACI Mulhouse Insertion")
    return UserFactory(
        siae_coach=True, organisation=aci, username="ines", first_name="Inès", last_name="Bauer"
    )


@pytest.fixture
def siae_supervisor(siae_coach):
    return UserFactory(
        siae_supervisor=True,
        organisation=siae_coach.organisation,
        username="jules",
        first_name="Jules",
        last_name="Meyer",
    )


@pytest.fixture
def prison(territory):
    return OrganisationFactory(
        prison=True,
        subtype=OrganisationSubtype.CP,
        territory=territory,
        name="Centre pénitentiaire de Mulhouse-Lutterbach",
    )


@pytest.fixture
def prison_staff(prison):
    return UserFactory(
        prison_staff=True,
        organisation=prison,
        username="paul",
        first_name="Paul",
        last_name="Kessler",
    )


# Here rather than in tests/permissions/conftest.py: under pytest-xdist the controller, which
# writes the summary, loads only the conftest files of the paths it was given.
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
