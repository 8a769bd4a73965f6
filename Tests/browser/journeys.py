"""Each role's journey through the web app in a real browser, on a real hearthd and
PostgreSQL, by INTERFACE.md's field names and button labels. The steps share one exchange and
run in order (run.py loads them so): a step that needs an earlier one's result says which.
"""

import datetime
import json
import re
import unittest
import urllib.error
import urllib.parse
import urllib.request

from harness import UUID, Browser, Exchange, PageAudit, Person, today, wait_until

A = ("E06000036", "Bracknell Forest", 51.4142, -0.7531)
B = ("E06000038", "Reading", 51.4528, -0.9736)
C = ("E06000041", "Wokingham", 51.4118, -0.8390)

XSS_CHILD_REF = "<script>window.hearthXss = 1</script>BF-bad"
XSS_SUMMARY = "<script>window.hearthXss = 2</script> She wants to stay at her school & keep her cat."

PEOPLE = {
    "officer_a": Person("ann.officer@bracknell.example", A[0], "placement", "Ann Officer"),
    "scrutiny_a": Person("sam.scrutiny@bracknell.example", A[0], "scrutiny", "Sam Scrutiny"),
    "finance_a": Person("fay.finance@bracknell.example", A[0], "finance", "Fay Finance"),
    "operator": Person("olu.operator@bracknell.example", A[0], "operator", "Olu Operator"),
    "officer_b": Person("ben.officer@reading.example", B[0], "placement", "Ben Officer"),
    "officer_c": Person("cat.officer@wokingham.example", C[0], "placement", "Cat Officer"),
}

BID_1 = {  # an urgent child of A, by postcode: only OFFER_1 supports her need
    "child_ref": "BF-2026-014", "age": "12", "sex": "female", "needs": ["emotional_behavioural"],
    "settings_acceptable": ["foster"], "urgency": "urgent", "max_distance_km": "40", "postcode": "RG12 7AA",
}
BID_2 = {  # a planned child of A, by postcode district: either offer suits him
    "child_ref": "BF-2026-015", "age": "9", "sex": "male", "needs": [],
    "settings_acceptable": ["foster"], "urgency": "planned", "max_distance_km": "40", "postcode": "RG12",
}
OFFER_1 = {
    "setting": "foster", "capacity": "1", "needs_supported": ["emotional_behavioural", "autism"],
    "age_min": "8", "age_max": "16", "sexes_accepted": ["female", "male"], "postcode": "RG1 1AA",
    "weekly_rate": "950",
}
OFFER_2 = {
    "setting": "foster", "capacity": "1", "needs_supported": [], "age_min": "5", "age_max": "12",
    "sexes_accepted": ["female", "male"], "postcode": "RG30", "weekly_rate": "800",
}


class World:
    """What the steps share: the exchange, the browser, and what earlier steps made."""

    exchange = None
    browser = None
    audit = PageAudit()
    made = {}

    @classmethod
    def need(cls, *names):
        missing = [n for n in names if n not in cls.made]
        if missing:
            raise AssertionError(f"needs {', '.join(missing)} from an earlier step, which failed")
        return [cls.made[n] for n in names]


def set_up():
    exchange = Exchange()
    World.exchange = exchange
    exchange.start()
    for code, name, lat, lon in (A, B, C):
        exchange.add_authority(code, name, lat, lon)
    for person in PEOPLE.values():
        exchange.add_user(person.email, person.authority, person.role, person.name, person.password)
    World.keys = {
        "placement_a": exchange.issue_key(A[0], "placement"),
        "finance_a": exchange.issue_key(A[0], "finance"),
    }
    World.browser = Browser(exchange.base_url, World.audit)


def tear_down():
    if World.browser:
        World.browser.quit()
    if World.exchange:
        World.exchange.stop()


def fill_form(browser, values):
    for name, value in values.items():
        if isinstance(value, list):
            browser.choose(name, value)
        elif name == "weekly_rate" and not browser.has_field("weekly_rate"):
            browser.fill("weekly_rate_pence", str(int(value) * 100))
        else:
            browser.fill(name, value)


def signed_in(person_key):
    """Signs the browser in as one of PEOPLE (signing out whoever was signed in)."""
    browser = World.browser
    person = PEOPLE[person_key]
    if browser.signed_in_as is not None:
        browser.sign_out()
    browser.sign_in(person)
    browser.person = person_key
    return browser


class Journeys(unittest.TestCase):
    maxDiff = None

    @property
    def browser(self):
        return World.browser

    def assert_status(self, status, expected, doing):
        self.assertEqual(status, expected, f"{doing}: status {status} on {self.browser.path}:\n{self.browser.text[:600]}")

    def assert_form_error(self, status, fields, doing):
        """A form with mistakes: 422, "There is a problem" linking to each of `fields`."""
        self.assert_status(status, 422, doing)
        linked = self.browser.error_summary()
        for field in fields:
            self.assertIn(field, linked, f"{doing}: the error summary does not link to {field!r} (it links to {linked})")

    # -- signing in ----------------------------------------------------------------------

    def test_01_sign_in_refuses_wrong_details(self):
        browser = self.browser
        status = browser.open("/login")
        self.assert_status(status, 200, "GET /login")
        browser.screenshot("login")
        for email, password in ((PEOPLE["officer_c"].email, "not-the-password"), ("nobody@nowhere.example", "x" * 12)):
            browser.open("/login")
            browser.fill("email", email)
            browser.fill("password", password)
            status = browser.press("Sign in")
            self.assert_status(status, 401, f"signing in as {email} with a wrong password")
            self.assertIn("Enter a correct email address and password", browser.text)
            self.assertEqual(browser.value("email"), email, "the email typed is kept")
            self.assertFalse(browser.buttons("Sign out"), "a refused sign-in shows no Sign out")
        status = browser.open("/bids")
        self.assertTrue(browser.path == "/login" or status in (401, 403),
                        f"a signed-out visit to /bids ends on {browser.path} with {status}")

    # -- placement: bids and offers --------------------------------------------------------

    def test_02_officer_of_A_posts_bids_by_postcode(self):
        browser = signed_in("officer_a")
        self.assert_status(browser.open("/bids/new"), 200, "GET /bids/new")
        bad = dict(BID_1, child_ref=XSS_CHILD_REF, age="99", postcode="ZZ99 9ZZ")
        fill_form(browser, bad)
        browser.fill("needed_by", today().isoformat())
        status = browser.press("Post bid")
        self.assert_form_error(status, ["age", "postcode"], "a bid with age 99 and an unknown postcode")
        self.assertEqual(browser.value("child_ref"), XSS_CHILD_REF, "the child_ref typed is kept, as typed")
        self.assertEqual(browser.value("postcode"), "ZZ99 9ZZ", "the postcode typed is kept")
        self.assertEqual(browser.checked("needs"), ["emotional_behavioural"], "the needs ticked stay ticked")
        self.assertTrue(browser.has_no_injected_script("hearthXss"), "a <script> typed into child_ref ran as markup")
        for key, bid in (("bid_1", BID_1), ("bid_2", BID_2)):
            browser.open("/bids/new")
            fill_form(browser, bid)
            browser.fill("needed_by", today().isoformat())
            status = browser.press("Post bid")
            self.assert_status(status, 200, f"posting {bid['child_ref']}")
            match = UUID.search(browser.path)
            if not match:
                browser.open("/bids")
                match = UUID.search(" ".join(h for h in browser.links(r"/bids/" + UUID.pattern)
                                             if bid["child_ref"] in browser.text))
            self.assertTrue(match, f"no page for the new bid {bid['child_ref']} after Post bid")
            World.made[key] = match.group(0)
        browser.open("/bids")
        for bid in (BID_1, BID_2):
            self.assertIn(bid["child_ref"], browser.text, "the bids page lists the authority's bids")

    def test_03_officer_of_B_posts_offers(self):
        browser = signed_in("officer_b")
        self.assert_status(browser.open("/offers/new"), 200, "GET /offers/new")
        fill_form(browser, dict(OFFER_1, capacity="0", postcode="ZZ99 9ZZ"))
        browser.fill("available_from", today().isoformat())
        status = browser.press("Post offer")
        self.assert_form_error(status, ["capacity", "postcode"], "an offer with capacity 0 and an unknown postcode")
        self.assertEqual(browser.value("capacity"), "0", "the capacity typed is kept")
        self.assertEqual(browser.value("postcode"), "ZZ99 9ZZ", "the postcode typed is kept")
        self.assertEqual(browser.checked("needs_supported"), sorted(OFFER_1["needs_supported"]))
        for key, offer in (("offer_1", OFFER_1), ("offer_2", OFFER_2)):
            browser.open("/offers/new")
            fill_form(browser, offer)
            browser.fill("available_from", today().isoformat())
            status = browser.press("Post offer")
            self.assert_status(status, 200, f"posting an offer at {offer['postcode']}")
            match = UUID.search(browser.path)
            self.assertTrue(match, f"Post offer did not lead to the offer's page (it led to {browser.path})")
            World.made[key] = match.group(0)
        self.assert_status(browser.open("/offers"), 200, "GET /offers (the market)")
        self.assertTrue(browser.driver.find_elements("css selector", "svg"), "the market shows an SVG map")
        for key in ("offer_1", "offer_2"):
            self.assertIn(f"/offers/{World.made[key]}", browser.links(r"/offers/" + UUID.pattern),
                          "the market links to each open offer")
        browser.screenshot("market")

    def test_04_bid_page_explains_its_options(self):
        bid_1, offer_1, offer_2 = World.need("bid_1", "offer_1", "offer_2")
        browser = signed_in("officer_a")
        self.assert_status(browser.open(f"/bids/{bid_1}"), 200, "A's own bid page")
        text = browser.text
        self.assertIn(BID_1["child_ref"], text)
        self.assertTrue(B[1] in text or B[0] in text, "the explanation names the host of the compatible offer")
        self.assertTrue(re.search(r"need", text, re.I), "the explanation says which rule the other offer fails (a need)")
        browser.screenshot("bid")

    def test_05_other_authorities_cannot_see_As_bid(self):
        bid_1, = World.need("bid_1")
        for person in ("officer_b", "officer_c"):
            browser = signed_in(person)
            self.assert_status(browser.open(f"/bids/{bid_1}"), 404, f"{person} opening A's bid")
            self.assertNotIn(BID_1["child_ref"], browser.text)
        self.assert_status(browser.open("/bids/00000000-0000-0000-0000-000000000000"), 404, "a bid that does not exist")
        self.assert_status(browser.open("/bids/not-a-uuid"), 404, "a bid id that is not a UUID")

    def test_06_forms_refuse_missing_and_replayed_csrf_tokens(self):
        browser = signed_in("officer_a")
        browser.open("/bids/new")
        old_tokens = browser.csrf_fields(browser.form_of("Post bid"))
        self.assertTrue(old_tokens, "the Post bid form carries a CSRF token (a hidden field named like csrf/token)")
        before = World.exchange.status()["open_bids"]
        browser = signed_in("officer_a")  # a new session
        probe = dict(BID_2, child_ref="BF-CSRF-1")
        for case in ("replayed", "missing"):
            browser.open("/bids/new")
            fill_form(browser, probe)
            browser.fill("needed_by", today().isoformat())
            form = browser.form_of("Post bid")
            for name in browser.csrf_fields(form):
                if case == "replayed":
                    browser.driver.execute_script(
                        "arguments[0].querySelector('[name=\"' + arguments[1] + '\"]').value = arguments[2];",
                        form, name, old_tokens.get(name, ""))
                else:
                    browser.driver.execute_script(
                        "arguments[0].querySelector('[name=\"' + arguments[1] + '\"]').remove();", form, name)
            status = browser.press("Post bid")
            self.assertTrue(status in (400, 403, 419), f"a {case} CSRF token: status {status} (want 400/403)")
        self.assertEqual(World.exchange.status()["open_bids"], before, "a refused form changed nothing")
        browser.open("/bids")
        self.assertNotIn("BF-CSRF-1", browser.text)

    # -- a round, the proposal and its decisions ------------------------------------------

    def test_07_operator_runs_a_round(self):
        World.need("bid_1", "bid_2", "offer_1", "offer_2")
        exchange = World.exchange
        before = exchange.status()["last_round"]
        refused = None
        try:
            browser = signed_in("operator")
            self.assert_status(browser.open("/operator"), 200, "GET /operator")
            self.assert_status(browser.press("Run a round now"), 200, "Run a round now")
            wait_until("a new round in hearthctl status --json",
                       lambda: (exchange.status()["last_round"] or None) not in (None, before))
        except AssertionError as error:  # go on with hearthctl, so the later steps still run
            refused = error
            exchange.ctl("round", "run")

        def proposals():
            status, body = exchange.api("/v1/proposals", World.keys["placement_a"])
            items = json.loads(body)["items"] if status == 200 else []
            return {p["bid_id"]: p["id"] for p in items if p["status"] == "proposed"}
        found = wait_until("proposals for both of A's bids", lambda: len(proposals()) >= 2 and proposals())
        World.made["proposal_1"] = found[World.made["bid_1"]]
        World.made["proposal_2"] = found[World.made["bid_2"]]
        browser = signed_in("officer_a")
        self.assert_status(browser.open("/proposals"), 200, "GET /proposals")
        listed = browser.links(r"/proposals/" + UUID.pattern)
        for key in ("proposal_1", "proposal_2"):
            self.assertIn(f"/proposals/{World.made[key]}", listed, "the inbox links to each proposal")
        if refused:
            raise AssertionError(f"the operator's Run a round now failed (the round ran by hearthctl instead): {refused}")

    def test_08_officer_of_A_accepts_with_the_childs_views(self):
        proposal, other, bid_1, offer_1 = World.need("proposal_1", "proposal_2", "bid_1", "offer_1")
        # The second child's proposal lists the API's options in plain words. Which options it
        # has depends on which rounds the daemon ran while the offers were being posted (OFFER_1
        # is an option only if it was free in the round that proposed OFFER_2 to him), so the
        # page is checked against the API, whatever the API says.
        status, body = World.exchange.api(f"/v1/proposals/{other}", World.keys["placement_a"])
        options = json.loads(body)["options"]
        self.assertTrue(all(o["offer_id"] == offer_1 for o in options), f"the only other place for him is OFFER_1: {options}")
        browser = signed_in("officer_b")
        self.assert_status(browser.open(f"/proposals/{other}"), 200, "the host's view of A's second proposal")
        self.assertNotIn("Other places this child could have had", browser.text, "the host side sees the options")
        browser = signed_in("officer_a")
        self.assert_status(browser.open(f"/proposals/{other}"), 200, "A's second proposal")
        text = browser.text
        self.assertIn("Other places this child could have had", text)
        words = {"none": "No effect on other children", "fewer_placed": "1 fewer urgent child would be placed",
                 "fewer_preferred": "would get their", "extra_distance": "further in total",
                 "not_evaluated": "Not worked out in this round"}
        for option in options:
            self.assertIn(words[option["effect"]["kind"]], text, f"the effect of {option} in plain words")
            self.assertTrue(B[1] in text and "£950.00" in text and "miles" in text,
                            "the option names its host, its weekly rate and its distance in miles")
        if not options:
            self.assertIn("No other place fitted this child in this round", text)
        self.assert_status(browser.open(f"/proposals/{proposal}"), 200, "A's proposal page")
        self.assertIn(BID_1["child_ref"], browser.text)
        self.assertIn("No other place fitted this child in this round", browser.text)
        browser.fill("ranking", offer_1)
        status = browser.press("Accept")
        self.assert_form_error(status, ["consulted"], "Accept without saying whether the child was consulted")
        self.assertEqual(browser.value("ranking"), offer_1, "the child's 1st choice chosen is kept")
        browser.open(f"/proposals/{proposal}")
        browser.choose_yes("consulted")
        browser.fill("summary", "She wants to stay at her school and keep seeing her gran on Sundays.")
        browser.fill("ranking", offer_1)  # her 1st choice is the proposed place: the proposal is accepted
        browser.screenshot("proposal-accept")
        browser.fill("summary", XSS_SUMMARY)
        self.assert_status(browser.press("Accept"), 200, "Accept with the child's views and ranking")
        self.assertTrue(browser.has_no_injected_script("hearthXss"), "the child's views ran as markup")
        self.assert_api_status(proposal, "accepted")
        status, body = World.exchange.api(f"/v1/bids/{bid_1}/preferences", World.keys["placement_a"])
        self.assertEqual(status, 200, "the ranking was saved as PUT /v1/bids/{id}/preferences saves it")
        self.assertEqual(json.loads(body)["ranking"], [offer_1])
        self.assert_status(browser.open(f"/bids/{bid_1}"), 200, "A's bid page")
        self.assertIn("1st choice", browser.text, "the bid page shows the child's saved ranking")
        World.made["accepted"] = True

    def assert_api_status(self, proposal, expected):
        status, body = World.exchange.api(f"/v1/proposals/{proposal}", World.keys["placement_a"])
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["status"], expected)

    def test_09_the_accepting_officer_cannot_sign_off(self):
        proposal, _ = World.need("proposal_1", "accepted")
        browser = signed_in("scrutiny_a")
        self.assert_status(browser.open("/proposals"), 200, "the scrutiny sign-off queue")
        self.assertIn(f"/proposals/{proposal}", browser.links(r"/proposals/" + UUID.pattern),
                      "the sign-off queue lists the accepted proposal")
        self.assert_status(browser.open(f"/proposals/{proposal}"), 200, "scrutiny's proposal page")
        text = browser.text
        self.assertIn(XSS_SUMMARY, text, "scrutiny sees the child's views, as written")
        self.assertTrue(browser.has_no_injected_script("hearthXss"))
        self.assertTrue(re.search(r"accept", text, re.I) and re.search(r"sign(ed)?[ -]off", text, re.I),
                        "the page explains the sign-off rule")
        action = browser.form_of("Sign off").get_attribute("action")
        form_fields = browser.hidden_fields(browser.form_of("Sign off"))
        browser = signed_in("officer_a")
        self.assert_status(browser.open(f"/proposals/{proposal}"), 200, "the accepting officer's proposal page")
        self.assertFalse(browser.buttons("Sign off"), "the accepting officer is offered Sign off")
        tokens = browser.csrf_fields(browser.form_of("Sign out"))
        status = browser.post(action, dict(form_fields, note="I accepted it myself", **tokens))
        self.assertTrue(status in (403, 404, 409, 422), f"the accepting officer's sign-off answered {status}")
        self.assert_api_status(proposal, "accepted")

    def test_10_scrutiny_of_A_signs_off(self):
        proposal, _ = World.need("proposal_1", "accepted")
        browser = signed_in("scrutiny_a")
        browser.open(f"/proposals/{proposal}")
        too_long = "x" * 4001
        browser.fill("note", too_long, paste=True)
        status = browser.press("Sign off")
        self.assert_form_error(status, ["note"], "a sign-off note of 4001 characters")
        self.assertEqual(browser.value("note"), too_long, "the note typed is kept")
        self.assert_api_status(proposal, "accepted")
        browser.open(f"/proposals/{proposal}")
        browser.fill("note", "Checked the match against the care plan. <b>bold?</b>")
        browser.screenshot("sign-off")
        self.assert_status(browser.press("Sign off"), 200, "Sign off")
        self.assert_api_status(proposal, "signed_off")
        World.made["signed_off"] = True

    def test_11_officer_of_B_confirms_with_a_start_date(self):
        proposal, _ = World.need("proposal_1", "signed_off")
        browser = signed_in("officer_b")
        self.assert_status(browser.open("/proposals"), 200, "B's proposals (as host)")
        self.assert_status(browser.open(f"/proposals/{proposal}"), 200, "B's view of the proposal")
        too_early = (today() - datetime.timedelta(days=30)).isoformat()
        browser.fill("start_date", too_early)
        status = browser.press("Confirm")
        self.assert_form_error(status, ["start_date"], "a start date before the proposal was made")
        self.assertEqual(browser.value("start_date"), too_early, "the start date typed is kept")
        browser.fill("start_date", today().isoformat())
        self.assert_status(browser.press("Confirm"), 200, "Confirm")
        self.assert_api_status(proposal, "confirmed")
        self.assert_status(browser.open("/placements"), 200, "GET /placements")
        placements = browser.links(r"/placements/" + UUID.pattern)
        self.assertTrue(placements, "the placements page links to the new placement")
        World.made["placement"] = placements[0].rsplit("/", 1)[1]

    def test_12_finance_of_A_downloads_the_statement(self):
        World.need("placement")
        exchange = World.exchange
        exchange.settle("run", "--through", today().isoformat())
        period = today().strftime("%Y-%m")
        browser = signed_in("finance_a")
        self.assert_status(browser.open("/statements"), 200, "GET /statements")
        self.assertIn(f"/statements/{period}", browser.links(r"/statements/[0-9]{4}-[0-9]{2}"),
                      "the statements page links to this month")
        self.assert_status(browser.open(f"/statements/{period}"), 200, "this month's statement")
        browser.screenshot("statement")
        download = browser.button("Download CSV")
        href = download.get_attribute("href") or download.find_element("xpath", "./ancestor::form[1]").get_attribute("action")
        status, headers, body = browser.fetch(href)
        self.assertEqual(status, 200, f"Download CSV ({href}) answered {status}")
        self.assertIn("text/csv", headers.get("Content-Type", ""))
        api_status, api_body = exchange.api(f"/v1/statements/{period}.csv", World.keys["finance_a"])
        self.assertEqual(api_status, 200)
        self.assertEqual(body, api_body, "the web's CSV is the API's CSV")
        self.assertGreater(body.count(b"\n"), 1, "the statement has the placement's nights")

    def test_13_operator_pauses_and_resumes_clearing(self):
        exchange = World.exchange
        browser = signed_in("operator")
        self.assert_status(browser.open("/operator"), 200, "GET /operator")
        self.assert_status(browser.press("Pause clearing"), 200, "Pause clearing")
        wait_until("paused: true in hearthctl status --json", lambda: exchange.status()["paused"] is True)
        self.assertTrue(browser.buttons("Resume clearing"), "a paused exchange offers Resume clearing")
        browser.screenshot("operator")
        self.assert_status(browser.press("Resume clearing"), 200, "Resume clearing")
        wait_until("paused: false in hearthctl status --json", lambda: exchange.status()["paused"] is False)

    def test_14_the_person_who_accepted_cannot_sign_off_and_decline_needs_a_reason(self):
        proposal, = World.need("proposal_2")
        browser = signed_in("officer_a")
        self.assert_status(browser.open(f"/proposals/{proposal}"), 200, "A's second proposal")
        status = browser.press("Decline")
        self.assert_form_error(status, ["reason"], "Decline without a reason")
        self.assert_api_status(proposal, "proposed")
        # The operator holds every role: the one person who could both accept and sign off.
        browser = signed_in("operator")
        self.assert_status(browser.open(f"/proposals/{proposal}"), 200, "the operator's view of the proposal")
        browser.choose_yes("consulted")
        browser.fill("summary", "He would like to be near his football club.")
        self.assert_status(browser.press("Accept"), 200, "the operator accepts")
        self.assert_api_status(proposal, "accepted")
        if browser.buttons("Sign off"):
            status = browser.press("Sign off")
            self.assertEqual(status, 403, f"the person who accepted signing off answered {status}")
        self.assertTrue(re.search(r"accepted.{0,80}cannot|cannot.{0,80}sign", browser.text, re.I | re.S),
                        f"the page explains that the person who accepted cannot sign off:\n{browser.text[:800]}")
        self.assert_api_status(proposal, "accepted")
        browser = signed_in("officer_a")
        browser.open(f"/proposals/{proposal}")
        browser.fill("reason", "His social worker wants him nearer his brother.")
        self.assert_status(browser.press("Decline"), 200, "Decline with a reason")
        self.assert_api_status(proposal, "declined")

    def test_15_a_placement_ends(self):
        placement, = World.need("placement")
        browser = signed_in("officer_c")
        self.assert_status(browser.open(f"/placements/{placement}"), 404, "another authority's placement")
        browser = signed_in("officer_a")
        self.assert_status(browser.open(f"/placements/{placement}"), 200, "A's placement")
        too_early = (today() - datetime.timedelta(days=30)).isoformat()
        browser.fill("end_date", too_early)
        status = browser.press("End placement")
        self.assert_form_error(status, ["end_date"], "an end date before the start")
        self.assertEqual(browser.value("end_date"), too_early)
        browser.fill("end_date", (today() + datetime.timedelta(days=7)).isoformat())
        self.assert_status(browser.press("End placement"), 200, "End placement")

    def test_16_sign_out_ends_the_session(self):
        browser = signed_in("officer_a")
        cookies = browser.cookie_header()
        browser.sign_out()
        status = browser.open("/bids")
        self.assertTrue(browser.path == "/login" or status in (401, 403), f"after Sign out /bids is {status} on {browser.path}")
        request = urllib.request.Request(World.exchange.base_url + "/bids", headers={"Cookie": cookies})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                self.assertEqual(urllib.parse.urlsplit(response.url).path, "/login", "the old session cookie still works")
        except urllib.error.HTTPError as error:
            self.assertIn(error.code, (401, 403))

    def test_17_officer_of_B_edits_and_withdraws_an_offer(self):
        offer, = World.need("offer_2")
        browser = signed_in("officer_b")
        self.assert_status(browser.open(f"/offers/{offer}"), 200, "B's own offer")
        browser.fill("capacity", "0")
        status = browser.press("Save changes")
        self.assert_form_error(status, ["capacity"], "editing an offer to capacity 0")
        self.assertEqual(browser.value("capacity"), "0")
        browser.open(f"/offers/{offer}")
        self.assert_status(browser.press("Withdraw"), 200, "Withdraw")
        browser.open("/offers")
        self.assertNotIn(f"/offers/{offer}", browser.links(r"/offers/" + UUID.pattern), "a withdrawn offer leaves the market")

    def test_18_insight_page_shows_the_region(self):
        browser = signed_in("officer_a")
        self.assert_status(browser.open("/insight"), 200, "the insight page")
        self.assertEqual(browser.heading, "Insight")
        text = browser.text
        for words in ("The region in figures", "Supply and demand by setting", "Unmet demand by what blocks it",
                      "Distance from home", "Forecast of children looked after"):
            self.assertIn(words, text)
        self.assertIn("hearthctl import ssda903", text, "with no SSDA903 history the page says how to import one")
        charts = browser.driver.execute_script(
            "return Array.from(document.querySelectorAll('svg.hearth-chart__svg')).map(function (svg) {"
            " var t = svg.querySelector('title'), d = svg.querySelector('desc');"
            " return [t ? t.textContent : '', d ? d.textContent : '', svg.getBoundingClientRect().width]; });")
        self.assertGreaterEqual(len(charts), 2, "the supply-and-demand and distance charts are drawn inline")
        for title, description, width in charts:
            self.assertTrue(title and description, f"a chart without a title or description: {title!r}")
            self.assertGreater(width, 0, f"the chart {title!r} is not drawn")
        self.assertEqual(browser.driver.execute_script("return document.querySelectorAll('[style]').length"), 0)
        signed_in("scrutiny_a")
        self.assert_status(browser.open("/insight"), 200, "the insight page for scrutiny")

    # -- every page visited ----------------------------------------------------------------

    def test_99_every_page_is_accessible_and_offers_sign_out(self):
        print("\naxe-core per page (impact counts; serious and critical fail):")
        print(World.audit.summary())
        problems = World.audit.blocking() + World.browser.problems
        self.assertEqual(problems, [], "\n".join(problems))

