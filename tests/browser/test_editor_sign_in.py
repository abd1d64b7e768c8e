"""The photo editor's way of working, in Chromium, against the real ASGI app: a page of
AicePS's own origin signs in with ``@supabase/supabase-js`` (AicePS as its Supabase), then
makes the editor's calls with no Authorization header (the session cookie), reads its
task history with the token, refreshes and signs out. The same calls from a page of another
origin are refused: cross-site the cookie is not even sent (401); same-site on another port
it is sent and the origin check refuses it (403). Nothing is charged for either."""

from __future__ import annotations

import base64
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.conftest import make_photo
from tests.fakes.asgi_server import asgi_server  # noqa: F401

from .supabase_js import supabase_bundle

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(180),
]
PASSWORD = "pw-for-tests-1"
EDIT_ROUTE = "/api/edit-image"

EDITOR_PAGE = """<!doctype html><meta charset="utf-8"><title>editor</title>
<script src="supabase.js"></script>
<script>
window.client = supabase.createClient(location.origin, "anon-key-for-tests", {
  auth: {flowType: "pkce", persistSession: true, autoRefreshToken: true,
         detectSessionInUrl: true}});
function photo(b64) {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  return new File([bytes], "photo.jpg", {type: "image/jpeg"});
}
async function json(response) { return {status: response.status, body: await response.json()}; }
window.signIn = async (email, password) => {
  const {data, error} = await client.auth.signInWithPassword({email, password});
  return error ? {error: error.message} : {id: data.user.id};
};
window.edit = async (b64) => {
  // As hybridImageService does: getUser, check-feature, consume-credits, then the edit.
  const {data: {user}} = await client.auth.getUser();
  const api = "/api";
  const post = (path, body) => fetch(api + path, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
  const check = await json(await post(`/user-permissions/${user.id}/check-feature`,
    {feature: "nano_banana", resourceData: {type: "filter"}}));
  const consume = await json(await post(`/user-permissions/${user.id}/consume-credits`,
    {feature: "nano_banana", resourceData: {type: "filter"}, creditsToConsume: 14}));
  const form = new FormData();
  form.append("image", photo(b64));
  form.append("prompt", "黑白");
  form.append("type", "filter");
  const edited = await json(await fetch(api + "/edit-image", {method: "POST", body: form}));
  let image = null;
  if (edited.body.imageUrl) {  // convertApiResultToDataUrl: fetch the absolute URL
    const blob = await (await fetch(edited.body.imageUrl)).blob();
    image = {type: blob.type, size: blob.size};
  }
  const {data: {session}} = await client.auth.getSession();
  const history = await json(await fetch(api + "/task-history/tasks?page=1&limit=10",
    {headers: {"Content-Type": "application/json",
               "Authorization": `Bearer ${session.access_token}`}}));
  return {user: user.id, check, consume, edited, image, history};
};
window.refreshAndSignOut = async (b64) => {
  const before = (await client.auth.getSession()).data.session;
  const {data, error} = await client.auth.refreshSession();
  const refreshed = error ? {error: error.message} :
    {changed: data.session.refresh_token !== before.refresh_token};
  await client.auth.signOut();
  const form = new FormData();
  form.append("image", photo(b64));
  form.append("type", "filter");
  const after = await fetch("/api/edit-image", {method: "POST", body: form});
  const user = await client.auth.getUser();
  return {refreshed, afterSignOut: after.status, userError: user.error && user.error.name};
};
</script>"""

ATTACK_PAGE = """<!doctype html><meta charset="utf-8"><title>elsewhere</title><script>
window.attack = async (target, b64) => {
  const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
  const form = new FormData();
  form.append("image", new File([bytes], "photo.jpg", {type: "image/jpeg"}));
  form.append("prompt", "黑白");
  form.append("type", "filter");
  try {
    const response = await fetch(target + "/api/edit-image",
      {method: "POST", body: form, credentials: "include"});
    return {readable: true, status: response.status};
  } catch (error) { return {readable: false, error: String(error)}; }
};
</script>"""


@pytest.fixture
def editor_site(tmp_path, settings):
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "index.html").write_text(EDITOR_PAGE, encoding="utf-8")
    (folder / "supabase.js").write_bytes(supabase_bundle().read_bytes())
    settings.AICEPS_EDITOR_DIST = str(folder)  # AicePS serves the page on its own origin
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    return folder


@pytest.fixture
def elsewhere():
    """A page of another origin (another port of the same host: the same site)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = ATTACK_PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_editor_signs_in_and_edits_on_the_same_origin_only(
    asgi_server,  # noqa: F811
    browser,
    editor_site,
    elsewhere,
    make_user,
    caplog,
):
    alice = make_user("alice", email="alice@example.com")
    photo = base64.b64encode(make_photo(320, 240)).decode()
    context = browser.new_context()
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(f"{asgi_server.url}/editor/")

    assert page.evaluate("signIn('alice@example.com', 'wrong')") == {
        "error": "Invalid login credentials"
    }
    signed = page.evaluate("([e, p]) => signIn(e, p)", ["alice@example.com", PASSWORD])
    assert "id" in signed, signed
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["sessionid"]["httpOnly"] is True

    result = page.evaluate("(b64) => edit(b64)", photo)
    assert result["user"] == signed["id"]
    assert result["check"]["body"]["data"]["canUse"] is True
    assert result["check"]["body"]["data"]["creditsRequired"] == 1
    assert result["consume"]["body"]["data"]["creditsConsumed"] == 0
    edited = result["edited"]
    assert edited["status"] == 200, edited
    assert edited["body"]["imageUrl"].startswith(f"{asgi_server.url}/files/task-history/")
    assert result["image"]["type"] == "image/png" and result["image"]["size"] > 1000
    tasks = result["history"]["body"]["data"]["tasks"]
    assert [t["id"] for t in tasks] == [edited["body"]["task_id"]]
    assert credits_balance(user=alice) == 9  # AicePS's price, not the 14 the page claimed

    # Another origin: the same call is refused and costs nothing.
    # (The browser keeps the answer from the page, so the server's log says what it answered.)
    attacker = context.new_page()
    for origin, expected in ((elsewhere, 403), (f"http://localhost:{asgi_server.port}", 401)):
        attacker.goto(f"{origin}/" if origin == elsewhere else f"{origin}/editor/")
        attacker.add_script_tag(content=ATTACK_PAGE.split("<script>")[1].split("</script>")[0])
        caplog.clear()
        outcome = attacker.evaluate("([t, b]) => attack(t, b)", [asgi_server.url, photo])
        assert outcome["readable"] is False, outcome  # CORS: the page cannot read the answer
        answered = [r.status for r in caplog.records if getattr(r, "route", "") == EDIT_ROUTE]
        assert answered == [expected], (origin, answered)
    assert TaskHistory.objects.filter(user=alice).count() == 1
    assert credits_balance(user=alice) == 9

    ended = page.evaluate("(b64) => refreshAndSignOut(b64)", photo)
    assert ended["refreshed"] == {"changed": True}
    assert ended["afterSignOut"] == 401
    assert ended["userError"] == "AuthSessionMissingError"
    context.close()
