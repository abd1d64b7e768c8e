"""A database that goes away: pages and the admin answer a 503 page (the API its JSON 503),
for connection errors only; they answer again as soon as it is back."""

from __future__ import annotations

import shutil

import pytest
from django.db import connections
from django.test import Client

from tests.fakes.outages import TcpProxy, database_switched

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def signed_in(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _without_the_database(tmp_path):
    """A context in which the default database cannot be reached, whatever its vendor."""
    connection = connections["default"]
    if connection.vendor == "postgresql":
        host = connection.settings_dict["HOST"] or "127.0.0.1"
        proxy = TcpProxy((host, int(connection.settings_dict["PORT"] or 5432)))

        class Cut:
            def __enter__(self):
                proxy.start()
                self.switch = database_switched(HOST="127.0.0.1", PORT=str(proxy.port))
                self.switch.__enter__()
                proxy.stop()

            def __exit__(self, *exc):
                self.switch.__exit__(*exc)

        return Cut()
    folder = tmp_path / "db"
    folder.mkdir()
    (folder / "db.sqlite3").symlink_to(connection.settings_dict["NAME"])

    class Moved:
        def __enter__(self):
            self.switch = database_switched(NAME=str(folder / "db.sqlite3"))
            self.switch.__enter__()
            shutil.move(folder, tmp_path / "away")

        def __exit__(self, *exc):
            shutil.move(tmp_path / "away", folder)
            self.switch.__exit__(*exc)

    return Moved()


def test_pages_and_the_admin_answer_503_while_the_database_is_away(signed_in, settings, tmp_path):
    settings.DEBUG = False
    assert signed_in.get("/history/").status_code == 200
    with _without_the_database(tmp_path):
        for path in ("/history/", "/admin/", "/new/"):
            response = signed_in.get(path)
            assert response.status_code == 503, path
            assert response["Retry-After"] == "5"
            assert b"briefly unavailable" in response.content
    assert signed_in.get("/history/").status_code == 200


def test_a_data_error_stays_a_500(signed_in, settings, monkeypatch):
    from django.db import DataError

    from generation.views import pages

    settings.DEBUG = False

    def broken(*args, **kwargs):
        raise DataError("value too long for type character varying(64)")

    monkeypatch.setattr(pages, "task_list", broken)
    response = signed_in.get("/history/")
    assert response.status_code == 500
    assert b"briefly unavailable" not in response.content
