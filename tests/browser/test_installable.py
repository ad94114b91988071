"""Amina puts the timebank on her phone's home screen; in the lift the network drops, and nothing personal stays."""
import io
import json

from PIL import Image

from tests.browser.conftest import screenshot
from tests.browser.test_hours_journey import sign_in

CACHED = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) { const url = new URL(request.url); urls.push(url.pathname + url.search); }
  }
  return urls;
}"""


def test_the_manifest_parses_and_its_icons_load(live_server, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server}/?lang=ar")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    response = page.request.get(f"{live_server}{href}")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert (manifest["name"], manifest["start_url"], manifest["display"]) == ("Timebank", "/", "standalone")
    assert (manifest["lang"], manifest["dir"]) == ("ar", "rtl")
    sizes = {}
    for icon in manifest["icons"]:
        image = page.request.get(f"{live_server}{icon['src']}")
        assert image.status == 200 and image.headers["content-type"] == "image/png"
        sizes[(icon["sizes"], icon["purpose"])] = Image.open(io.BytesIO(image.body())).size
    assert sizes == {("192x192", "any"): (192, 192), ("512x512", "any"): (512, 512),
                     ("512x512", "maskable"): (512, 512)}
    context.close()


def test_offline_a_navigation_shows_the_offline_page_and_never_a_page_of_hers(live_server, browser, people):
    amina = people.member("Amina Diallo", locale="ar")
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="allow")
    page = context.new_page()
    sign_in(page, live_server, amina.email, amina.password, lang="ar")
    page.goto(f"{live_server}/me/hours")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    cached = page.evaluate(CACHED)
    assert "/offline" in cached and any(url.startswith("/static/css/timebank.css?v=") for url in cached)
    assert all(url == "/offline" or url.startswith("/static/") for url in cached), cached

    context.set_offline(True)
    page.goto(f"{live_server}/exchanges")
    assert page.locator("main.offline").count() == 1
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert "Amina" not in page.content()
    screenshot(page, "phone-offline-ar")

    # She signs out; offline again, her hours are nowhere to be found.
    context.set_offline(False)
    page.goto(f"{live_server}/")
    page.locator(".more-menu summary").click()
    page.locator(".more-list button[type=submit]").click()
    context.set_offline(True)
    page.goto(f"{live_server}/me/hours")
    assert page.locator("main.offline").count() == 1
    assert "Amina" not in page.content()
    context.close()
