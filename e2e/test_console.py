"""The web console in a real browser (headless Chromium through selenium): sign-in, sessions,
CSRF, pages whose actions are API calls recorded with sessionCredentialFromConsole."""

import csv
import io
import json
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import BINARY

ACCOUNT = "000000000000"
PASSWORD = "Console-Passw0rd!"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parent.parent / ".e2e-screenshots"


def make_browser(user_agent=None):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,1000"):
        options.add_argument(argument)
    if user_agent:
        options.add_argument(f"--user-agent={user_agent}")
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture
def browsers(request):
    """Starts browsers for the test; each is quit afterwards, with a screenshot if the test failed."""
    started = []

    def start(user_agent=None):
        browser = make_browser(user_agent)
        started.append(browser)
        return browser

    yield start
    failed = getattr(request.node, "report_call", None) is not None and request.node.report_call.failed
    for index, browser in enumerate(started):
        try:
            if failed:
                SCREENSHOTS.mkdir(exist_ok=True)
                browser.save_screenshot(str(SCREENSHOTS / f"{request.node.name}-{index}.png"))
        finally:
            browser.quit()


def root_password(srv):
    match = re.search(r"console root password for account \d{12} \(shown once.*?\): (\S+)", srv.output())
    assert match, srv.output()
    return match.group(1)


def user_with_profile(srv, name, policy_actions):
    iam = srv.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(
        UserName=name, PolicyName="console",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": policy_actions, "Resource": "*"}]}))
    iam.create_login_profile(UserName=name, Password=PASSWORD)


def page_loaded(browser):
    """Waits until the marked document is replaced by a fully loaded one (script calls made
    while the old one unloads may fail: they are retried)."""
    WebDriverWait(browser, 20, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script("return !window.__leaving && document.readyState === 'complete'"))


def click_and_load(browser, element):
    """Clicks a button or link that loads a page, and returns once the new page has replaced
    the old one (a click returns before the navigation ends)."""
    # The old document carries a mark; the new one, once loaded, does not.
    browser.execute_script("window.__leaving = true")
    element.click()
    page_loaded(browser)


def sign_in(browser, srv, username="", password=PASSWORD, account=ACCOUNT):
    browser.get(f"{srv.endpoint}/console/signin")
    browser.find_element(By.ID, "account").send_keys(account)
    if username:
        browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(password)
    click_and_load(browser, browser.find_element(By.ID, "signin"))


def events(srv, name):
    found = srv.client("cloudtrail").lookup_events(
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])["Events"]
    return [json.loads(event["CloudTrailEvent"]) for event in found]


def fetch(srv, browser, path, data=None):
    """A request with the browser's session cookie (for downloads and forged posts)."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in browser.get_cookies())
    request = urllib.request.Request(f"{srv.endpoint}{path}", data=data, headers={"Cookie": cookies})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_iam_user_creates_a_cluster_and_finds_its_console_event(fresh_server, browsers):
    srv = fresh_server()
    user_with_profile(srv, "alice", ["elasticache:*", "cloudtrail:LookupEvents"])
    browser = browsers()
    sign_in(browser, srv, "alice")
    assert browser.current_url.endswith("/console/elasticache")
    assert "alice @ 000000000000" in browser.find_element(By.ID, "identity").text

    browser.find_element(By.ID, "cluster-id").send_keys("web-1")
    Select(browser.find_element(By.ID, "engine")).select_by_value("memcached")
    browser.find_element(By.ID, "num-nodes").clear()
    browser.find_element(By.ID, "num-nodes").send_keys("2")
    click_and_load(browser, browser.find_element(By.ID, "create"))
    assert "Creating cache cluster web-1." in browser.find_element(By.ID, "flash").text
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-cluster='web-1']")
    assert row.find_element(By.CLASS_NAME, "status").text == "creating"

    srv.advance(900)
    browser.refresh()
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-cluster='web-1']")
    assert row.find_element(By.CLASS_NAME, "status").text == "available"
    assert "memcached" in row.text and len(row.find_elements(By.TAG_NAME, "code")) == 2

    # Event history finds the call, recorded as a console call of alice's session.
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "Event history"))
    Select(browser.find_element(By.ID, "attribute")).select_by_value("EventName")
    browser.find_element(By.ID, "value").send_keys("CreateCacheCluster")
    click_and_load(browser, browser.find_element(By.ID, "lookup-submit"))
    rows = browser.find_elements(By.CSS_SELECTOR, "tr.event[data-event-name='CreateCacheCluster']")
    assert len(rows) == 1
    record = json.loads(browser.find_element(By.CSS_SELECTOR, "pre.json").get_attribute("textContent"))
    assert record["sessionCredentialFromConsole"] == "true"
    assert record["userIdentity"]["type"] == "IAMUser"
    assert record["userIdentity"]["userName"] == "alice"
    assert record["userIdentity"]["accessKeyId"].startswith("ASIA")
    assert record["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"] == "false"
    assert record["userAgent"] == "signin.amazonaws.com"
    assert record["requestParameters"]["cacheClusterId"] == "web-1"

    # The sign-in itself: a ConsoleLogin Success in us-east-1.
    [login] = events(srv, "ConsoleLogin")
    assert login["eventSource"] == "signin.amazonaws.com" and login["eventType"] == "AwsConsoleSignIn"
    assert login["responseElements"] == {"ConsoleLogin": "Success"}
    assert login["additionalEventData"]["MFAUsed"] == "No"
    assert login["awsRegion"] == "us-east-1" and login["userIdentity"]["userName"] == "alice"
    assert login["userAgent"] == browser.execute_script("return navigator.userAgent")

    # A time range that ends before the call finds nothing.
    matching = browser.current_url
    browser.execute_script("arguments[0].value = '2020-01-01T00:00'", browser.find_element(By.ID, "end"))
    click_and_load(browser, browser.find_element(By.ID, "lookup-submit"))
    assert browser.find_element(By.ID, "no-events")
    browser.get(matching)

    # Downloads: the links' own URLs, parsed as CSV and JSON.
    csv_link = browser.find_element(By.ID, "download-csv").get_attribute("href")
    status, body = fetch(srv, browser, csv_link.removeprefix(srv.endpoint))
    assert status == 200
    rows = list(csv.DictReader(io.StringIO(body.decode())))
    assert [row["Event name"] for row in rows] == ["CreateCacheCluster"]
    assert rows[0]["User name"] == "alice" and rows[0]["Resource name"] == "web-1"
    json_link = browser.find_element(By.ID, "download-json").get_attribute("href")
    status, body = fetch(srv, browser, json_link.removeprefix(srv.endpoint))
    assert status == 200
    assert [r["eventName"] for r in json.loads(body)["Records"]] == ["CreateCacheCluster"]


def test_the_region_switcher_lists_another_regions_caches(fresh_server, browsers):
    srv = fresh_server()
    srv.client("elasticache", region="us-west-2").create_cache_cluster(
        CacheClusterId="west", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1)
    browser = browsers()
    sign_in(browser, srv, password=root_password(srv))
    assert browser.find_element(By.ID, "no-clusters").text == "No cache clusters in us-east-1."
    browser.execute_script("window.__leaving = true")
    Select(browser.find_element(By.ID, "region-select")).select_by_value("us-west-2")  # submits by script
    page_loaded(browser)
    assert browser.find_element(By.CSS_SELECTOR, "tr[data-cluster='west']")
    # The session keeps the region: the next page without ?region= stays there.
    browser.get(f"{srv.endpoint}/console/elasticache")
    assert browser.find_element(By.CSS_SELECTOR, "tr[data-cluster='west']")


def test_a_wrong_password_shows_an_error_and_records_a_failure(fresh_server, browsers):
    srv = fresh_server()
    user_with_profile(srv, "alice", ["elasticache:Describe*"])
    browser = browsers()
    sign_in(browser, srv, "alice", password="Wrong-Passw0rd!")
    assert "incorrect" in browser.find_element(By.ID, "signin-error").text
    assert browser.get_cookie("ct_console") is None
    sign_in(browser, srv, "nobody", password="Wrong-Passw0rd!")
    failures = events(srv, "ConsoleLogin")
    assert len(failures) == 2
    by_user = {f["userIdentity"]["userName"]: f for f in failures}
    assert set(by_user) == {"alice", "HIDDEN_DUE_TO_SECURITY_REASONS"}
    for failure in failures:
        assert failure["errorMessage"] == "Failed authentication"
        assert failure["responseElements"] == {"ConsoleLogin": "Failure"}
        assert failure["userIdentity"]["accessKeyId"] == ""


def test_account_password_beside_the_running_server_replaces_the_root_password(fresh_server, browsers):
    """`cachetrail account password` on the data directory of a running server: the password it
    prints signs root in, and the one the server printed at its start no longer does."""
    srv = fresh_server()
    first = root_password(srv)
    printed = subprocess.run(
        [str(BINARY), "account", "password", "--data-dir", str(srv.data_dir)],
        capture_output=True, text=True, timeout=60, check=True).stdout
    match = re.search(rf"console root password for account {ACCOUNT} \(shown once\): (\S+)", printed)
    assert match, printed
    assert match.group(1) != first
    browser = browsers()
    sign_in(browser, srv, password=first)
    assert "incorrect" in browser.find_element(By.ID, "signin-error").text
    assert browser.get_cookie("ct_console") is None
    sign_in(browser, srv, password=match.group(1))
    assert browser.get_cookie("ct_console") is not None


def test_a_user_without_permission_sees_access_denied_and_the_call_is_recorded(fresh_server, browsers):
    srv = fresh_server()
    srv.client("elasticache").create_cache_cluster(
        CacheClusterId="keep", Engine="memcached", CacheNodeType="cache.t4g.micro", NumCacheNodes=1)
    user_with_profile(srv, "bob", ["elasticache:Describe*"])
    browser = browsers()
    sign_in(browser, srv, "bob")
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-cluster='keep']")
    click_and_load(browser, row.find_element(By.CLASS_NAME, "delete"))
    flash = browser.find_element(By.ID, "flash").text
    assert flash.startswith("AccessDenied:") and "elasticache:DeleteCacheCluster" in flash
    assert browser.find_element(By.CSS_SELECTOR, "tr[data-cluster='keep']")
    [denied] = events(srv, "DeleteCacheCluster")
    assert denied["errorCode"] == "AccessDenied"
    assert denied["sessionCredentialFromConsole"] == "true"
    assert denied["userIdentity"]["userName"] == "bob"


def test_a_post_without_the_csrf_token_is_refused(fresh_server, browsers):
    srv = fresh_server()
    browser = browsers()
    sign_in(browser, srv, password=root_password(srv))
    assert "root @ 000000000000" in browser.find_element(By.ID, "identity").text
    form = "region=us-east-1&id=forged&engine=memcached&nodeType=cache.t4g.micro&numNodes=1"
    status, _ = fetch(srv, browser, "/console/elasticache/create", data=form.encode())
    assert status == 403
    status, _ = fetch(srv, browser, "/console/elasticache/create", data=(form + "&csrf=guess").encode())
    assert status == 403
    assert srv.client("elasticache").describe_cache_clusters()["CacheClusters"] == []
    # The same form with the page's token goes through.
    token = browser.find_element(By.CSS_SELECTOR, "#create-cluster input[name=csrf]").get_attribute("value")
    status, _ = fetch(srv, browser, "/console/elasticache/create", data=(form + f"&csrf={token}").encode())
    assert status == 200
    [created] = srv.client("elasticache").describe_cache_clusters()["CacheClusters"]
    assert created["CacheClusterId"] == "forged"
    # Root's console calls: Root identity, the console's root user agent.
    [record] = events(srv, "CreateCacheCluster")
    assert record["userIdentity"]["type"] == "Root" and record["userAgent"] == "console.amazonaws.com"
    assert record["sessionCredentialFromConsole"] == "true"
    [login] = events(srv, "ConsoleLogin")
    assert login["userIdentity"] == {"type": "Root", "principalId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:root",
                                     "accountId": ACCOUNT, "accessKeyId": ""}


def test_a_script_in_a_user_agent_renders_as_text(fresh_server, browsers):
    srv = fresh_server()
    password = root_password(srv)
    attacker = browsers(user_agent="<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>")
    sign_in(attacker, srv, password=password)
    viewer = browsers()
    sign_in(viewer, srv, password=password)
    viewer.get(f"{srv.endpoint}/console/cloudtrail?attribute=EventName&value=ConsoleLogin")
    records = viewer.find_elements(By.CSS_SELECTOR, "pre.json")
    assert any("<script>window.__pwned=1</script>" in r.get_attribute("textContent") for r in records)
    assert viewer.execute_script("return window.__pwned") is None
    assert viewer.find_elements(By.CSS_SELECTOR, "main script, main img") == []


def test_the_session_expires_after_12_hours_on_the_manual_clock(fresh_server, browsers):
    srv = fresh_server()
    browser = browsers()
    sign_in(browser, srv, password=root_password(srv))
    assert browser.current_url.endswith("/console/elasticache")
    srv.advance(12 * 3600 - 60)
    browser.refresh()
    assert browser.current_url.endswith("/console/elasticache")
    srv.advance(120)
    browser.refresh()
    assert browser.current_url.endswith("/console/signin")


def test_sign_out_ends_the_session_and_its_credentials(fresh_server, browsers):
    srv = fresh_server()
    browser = browsers()
    sign_in(browser, srv, password=root_password(srv))
    cookie = browser.get_cookie("ct_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    click_and_load(browser, browser.find_element(By.ID, "signout"))
    assert browser.current_url.endswith("/console/signin")
    browser.add_cookie({"name": "ct_console", "value": cookie["value"], "path": "/console"})
    browser.get(f"{srv.endpoint}/console/elasticache")
    assert browser.current_url.endswith("/console/signin")


def test_root_creates_a_trail_and_browses_its_log_files(fresh_server, browsers):
    srv = fresh_server(extra_env={"CACHETRAIL_DELIVERY_INTERVAL": "60"})
    browser = browsers()
    sign_in(browser, srv, password=root_password(srv))
    browser.get(f"{srv.endpoint}/console/cloudtrail/trails")
    browser.find_element(By.ID, "trail-name").send_keys("main")
    browser.find_element(By.ID, "trail-bucket").send_keys("console-trail-logs")
    click_and_load(browser, browser.find_element(By.ID, "create-trail-submit"))
    assert "Created trail main" in browser.find_element(By.ID, "flash").text
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-trail='main']")
    assert row.find_element(By.CLASS_NAME, "logging").text == "Logging"
    srv.advance(120)
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-trail='main']")
    click_and_load(browser, row.find_element(By.LINK_TEXT, "console-trail-logs"))
    # AWSLogs/ → account → CloudTrail → region → year → month → day → the log file.
    for _ in range(7):
        click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "a.folder"))
    link = browser.find_element(By.CSS_SELECTOR, "a.object")
    assert link.text.startswith(f"{ACCOUNT}_CloudTrail_us-east-1_") and link.text.endswith(".json.gz")
    status, body = fetch(srv, browser, link.get_attribute("href").removeprefix(srv.endpoint))
    assert status == 200 and body[:2] == b"\x1f\x8b"
    # Stop logging from the page.
    browser.get(f"{srv.endpoint}/console/cloudtrail/trails")
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "tr[data-trail='main'] button.toggle-logging"))
    assert browser.find_element(By.CSS_SELECTOR, "tr[data-trail='main'] .logging").text == "Not logging"
    assert not srv.client("cloudtrail").get_trail_status(Name="main")["IsLogging"]


def test_cluster_page_snapshots_modifies_and_creates_a_group_with_auth(fresh_server, browsers):
    srv = fresh_server()
    elasticache = srv.client("elasticache")
    elasticache.create_cache_cluster(
        CacheClusterId="cache-a", Engine="valkey", CacheNodeType="cache.t4g.small", NumCacheNodes=1)
    srv.advance(900)
    browser = browsers()
    sign_in(browser, srv, password=root_password(srv))
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "cache-a"))
    assert browser.find_element(By.ID, "cluster-status").text == "available"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#nodes tbody tr")) == 1
    assert "Cache cluster created" in browser.find_element(By.ID, "service-events").text

    browser.find_element(By.ID, "snapshot-name").send_keys("snap-1")
    click_and_load(browser, browser.find_element(By.ID, "create-snapshot-submit"))
    assert "Creating snapshot snap-1." in browser.find_element(By.ID, "flash").text
    assert browser.find_element(By.CSS_SELECTOR, "tr[data-snapshot='snap-1']")
    assert elasticache.describe_snapshots(SnapshotName="snap-1")["Snapshots"][0]["CacheClusterId"] == "cache-a"

    Select(browser.find_element(By.ID, "modify-node-type")).select_by_visible_text("cache.t4g.medium")
    click_and_load(browser, browser.find_element(By.ID, "modify"))
    assert "Modifying cache cluster cache-a." in browser.find_element(By.ID, "flash").text
    [modify] = events(srv, "ModifyCacheCluster")
    assert modify["requestParameters"]["cacheNodeType"] == "cache.t4g.medium"
    assert "numCacheNodes" not in modify["requestParameters"]

    # A replication group with two replicas and an AUTH token, from the create form.
    browser.get(f"{srv.endpoint}/console/elasticache")
    browser.find_element(By.ID, "cluster-id").send_keys("rg-1")
    Select(browser.find_element(By.ID, "engine")).select_by_value("redis")
    browser.find_element(By.ID, "replicas").clear()
    browser.find_element(By.ID, "replicas").send_keys("2")
    token = "console-auth-token-0123456789"
    browser.find_element(By.ID, "auth-token").send_keys(token)
    click_and_load(browser, browser.find_element(By.ID, "create"))
    assert "Creating replication group rg-1." in browser.find_element(By.ID, "flash").text
    assert "rg-1" in browser.find_element(By.ID, "replication-groups").text
    [group] = elasticache.describe_replication_groups(ReplicationGroupId="rg-1")["ReplicationGroups"]
    assert group["AuthTokenEnabled"] and group["TransitEncryptionEnabled"] and len(group["MemberClusters"]) == 3
    [created] = events(srv, "CreateReplicationGroup")
    assert token not in json.dumps(created)
    assert created["sessionCredentialFromConsole"] == "true"

    # The group's page: its node group, three members, AUTH; then its deletion.
    srv.advance(900)
    browser.get(f"{srv.endpoint}/console/elasticache")
    click_and_load(browser, browser.find_element(By.LINK_TEXT, "rg-1"))
    assert browser.find_element(By.ID, "group-status").text == "available"
    members = browser.find_elements(By.CSS_SELECTOR, "#node-groups tbody tr div")
    assert len(members) == 3 and sum("(primary)" in m.text for m in members) == 1
    assert "AUTH token" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    # Encryption in transit names its mode and links the CA clients verify the endpoints with.
    assert "(required)" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert browser.find_element(By.ID, "node-ca").get_attribute("href") == f"{srv.endpoint}/_cachetrail/nodes/ca.pem"
    click_and_load(browser, browser.find_element(By.ID, "delete-group"))
    assert "Deleting replication group rg-1." in browser.find_element(By.ID, "flash").text

    # A serverless cache from the main page, and its deletion.
    browser.find_element(By.ID, "serverless-name").send_keys("sls-1")
    click_and_load(browser, browser.find_element(By.ID, "create-serverless-submit"))
    assert "Creating serverless cache sls-1." in browser.find_element(By.ID, "flash").text
    row = browser.find_element(By.CSS_SELECTOR, "tr[data-serverless='sls-1']")
    assert "valkey" in row.text
    srv.advance(900)
    browser.refresh()
    click_and_load(browser, browser.find_element(By.CSS_SELECTOR, "tr[data-serverless='sls-1'] button"))
    assert "Deleting serverless cache sls-1." in browser.find_element(By.ID, "flash").text


def test_login_profiles_follow_iam(fresh_server, browsers):
    srv = fresh_server()
    iam = srv.client("iam")
    iam.create_user(UserName="carol")
    weak = srv.cli("iam", "create-login-profile", "--user-name", "carol", "--password", "weakpass", check=False)
    assert weak.returncode != 0 and "PasswordPolicyViolation" in weak.stderr
    assert "Password does not conform to the account password policy." in weak.stderr
    created = srv.cli("iam", "create-login-profile", "--user-name", "carol", "--password", PASSWORD)
    assert created["LoginProfile"]["UserName"] == "carol"
    assert created["LoginProfile"]["PasswordResetRequired"] is False
    again = srv.cli("iam", "create-login-profile", "--user-name", "carol", "--password", PASSWORD, check=False)
    assert "EntityAlreadyExists" in again.stderr
    srv.cli("iam", "update-login-profile", "--user-name", "carol", "--password-reset-required")
    assert srv.cli("iam", "get-login-profile", "--user-name", "carol")["LoginProfile"]["PasswordResetRequired"]
    conflict = srv.cli("iam", "delete-user", "--user-name", "carol", check=False)
    assert "DeleteConflict" in conflict.stderr and "login profile" in conflict.stderr
    records = events(srv, "CreateLoginProfile")
    assert sorted(r.get("errorCode", "") for r in records) == ["", "EntityAlreadyExists", "PasswordPolicyViolation"]
    assert not [r for r in records if PASSWORD in json.dumps(r) or "weakpass" in json.dumps(r)]

    # carol changes her own password with her keys, then signs in with the new one only.
    iam.put_user_policy(
        UserName="carol", PolicyName="self",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:ChangePassword", "elasticache:Describe*"], "Resource": "*"}]}))
    key = iam.create_access_key(UserName="carol")["AccessKey"]
    carol = srv.client("iam", key_id=key["AccessKeyId"], secret=key["SecretAccessKey"])
    with pytest.raises(carol.exceptions.ClientError) as wrong:
        carol.change_password(OldPassword="Not-The-0ld-One", NewPassword="New-Passw0rd-2026")
    assert wrong.value.response["Error"]["Code"] == "AccessDenied"
    carol.change_password(OldPassword=PASSWORD, NewPassword="New-Passw0rd-2026")
    assert not iam.get_login_profile(UserName="carol")["LoginProfile"]["PasswordResetRequired"]
    browser = browsers()
    sign_in(browser, srv, "carol")
    assert browser.find_elements(By.ID, "signin-error")
    sign_in(browser, srv, "carol", password="New-Passw0rd-2026")
    assert browser.current_url.endswith("/console/elasticache")

    srv.cli("iam", "delete-login-profile", "--user-name", "carol")
    gone = srv.cli("iam", "get-login-profile", "--user-name", "carol", check=False)
    assert "NoSuchEntity" in gone.stderr and "Login Profile for User carol cannot be found." in gone.stderr


def test_a_profile_that_requires_a_reset_allows_only_the_password_page(fresh_server, browsers):
    srv = fresh_server()
    iam = srv.client("iam")
    user_with_profile(srv, "dave", ["iam:ChangePassword", "elasticache:Describe*"])
    iam.update_login_profile(UserName="dave", PasswordResetRequired=True)
    browser = browsers()
    sign_in(browser, srv, "dave")
    assert browser.current_url.endswith("/console/password")
    assert browser.find_element(By.ID, "password-required")
    browser.get(f"{srv.endpoint}/console/elasticache")
    assert browser.current_url.endswith("/console/password")

    def change(old, new, confirm):
        browser.find_element(By.ID, "old-password").send_keys(old)
        browser.find_element(By.ID, "new-password").send_keys(new)
        browser.find_element(By.ID, "confirm-password").send_keys(confirm)
        click_and_load(browser, browser.find_element(By.ID, "change-password-submit"))

    change(PASSWORD, "Brand-New-Passw0rd", "Brand-New-Passw0rd-typo")
    assert "do not match" in browser.find_element(By.ID, "password-error").text
    change("Not-The-Passw0rd", "Brand-New-Passw0rd", "Brand-New-Passw0rd")
    assert browser.find_element(By.ID, "password-error").text.startswith("AccessDenied")
    change(PASSWORD, "Brand-New-Passw0rd", "Brand-New-Passw0rd")
    assert browser.current_url.endswith("/console/elasticache")
    assert "Your password was changed." in browser.find_element(By.ID, "flash").text
    assert not iam.get_login_profile(UserName="dave")["LoginProfile"]["PasswordResetRequired"]
    changes = events(srv, "ChangePassword")
    assert sorted(c.get("errorCode", "") for c in changes) == ["", "AccessDenied"]
    assert all(c["sessionCredentialFromConsole"] == "true" for c in changes)
    assert not [c for c in changes if "Brand-New-Passw0rd" in json.dumps(c) or PASSWORD in json.dumps(c)]


def test_repeated_failures_wait_on_the_servers_clock(fresh_server, browsers):
    srv = fresh_server()
    password = root_password(srv)
    browser = browsers()
    for _ in range(3):
        sign_in(browser, srv, password="Wrong-Passw0rd!")
        assert "incorrect" in browser.find_element(By.ID, "signin-error").text
    # The fourth attempt, even with the right password, waits (1 s after the third failure).
    sign_in(browser, srv, password=password)
    assert "Too many failed attempts" in browser.find_element(By.ID, "signin-error").text
    srv.advance(2)
    sign_in(browser, srv, password=password)
    assert browser.current_url.endswith("/console/elasticache")
    assert len(events(srv, "ConsoleLogin")) == 4  # three failures, one success; the waiting attempt checked nothing
