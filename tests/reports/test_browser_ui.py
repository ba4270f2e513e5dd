"""The quality report as a person sees it: `dagster-webserver` on a temp instance holding a
materialized `quality_report`, opened in headless Chromium (Debian's chromium + chromedriver,
driven by Selenium). Saves the screenshots the README's tour shows."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from dagster import DagsterInstance, materialize

from benchmarks.dagster_dev import free_port, stop_tree
from nodegen.settings import Settings
from nodegen_assets.reports import quality_report
from resources import NodegenResource

from ..conftest import PROJECT_ROOT
from . import dagster_store as ds

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCREENSHOTS = PROJECT_ROOT / "artifacts" / "screenshots"
DOC_IMAGES = PROJECT_ROOT / "docs" / "images"
APT_PACKAGES = ("chromium", "chromium-driver")
WAIT_S = 180


def _browser_paths() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def _apt_install() -> str | None:
    """Install Debian's chromium and its driver; returns why it failed, or None."""
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        return "apt-get is not available to this user (root is needed)"

    def apt(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["apt-get", *args], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            capture_output=True, text=True, timeout=900,
        )

    install = ("install", "-y", "-q", "--no-install-recommends", *APT_PACKAGES)
    done = apt(*install)
    if done.returncode != 0:  # maybe stale package lists: refresh once
        update = apt("update", "-q")
        if update.returncode != 0:
            return f"apt-get update failed: {update.stderr.strip()[-800:]}"
        done = apt(*install)
    if done.returncode != 0:
        return f"apt-get install {' '.join(APT_PACKAGES)} failed: {done.stderr.strip()[-800:]}"
    return None


@pytest.fixture(scope="session")
def chromium() -> tuple[str, str]:
    """(chromium, chromedriver), installed with apt when missing. Under CI=true a browser that
    cannot be had fails the test instead of skipping it."""
    problem = None
    try:
        import selenium  # noqa: F401
    except ImportError:
        problem = "the selenium package is missing (pip install -e '.[dev]')"
    if problem is None and _browser_paths() is None:
        why = _apt_install()
        if _browser_paths() is None:
            problem = f"Chromium/chromedriver missing and could not be installed: {why}"
    if problem is None:
        paths = _browser_paths()
        assert paths is not None
        return paths
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{problem} (CI=true: the browser test must run)")
    pytest.skip(problem)


@pytest.fixture
def webserver(nodegen_env: Settings, tmp_path: Path) -> Iterator[tuple[str, ds.ConstructedStore]]:
    """A materialized quality report on a fresh DAGSTER_HOME, served by dagster-webserver in its
    own session; stopped with every process it started, by pid."""
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    constructed = ds.build_store(nodegen_env.home)
    with DagsterInstance.from_config(str(dagster_home)) as instance:
        result = materialize(
            [quality_report],
            partition_key=constructed.now.date().isoformat(),
            instance=instance,
            resources={"nodegen": NodegenResource(home=str(nodegen_env.home))},
        )
        assert result.success

    port = free_port()
    executable = Path(sys.executable).with_name("dagster-webserver")
    env = {**os.environ, "DAGSTER_HOME": str(dagster_home)}  # NODEGEN_* from nodegen_env
    log_path = tmp_path / "webserver.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(executable), "-h", "127.0.0.1", "-p", str(port), "-m", "nodegen_assets.definitions"],
            cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + WAIT_S
            while True:
                assert process.poll() is None, log_path.read_text()[-5000:]
                try:
                    with urllib.request.urlopen(f"{base}/server_info", timeout=5) as reply:
                        assert "dagster_webserver_version" in json.loads(reply.read())
                        break
                except (urllib.error.URLError, ConnectionError):
                    assert time.monotonic() < deadline, log_path.read_text()[-5000:]
                    time.sleep(1)
            yield base, constructed
        finally:
            stop_tree(process, str(tmp_path))
    leftovers = [p.pid for p in psutil.process_iter(["cmdline"])
                 if str(tmp_path) in " ".join(p.info["cmdline"] or [])]
    assert not leftovers, f"processes left running: {leftovers}"


def _driver(paths: tuple[str, str]):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for arg in ("--headless=new", "--no-sandbox", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1600,1100"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(paths[1]), options=options)


def _save(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    DOC_IMAGES.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / name
    assert driver.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
    shutil.copyfile(shot, DOC_IMAGES / name)
    return shot


def test_quality_report_renders_in_the_dagster_ui(chromium, webserver) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, constructed = webserver
    driver = _driver(chromium)
    try:
        wait = WebDriverWait(driver, WAIT_S, ignored_exceptions=[StaleElementReferenceException])
        driver.get(f"{base}/")
        # the first-visit "join the community" dialog would cover the page
        driver.execute_script("window.localStorage.setItem('communityNux', '\"1\"')")

        driver.get(f"{base}/assets/quality_report")
        wait.until(lambda d: "html_report" in d.find_element(By.TAG_NAME, "body").text)
        page = driver.find_element(By.TAG_NAME, "body").text
        rows = {"total_generations": str(ds.GENERATIONS), "success_rate": "0.75",
                "cost_per_generation": "0.02", "pattern_reuse_rate": "0.5", "migrations": "1"}
        lines = page.splitlines()
        for key, value in rows.items():
            at = lines.index(key)
            assert value in lines[at + 1 : at + 3], (key, lines[at : at + 3])
        day = constructed.now.date().isoformat()
        assert f"reports/quality_{day}.html" in page

        driver.find_element(By.XPATH, "//a[normalize-space()='[Show Markdown]']").click()
        dialog = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[role=dialog]"))
        images = wait.until(lambda d: [
            img for img in dialog.find_elements(By.TAG_NAME, "img")
            if (img.get_attribute("src") or "").startswith("data:image/png;base64,")
            and d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img)
        ] or None)
        assert len(images) >= 5
        text = dialog.text
        assert "Quality report — " in text and f"to {day} (30 days)" in text
        assert "migrate contract big small" in text  # the known migration
        heading = dialog.find_element(By.XPATH, ".//*[starts-with(normalize-space(), 'Quality report')]")
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", heading)
        _save(driver, "quality_report.png")

        # the whole asset graph, every group expanded (the UI keeps that in local storage)
        from nodegen_assets.definitions import defs

        groups = sorted({spec.group_name for a in defs.assets for spec in a.specs})
        expanded = ",".join(f"global@global:{g}" for g in groups)
        driver.execute_script(
            "window.localStorage.setItem("
            "'asset-graph-open-graph-nodes-global-__GLOBAL__', arguments[0])",
            json.dumps({"expanded": expanded}),
        )
        driver.get(f"{base}/asset-groups")
        wait.until(lambda d: d.find_elements(By.XPATH, "//*[name()='foreignObject']"
                                                       "//*[normalize-space()='quality_report']"))
        time.sleep(1)  # let the layout settle before the picture
        _save(driver, "asset_graph.png")
    finally:
        driver.quit()
