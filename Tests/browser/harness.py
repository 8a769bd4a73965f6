"""The browser tests' harness: a real exchange (a fresh database, the built hearthd as the
hearth_daemon role, hearthctl and hearth-settle as the schema's owner) and a headless
Chromium driven by Selenium that finds fields by their `name=` and buttons by their exact
visible label, records the HTTP status of every page it lands on, audits every page with
axe-core and checks that every signed-in page offers **Sign out**.

Configuration (environment):
  HEARTH_BIN_DIR            the folder with hearthd, hearthctl and hearth-settle (required)
  HEARTH_TEST_DATABASE_URL  a PostgreSQL superuser URL; a database is created and dropped
  HEARTH_SCREENSHOTS=1      save the tour's PNGs into Docs/screenshots/
  HEARTH_CHROMIUM, HEARTH_CHROMEDRIVER   the browser and driver (default: Debian's paths)
"""

import datetime
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import axe_core_python.base
import axe_selenium_python
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    WebDriverException,
)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCREENSHOTS = os.path.join(ROOT, "Docs", "screenshots")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WAIT = 20  # seconds: an upper bound on waiting for something observable, never a sleep


def today():
    """The exchange's calendar date (Europe/London; equal to UTC's outside summer time)."""
    return datetime.date.today()


def wait_until(what, check, timeout=WAIT, interval=0.1):
    """Polls `check` until it returns a true value, which is returned; fails after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class CommandFailed(AssertionError):
    pass


class Exchange:
    """A fresh database in the throwaway PostgreSQL and the real hearthd serving it."""

    def __init__(self):
        self.bin_dir = os.environ.get("HEARTH_BIN_DIR") or ""
        if not os.path.exists(os.path.join(self.bin_dir, "hearthd")):
            raise RuntimeError("set HEARTH_BIN_DIR to the folder with the built hearthd (Deploy/test does)")
        server = os.environ.get("HEARTH_TEST_DATABASE_URL")
        if not server:
            raise RuntimeError("set HEARTH_TEST_DATABASE_URL to a PostgreSQL superuser URL (Deploy/test does)")
        self.server_url = server
        self.database = f"hearth_browser_{os.getpid()}"
        parts = urllib.parse.urlsplit(server)
        self.owner_url = urllib.parse.urlunsplit(parts._replace(path="/" + self.database))
        self.work = tempfile.mkdtemp(prefix="hearth-browser-")
        self.daemon = None
        self.base_url = None

    # -- processes -----------------------------------------------------------------------

    def start(self):
        self._psql(self.server_url, f"CREATE DATABASE {self.database}")
        self.ctl("migrate")
        password = secrets.token_hex(16)
        self._psql(self.owner_url, f"ALTER ROLE hearth_daemon PASSWORD '{password}'")
        parts = urllib.parse.urlsplit(self.owner_url)
        netloc = f"hearth_daemon:{password}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
        daemon_url = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = os.path.join(self.work, "hearthd.log")
        env = dict(os.environ, HEARTH_DATABASE_URL=daemon_url)
        with open(self.log_path, "wb") as log:
            self.daemon = subprocess.Popen(
                [os.path.join(self.bin_dir, "hearthd"), "--port", str(port), "--log-level", "warning"],
                env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        wait_until("hearthd to answer /ready", self._ready, timeout=60)

    def _ready(self):
        if self.daemon.poll() is not None:
            raise AssertionError(f"hearthd exited with {self.daemon.returncode}:\n{self.log_tail()}")
        try:
            with urllib.request.urlopen(self.base_url + "/ready", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, OSError):
            return False

    def stop(self):
        if self.daemon and self.daemon.poll() is None:
            self.daemon.send_signal(signal.SIGTERM)
            try:
                self.daemon.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
        try:
            self._psql(self.server_url, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
        finally:
            shutil.rmtree(self.work, ignore_errors=True)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as log:
                return "".join(log.readlines()[-lines:])
        except OSError:
            return "(no hearthd log)"

    def _psql(self, url, sql):
        subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       check=True, capture_output=True, timeout=60)

    def _run(self, program, args, stdin=None):
        env = dict(os.environ, HEARTH_DATABASE_URL=self.owner_url)
        done = subprocess.run([os.path.join(self.bin_dir, program), *args], env=env, input=stdin,
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0:
            raise CommandFailed(f"{program} {' '.join(args)} exited {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    def ctl(self, *args, stdin=None):
        """Runs hearthctl as the schema's owner; returns its standard output."""
        return self._run("hearthctl", args, stdin)

    def settle(self, *args):
        return self._run("hearth-settle", args)

    # -- fixtures ------------------------------------------------------------------------

    def add_authority(self, code, name, lat, lon):
        self.ctl("authority", "add", "--code", code, "--name", name, "--lat", str(lat), "--lon", str(lon))

    def add_user(self, email, authority, role, name, password):
        self.ctl("user", "add", "--email", email, "--authority", authority, "--role", role,
                 "--name", name, "--password-stdin", stdin=password + "\n")

    def issue_key(self, authority, role):
        return self.ctl("key", "issue", "--authority", authority, "--role", role).strip().splitlines()[-1]

    def status(self):
        return json.loads(self.ctl("status", "--json"))

    def api(self, path, key):
        """GET on the REST API with a key: (status, body bytes)."""
        request = urllib.request.Request(self.base_url + path, headers={"Authorization": f"Bearer {key}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


class PageAudit:
    """axe-core on every page visited (two engines), and the per-page summary."""

    ENGINES = (
        ("axe-core 3.1.1 (axe-selenium-python 2.1.6)",
         open(axe_selenium_python.axe._DEFAULT_SCRIPT, encoding="utf-8").read()),
        ("axe-core 4.4.3 (axe-core-python 0.1.0)", axe_core_python.base.AXE_SCRIPT),
    )

    def __init__(self):
        self.pages = {}  # key → {"url", "counts", "blocking": [...]}

    def run(self, driver, key, url):
        if key in self.pages:
            return
        counts, blocking = {}, []
        for engine, script in self.ENGINES:
            driver.execute_script(script)
            results = driver.execute_async_script(
                "var done = arguments[arguments.length - 1];"
                "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(r.violations); },"
                " function (e) { done({error: String(e)}); });")
            if isinstance(results, dict):
                raise AssertionError(f"{engine} failed on {url}: {results['error']}")
            for violation in results:
                impact = violation.get("impact") or "unknown"
                counts[impact] = counts.get(impact, 0) + 1
                if impact in ("serious", "critical"):
                    targets = ", ".join(t for node in violation["nodes"][:3] for t in node["target"])
                    blocking.append(f"{impact}: {violation['id']} ({violation['help']}) at {targets} [{engine}]")
        self.pages[key] = {"url": url, "counts": counts, "blocking": blocking}

    def summary(self):
        lines = []
        for key, page in self.pages.items():
            counts = ", ".join(f"{n} {impact}" for impact, n in sorted(page["counts"].items())) or "no violations"
            lines.append(f"  {key}: {counts}")
            lines.extend(f"      {b}" for b in page["blocking"])
        return "\n".join(lines)

    def blocking(self):
        return [f"{key}: {b}" for key, page in self.pages.items() for b in page["blocking"]]


def xpath_literal(text):
    if "'" not in text:
        return f"'{text}'"
    return "concat('" + text.replace("'", "', \"'\", '") + "')"


class Browser:
    """One headless Chromium. Every navigation goes through `open`, `press` or `submit_form`,
    which wait for the new document, return its HTTP status, audit it and check it."""

    def __init__(self, base_url, audit):
        self.base_url = base_url
        self.audit = audit
        self.problems = []  # page checks that failed (e.g. a signed-in page without Sign out)
        self.signed_in_as = None
        self.screenshots = os.environ.get("HEARTH_SCREENSHOTS") == "1"
        options = webdriver.ChromeOptions()
        options.binary_location = os.environ.get("HEARTH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                         "--window-size=1280,1000", "--lang=en-GB", "--no-first-run",
                         "--disable-extensions", "--disable-background-networking"):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        driver_path = os.environ.get("HEARTH_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
        self.driver = webdriver.Chrome(options=options, service=Service(driver_path))
        self.driver.set_script_timeout(60)
        self.driver.set_page_load_timeout(60)

    def quit(self):
        self.driver.quit()

    # -- navigation ----------------------------------------------------------------------

    @property
    def path(self):
        return urllib.parse.urlsplit(self.driver.current_url).path

    def _drain(self):
        self.driver.get_log("performance")

    def _document_status(self):
        status = None
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.responseReceived" and message["params"].get("type") == "Document":
                status = message["params"]["response"]["status"]
                self.mime_type = message["params"]["response"].get("mimeType", "")
        return status

    def _mark(self):
        """Marks the current document, so that `_landed` can tell when a new one replaced it."""
        self.driver.execute_script("window.hearthOldDocument = true;")
        return True

    def _new_document_ready(self, driver, marked):
        try:
            return driver.execute_script(
                "return document.readyState === 'complete' && !(arguments[0] && window.hearthOldDocument);", marked)
        except WebDriverException:  # the old document went away mid-call
            return False

    def _landed(self, marked):
        WebDriverWait(self.driver, WAIT).until(lambda d: self._new_document_ready(d, marked))
        status = self._document_status()
        self.status = status
        self._check_page(status)
        return status

    def open(self, path):
        """Loads a path; returns the HTTP status of the document it ends on."""
        self._drain()
        self.driver.get(self.base_url + path)
        return self._landed(False)

    def button(self, label):
        """The button (or link styled as one) whose visible text is exactly `label`."""
        found = self.buttons(label)
        if not found:
            raise AssertionError(f"no button labelled {label!r} on {self.path}")
        return found[0]

    def buttons(self, label):
        q = xpath_literal(label)
        return self.driver.find_elements(
            By.XPATH,
            f"//button[normalize-space(.)={q}] | //input[(@type='submit' or @type='button') and @value={q}]"
            f" | //a[normalize-space(.)={q}]")

    def press(self, label):
        """Presses the button labelled `label`; returns the status of the page it leads to."""
        element = self.button(label)
        old = self._mark()
        self._drain()
        self._click(element)
        return self._landed(old)

    def _click(self, element):
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        try:
            element.click()
        except (ElementClickInterceptedException, ElementNotInteractableException):
            self.driver.execute_script("arguments[0].click();", element)

    def post(self, action, fields):
        """Submits a form the page did not offer (a forged or replayed request) from this
        browser, with its cookies; returns the status."""
        old = self._mark()
        self._drain()
        self.driver.execute_script(
            "var f = document.createElement('form'), values = arguments[1]; f.method = 'post';"
            "f.action = arguments[0];"
            "Object.keys(values).forEach(function (k) { var i = document.createElement('input');"
            " i.type = 'hidden'; i.name = k; i.value = values[k]; f.appendChild(i); });"
            "document.body.appendChild(f); HTMLFormElement.prototype.submit.call(f);",
            action, fields)
        return self._landed(old)

    # -- fields --------------------------------------------------------------------------

    def fields(self, name):
        return self.driver.find_elements(By.NAME, name)

    def field(self, name):
        found = self.fields(name)
        if not found:
            raise AssertionError(f"no field named {name!r} on {self.path}")
        return found[0]

    def fill(self, name, value, paste=False):
        """Types into a text field, picks an option of a select, or sets a date field;
        `paste` sets a long text at once instead of typing it key by key."""
        element = self.field(name)
        kind = (element.get_attribute("type") or "").lower()
        if element.tag_name == "select":
            select = Select(element)
            try:
                select.select_by_value(value)
            except Exception:
                select.select_by_visible_text(value)
        elif kind in ("checkbox", "radio"):
            self.choose(name, [value])
        elif kind in ("date", "month") or paste:
            self.driver.execute_script(
                "arguments[0].value = arguments[1];"
                "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", element, value)
        else:
            element.clear()
            element.send_keys(value)

    def choose(self, name, values):
        """Ticks exactly `values` among the checkboxes (or the radio) named `name`."""
        boxes = self.fields(name)
        if not boxes:
            raise AssertionError(f"no checkboxes or radios named {name!r} on {self.path}")
        known = {box.get_attribute("value") for box in boxes}
        missing = [v for v in values if v not in known]
        if missing:
            raise AssertionError(f"{name!r} on {self.path} has no option {missing} (options: {sorted(known)})")
        for box in boxes:
            wanted = box.get_attribute("value") in values
            if box.is_selected() != wanted and (wanted or box.get_attribute("type") == "checkbox"):
                self._click(box)

    def choose_yes(self, name):
        """Picks the 'yes' option of a yes/no radio (value yes, true, 1 or on)."""
        for box in self.fields(name):
            if (box.get_attribute("value") or "").lower() in ("yes", "true", "1", "on"):
                if not box.is_selected():
                    self._click(box)
                return
        raise AssertionError(f"no yes option for {name!r} on {self.path}")

    def value(self, name):
        element = self.field(name)
        if element.tag_name == "select":
            return Select(element).first_selected_option.get_attribute("value")
        return element.get_attribute("value")

    def checked(self, name):
        return sorted(box.get_attribute("value") for box in self.fields(name) if box.is_selected())

    def has_field(self, name):
        return bool(self.fields(name))

    def hidden_fields(self, form=None):
        scope = form or self.driver
        return {e.get_attribute("name"): e.get_attribute("value")
                for e in scope.find_elements(By.CSS_SELECTOR, "input[type=hidden][name]")}

    def csrf_fields(self, form=None):
        """The hidden fields of a form that look like its CSRF token."""
        return {k: v for k, v in self.hidden_fields(form).items() if re.search(r"csrf|token", k, re.I)}

    def form_of(self, label):
        return self.button(label).find_element(By.XPATH, "./ancestor::form[1]")

    # -- what the page says ----------------------------------------------------------------

    @property
    def text(self):
        return self.driver.find_element(By.TAG_NAME, "body").text

    @property
    def heading(self):
        found = self.driver.find_elements(By.TAG_NAME, "h1")
        return found[0].text.strip() if found else ""

    def error_summary(self):
        """{field name or id: message} for each link of the "There is a problem" summary;
        fails when there is no summary or a link points at nothing."""
        headings = self.driver.find_elements(By.XPATH, "//*[normalize-space(text())='There is a problem']")
        if not headings:
            raise AssertionError(f"no 'There is a problem' error summary on {self.path} (status {self.status})")
        box = headings[0].find_element(By.XPATH, "./ancestor::*[.//a[starts-with(@href, '#')]][1]")
        linked = {}
        for link in box.find_elements(By.CSS_SELECTOR, "a[href^='#']"):
            target_id = link.get_attribute("href").split("#", 1)[1]
            targets = self.driver.find_elements(By.ID, target_id)
            if not targets:
                raise AssertionError(f"error summary link #{target_id} on {self.path} points at no element")
            target = targets[0]
            names = [target.get_attribute("name")] if target.get_attribute("name") else [
                e.get_attribute("name") for e in target.find_elements(By.CSS_SELECTOR, "[name]")]
            for name in names or [target_id]:
                linked[name] = link.text.strip()
        return linked

    def has_no_injected_script(self, marker):
        return not self.driver.find_elements(By.XPATH, f"//script[contains(., {xpath_literal(marker)})]")

    def links(self, pattern):
        """hrefs of the links on the page whose path matches the regular expression."""
        found = []
        for a in self.driver.find_elements(By.CSS_SELECTOR, "a[href]"):
            href = urllib.parse.urlsplit(a.get_attribute("href")).path
            if re.fullmatch(pattern, href) and href not in found:
                found.append(href)
        return found

    # -- page checks -----------------------------------------------------------------------

    def _check_page(self, status):
        path = self.path
        template = UUID.sub("{id}", path)
        key = f"{template} [{status}] {self.signed_in_as or 'signed out'}"
        if getattr(self, "mime_type", "text/html") != "text/html":
            return
        self.audit.run(self.driver, key, self.driver.current_url)
        if self.signed_in_as and self.path != "/login" and not self.buttons("Sign out"):
            self.problems.append(f"{key}: no 'Sign out' button on a signed-in page")

    # -- sessions --------------------------------------------------------------------------

    def sign_in(self, person):
        status = self.open("/login")
        assert status == 200, f"GET /login answered {status}"
        self.fill("email", person.email)
        self.fill("password", person.password)
        self.signed_in_as = person.role
        status = self.press("Sign in")
        if status != 200 or self.path == "/login":
            self.signed_in_as = None
            self.driver.delete_all_cookies()  # leave no half-made session to later steps
            raise AssertionError(f"{person.email} could not sign in: status {status} on {self.path}: {self.text[:300]}")
        return status

    def sign_out(self):
        if not self.buttons("Sign out"):  # an error page may have none: home has one
            self.open("/")
        if not self.buttons("Sign out"):
            self.problems.append(f"{self.path} [{self.status}]: no Sign out to end the session; cookies deleted")
            self.signed_in_as = None
            self.driver.delete_all_cookies()
            return None
        self.signed_in_as = None
        return self.press("Sign out")

    def cookie_header(self):
        return "; ".join(f"{c['name']}={c['value']}" for c in self.driver.get_cookies())

    def fetch(self, path):
        """GET with this browser's cookies, outside the browser: (status, headers, body)."""
        request = urllib.request.Request(urllib.parse.urljoin(self.base_url, path),
                                         headers={"Cookie": self.cookie_header()})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def screenshot(self, name):
        """Saves Docs/screenshots/NAME.png of the whole page when HEARTH_SCREENSHOTS=1."""
        if not self.screenshots:
            return
        os.makedirs(SCREENSHOTS, exist_ok=True)
        height = self.driver.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);")
        self.driver.set_window_size(1280, min(max(int(height) + 140, 700), 2400))
        try:
            self.driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();")
            self.driver.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))
        finally:
            self.driver.set_window_size(1280, 1000)


class Person:
    def __init__(self, email, authority, role, name):
        self.email, self.authority, self.role, self.name = email, authority, role, name
        self.password = "correct-horse-" + secrets.token_hex(6)
