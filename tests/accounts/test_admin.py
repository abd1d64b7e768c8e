import pytest

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance
from generation.models import TaskHistory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, make_user):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_staff_lists_users_with_their_balances(staff_client, user):
    response = staff_client.get("/admin/accounts/user/")
    assert response.status_code == 200
    assert b"alice" in response.content
    assert b'class="field-balance">10<' in response.content


def test_staff_grants_credits_through_the_action(staff_client, user):
    form = staff_client.post(
        "/admin/accounts/user/", {"action": "grant_credits", "_selected_action": [user.pk]}
    )
    assert form.status_code == 200 and b"Credits to grant" in form.content
    done = staff_client.post(
        "/admin/accounts/user/",
        {
            "action": "grant_credits",
            "_selected_action": [user.pk],
            "apply": "1",
            "amount": "25",
            "note": "support ticket 42",
        },
        follow=True,
    )
    assert done.status_code == 200
    assert credits_balance(user=user) == 35
    grant = CreditTransaction.objects.get(account__user=user, kind="grant")
    assert (grant.amount, grant.note, grant.created_by.username) == (
        25,
        "support ticket 42",
        "root",
    )


def test_grant_with_a_bad_amount_changes_nothing(staff_client, user):
    response = staff_client.post(
        "/admin/accounts/user/",
        {
            "action": "grant_credits",
            "_selected_action": [user.pk],
            "apply": "1",
            "amount": "-5",
            "note": "x",
        },
    )
    assert response.status_code == 200
    assert credits_balance(user=user) == 10


def test_user_page_shows_the_ledger(staff_client, user):
    response = staff_client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert response.status_code == 200
    assert b"Sign-up bonus" in response.content


def test_the_ledger_admin_is_read_only(staff_client, user):
    row = CreditTransaction.objects.get(account__user=user)
    assert staff_client.get("/admin/accounts/credittransaction/").status_code == 200
    assert staff_client.get("/admin/accounts/credittransaction/add/").status_code == 403
    staff_client.post(f"/admin/accounts/credittransaction/{row.pk}/change/", {"amount": 999})
    assert (
        staff_client.post(
            f"/admin/accounts/credittransaction/{row.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    row.refresh_from_db()
    assert row.amount == 10


def test_staff_browses_tasks_with_filters_and_search(staff_client, user):
    TaskHistory.objects.create(user=user, prompt="把背景换成白色", status="completed")
    listing = staff_client.get("/admin/generation/taskhistory/?status__exact=completed&q=背景")
    assert listing.status_code == 200
    assert "把背景换成白色".encode() in listing.content
    task = TaskHistory.objects.get()
    assert staff_client.get(f"/admin/generation/taskhistory/{task.pk}/change/").status_code == 200
    assert staff_client.get("/admin/generation/taskstatistics/").status_code == 200


def test_non_staff_is_refused(client, user):
    client.force_login(user)
    response = client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert credits_balance(user=user) == 10
