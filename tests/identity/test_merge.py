"""IDV-03: the SIAO merges two person records; everything follows; the merge can be undone."""

import pytest
from django.urls import reverse

from relais.identity.models import IdentityKey, PairStatus, PersonMerge, PersonPair
from relais.persons.models import Household, HouseholdMember
from relais.requests.models import Request, RequestEvent
from tests.factories import PersonFactory, make_request

pytestmark = pytest.mark.django_db


def twin(last: str, **kw):
    defaults = dict(
        first_names="Sophie", sex="F", birth_year=1962, birth_month=7, birth_day=4, birth_place=""
    )
    return PersonFactory(birth_name=last, **{**defaults, **kw})


@pytest.fixture
def pair(social_worker, outsider):
    one, other = twin("Durand"), twin("Durant")
    make_request(one, referrer=social_worker)
    make_request(other, referrer=outsider)
    return PersonPair.objects.between(one, other).get()


def snapshot(person):
    return {
        "requests": set(Request.objects.filter(person=person).values_list("pk", flat=True)),
        "members": set(HouseholdMember.objects.filter(person=person).values_list("pk", flat=True)),
        "principal_of": set(
            Household.objects.filter(principal=person).values_list("pk", flat=True)
        ),
        "events": set(
            RequestEvent.objects.filter(request__person=person).values_list("pk", flat=True)
        ),
    }


def test_idv_03_the_review_queue_lists_pairs_of_the_territory(client, siao_operator, pair):
    client.force_login(siao_operator)
    response = client.get(reverse("identity:review_queue"))
    assert response.status_code == 200
    assert reverse("identity:pair", args=[pair.pk]) in response.content.decode()
    assert "Nom : se prononce pareil" in response.content.decode()


@pytest.mark.parametrize("role", ["social_worker", "emergency_line_user", "territory_admin"])
def test_idv_03_only_the_siao_reviews_and_merges(client, request, role, pair):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("identity:review_queue")).status_code == 403
    url = reverse("identity:pair_decide", args=[pair.pk])
    assert client.post(url, {"action": "merge", "kept": "a"}).status_code == 403
    assert not PersonMerge.objects.exists()


def test_idv_03_another_territory_s_siao_does_not_see_the_pair(client, other_territory, pair):
    from tests.factories import OrganisationFactory, UserFactory

    remote_siao = UserFactory(
        siao_operator=True, organisation=OrganisationFactory(siao=True, territory=other_territory)
    )
    client.force_login(remote_siao)
    assert client.get(reverse("identity:pair", args=[pair.pk])).status_code == 404
    assert pair.pk not in [
        p.pk for p in client.get(reverse("identity:review_queue")).context["page"]
    ]


def test_idv_03_merge_moves_every_row_and_undo_puts_each_back(client, siao_operator, pair):
    kept, merged = pair.person_a, pair.person_b
    before_kept, before_merged = snapshot(kept), snapshot(merged)
    client.force_login(siao_operator)
    response = client.post(
        reverse("identity:pair_decide", args=[pair.pk]), {"action": "merge", "kept": "a"}
    )
    merge = PersonMerge.objects.get()
    assert response.url == reverse("identity:merge", args=[merge.pk])
    after = snapshot(kept)
    for part in before_kept:
        assert after[part] == before_kept[part] | before_merged[part]
        assert not snapshot(merged)[part]
    assert not IdentityKey.objects.filter(person=merged).exists()
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.SAME
    assert not PersonPair.objects.to_review().exists()

    page = client.get(reverse("identity:merge", args=[merge.pk])).content.decode()
    assert "Annuler la fusion" in page
    client.post(reverse("identity:merge_undo", args=[merge.pk]))
    assert snapshot(kept) == before_kept and snapshot(merged) == before_merged
    assert IdentityKey.objects.filter(person=merged).exists()
    merge.refresh_from_db()
    assert merge.undone_by == siao_operator
    assert PersonPair.objects.get(pk=pair.pk).status == PairStatus.OPEN


def test_idv_03_a_row_added_after_the_merge_stays_with_the_kept_person(siao_operator, pair):
    kept, merged = pair.person_a, pair.person_b
    merge = PersonMerge.merge(kept=kept, merged=merged, by=siao_operator)
    later = make_request(kept)
    merge.undo(by=siao_operator)
    later.refresh_from_db()
    assert later.person == kept


def test_idv_03_merge_follows_any_foreign_key_to_person(siao_operator, pair):
    from relais.identity.models import person_references

    names = {(m._meta.label_lower, f.name) for m, f in person_references()}
    assert {("requests.request", "person"), ("persons.household", "principal")} <= names
    assert not any(label.startswith("identity.") for label, _ in names)


def test_idv_03_different_persons_leave_the_queue_for_good(client, siao_operator, pair):
    client.force_login(siao_operator)
    client.post(reverse("identity:pair_decide", args=[pair.pk]), {"action": "different"})
    pair.refresh_from_db()
    assert pair.status == PairStatus.DIFFERENT and pair.decided_by == siao_operator
    pair.person_b.save()
    assert not PersonPair.objects.to_review().exists()


def test_idv_03_persons_of_one_household_cannot_be_merged(siao_operator, social_worker):
    one, other = twin("Durand"), twin("Durant")
    req = make_request(one, referrer=social_worker)
    HouseholdMember.objects.create(household=req.household, person=other, relationship="other")
    from relais.identity.models import MergeRefused

    with pytest.raises(MergeRefused, match="même ménage"):
        PersonMerge.merge(kept=one, merged=other, by=siao_operator)
    assert HouseholdMember.objects.filter(person=other).exists()


def test_sec_01_merges_and_their_undo_are_in_the_audit_log(client, siao_operator, pair):
    from relais.audit.models import AuditEvent

    client.force_login(siao_operator)
    client.post(reverse("identity:pair_decide", args=[pair.pk]), {"action": "merge", "kept": "a"})
    merge = PersonMerge.objects.get()
    client.post(reverse("identity:merge_undo", args=[merge.pk]))
    rows = AuditEvent.objects.filter(user=siao_operator, person_id=pair.person_a_id)
    assert list(rows.values_list("action", flat=True).order_by("id")) == ["merge", "unmerge"]
    assert rows.first().detail["merged_person"] == pair.person_b_id
