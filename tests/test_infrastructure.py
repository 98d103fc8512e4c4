"""The test set-up itself: template variable checking, factories and the fixed cast."""

import pytest
from django.conf import settings
from django.core import checks
from django.core.exceptions import ObjectDoesNotExist
from django.template import Context, engines
from django.template.base import Origin, Template
from django.template.loader import render_to_string

from relais.accounts.enums import ROLE_ORGANISATION_KINDS, Role
from relais.requests.enums import Channel, EventKind, RequestStatus
from tests.factories import (
    PASSWORD,
    OrganisationFactory,
    PersonFactory,
    StructureFactory,
    TerritoryFactory,
    UserFactory,
    make_evaluation,
    make_request,
)

CAST = [
    "siao_operator",
    "territory_admin",
    "social_worker",
    "colleague",
    "outsider",
    "remote_worker",
    "emergency_line_user",
    "structure_manager",
    "cpip",
    "state_service_user",
    "siae_coach",
]


def _template(source: str, path) -> Template:
    """A template of the real engine, as if it had been loaded from `path`."""
    return Template(
        source,
        origin=Origin(name=str(path), template_name=path.name),
        engine=engines["django"].engine,
    )


def project_template(source: str) -> Template:
    return _template(source, settings.BASE_DIR / "templates" / "infrastructure" / "check.html")


def library_template(source: str) -> Template:
    path = (
        settings.BASE_DIR / ".venv" / "lib" / "site-packages" / "somelib" / "templates" / "t.html"
    )
    return _template(source, path)


class _Broken:
    @property
    def relation(self):
        raise ObjectDoesNotExist("no related object")  # a silent_variable_failure


# -- undefined template variables -------------------------------------------------------------


def test_the_engine_uses_the_undefined_variable_handler(undefined_template_variables):
    handler = engines["django"].engine.string_if_invalid
    assert handler.errors is undefined_template_variables
    assert isinstance(handler, str), "Django's templates.E002 check wants a string"
    template_errors = [e for e in checks.run_checks(tags=[checks.Tags.templates]) if e.is_serious()]
    assert template_errors == []


def test_undefined_variable_in_a_project_template_fails(undefined_template_variables):
    template = project_template("Bonjour {{ person.first_names }} {{ missing }}")
    with pytest.raises(AssertionError) as failure:
        template.render(Context({"person": {"first_names": "Samira"}}))
    expected = (
        f"Undefined template variable 'missing' in "
        f"'{settings.BASE_DIR / 'templates' / 'infrastructure' / 'check.html'}'"
    )
    assert str(failure.value).startswith(expected)
    assert undefined_template_variables == [expected]


def test_undefined_variable_under_a_filter_fails_too(undefined_template_variables):
    # With string_if_invalid set, Django does not run filters on an undefined variable.
    with pytest.raises(AssertionError, match="Undefined template variable 'missing'"):
        project_template('{{ missing|default:"—" }}').render(Context({}))


def test_undefined_argument_of_a_tag_fails(undefined_template_variables):
    with pytest.raises(AssertionError, match="Undefined template variable 'pk'"):
        project_template('{% url "requests:detail" pk=pk %}').render(Context({}))


def test_project_template_may_test_optional_variables():
    template = project_template(
        "{% if missing %}oui{% else %}non{% endif %}"
        "{% for x in missing %}{{ x }}{% empty %}-vide{% endfor %}"
        '{{ none|default:"-rien" }}'
        "{% if thing.relation %}+lien{% else %}-sans lien{% endif %}[{{ thing.relation }}]"
    )
    rendered = template.render(Context({"none": None, "thing": _Broken()}))
    assert rendered == "non-vide-rien-sans lien[]"


def test_library_template_renders_as_in_production():
    template = library_template('[{{ missing }}|{{ missing|default:"défaut" }}|{{ a.b.c|upper }}]')
    assert template.render(Context({"a": {}})) == "[|défaut|]"


def test_real_library_template_with_optional_variables_renders():
    # dsfr/alert.html uses {{ self.heading_tag | default:"p" }} and other optional keys.
    html = render_to_string("dsfr/alert.html", {"self": {"title": "Titre", "type": "info"}})
    assert '<p class="fr-alert__title">Titre</p>' in html
    assert "fr-alert--info" in html


def test_template_from_string_has_no_file_and_is_not_checked():
    template = engines["django"].from_string("[{{ missing }}]")
    assert template.render({}) == "[]"


# -- factories and cast ----------------------------------------------------------------------


@pytest.mark.parametrize("name", CAST)
def test_cast_accounts_are_valid(request, name, territory):
    user = request.getfixturevalue(name)
    user.full_clean()
    assert user.organisation.kind in ROLE_ORGANISATION_KINDS[user.role]
    assert user.check_password(PASSWORD)
    expected = "Bas-Rhin" if name == "remote_worker" else "Haut-Rhin"
    assert user.territory.name == expected


def test_cast_shares_organisations(
    social_worker, colleague, outsider, siao_operator, territory_admin
):
    assert colleague.organisation == social_worker.organisation
    assert outsider.organisation != social_worker.organisation
    assert outsider.territory == social_worker.territory
    assert territory_admin.organisation == siao_operator.organisation


@pytest.mark.parametrize("role", Role.values)
def test_user_factory_has_a_trait_per_role(db, role):
    user = UserFactory(**{role: True})
    user.full_clean()
    assert user.role == role


def test_organisation_and_territory_factories_make_valid_rows(db):
    territories = [TerritoryFactory() for _ in range(8)]
    assert len({t.insee_code for t in territories}) == 8
    for territory in territories:
        territory.full_clean()
    for kind in ["siao", "emergency_line", "social_service", "spip", "prison"]:
        OrganisationFactory(**{kind: True}).full_clean()
    for kind in ["structure_manager", "siae", "state_service"]:
        OrganisationFactory(**{kind: True}).full_clean()


def test_structure_factory_follows_its_manager(structure, structure_manager):
    assert structure.territory == structure_manager.territory
    assert structure.permanent_capacity() == 20
    other = StructureFactory()
    assert other.territory == other.manager.territory


def test_person_factory_makes_a_valid_adult(db):
    person = PersonFactory()
    person.full_clean()
    assert person.birth_date is not None


def test_make_request_goes_through_create_request(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    assert req.status == RequestStatus.NEW
    assert req.referrer == social_worker
    assert req.referrer_organisation == social_worker.organisation
    assert req.territory == social_worker.territory
    assert list(req.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_complete_evaluation_lets_the_request_be_evaluated(social_worker):
    req = make_request(referrer=social_worker)
    evaluation = make_evaluation(req)
    assert evaluation.missing_blocks() == []
    req.evaluate(by=social_worker)
    assert req.status == RequestStatus.EVALUATED


def test_incomplete_evaluation_is_refused(social_worker):
    req = make_request(referrer=social_worker)
    evaluation = make_evaluation(req, complete=False)
    assert set(evaluation.missing_blocks()) == set(evaluation.REQUIRED_BLOCKS)
