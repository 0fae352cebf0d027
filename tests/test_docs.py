"""dbt docs that teach: every column of every model and seed and every data test is described, the
descriptions reach Dagster's asset checks, and `ogi docs` renders them (overview, a mart) in a browser.

One warehouse is built from the samples and documented once with the real `ogi docs`; the checks read
the manifest and catalog it wrote (warehouse/docs/target/), so the column lists are the warehouse's
own, not only what the YAML declares."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, playwright_or_skip

OGI = Path(sys.executable).with_name("ogi")


def _env(root: Path) -> dict[str, str]:
    env = {**os.environ, "OGI_RAW_DIR": str(root / "raw"), "OGI_WAREHOUSE_DIR": str(root / "warehouse")}
    env.pop("OGI_STAGING_DIR", None)
    return {**env, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


@pytest.fixture(scope="module")
def root(samples_warehouse) -> Path:
    """A warehouse built by a real refresh from the samples."""
    return samples_warehouse


@pytest.fixture(scope="module")
def static_index(root) -> Path:
    """`ogi docs`: dbt docs generate --static on a copy of the published warehouse."""
    done = subprocess.run([str(OGI), "docs"], env=_env(root), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("dbt docs: "))
    path = Path(line.removeprefix("dbt docs: ").strip())
    assert path == root / "warehouse" / "docs" / "target" / "static_index.html" and path.is_file()
    return path


def _artifacts(static_index: Path) -> tuple[dict, dict]:
    target = static_index.parent
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((target / "catalog.json").read_text(encoding="utf-8"))
    return manifest, catalog


def test_every_model_and_seed_column_is_described(static_index):
    manifest, catalog = _artifacts(static_index)
    documented = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed")}
    assert set(documented) <= set(catalog["nodes"]), "a model or seed is missing from the warehouse catalog"
    missing, n_columns = [], 0
    for uid, node in documented.items():
        if not node["description"].strip():
            missing.append(f"{node['name']} (the {node['resource_type']} itself)")
        described = {name.lower(): c["description"].strip() for name, c in node["columns"].items()}
        for column in catalog["nodes"][uid]["columns"]:  # the warehouse's real columns
            n_columns += 1
            if not described.get(column.lower()):
                missing.append(f"{node['name']}.{column}")
    assert n_columns > 400
    assert missing == [], f"describe these in dbt/models/**/*.yml or dbt/seeds/_seeds.yml: {missing}"


def test_every_data_test_is_described(static_index):
    manifest, _ = _artifacts(static_index)
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert len(tests) > 100 and any(not n.get("test_metadata") for n in tests)  # generic and singular
    undescribed = sorted(n["name"] for n in tests if not n["description"].strip())
    assert undescribed == [], f"give these tests a description: {undescribed}"
    # dagster-dbt takes an asset check's description from meta.description: the YAML repeats it there
    not_in_meta = sorted(n["name"] for n in tests if n["meta"].get("description") != n["description"])
    assert not_in_meta == [], f"add config: {{meta: {{description: *anchor}}}} to: {not_in_meta}"
    by_text: dict[str, list[str]] = {}
    for n in tests:
        by_text.setdefault(n["description"], []).append(n["name"])
    repeated = {text: names for text, names in by_text.items() if len(names) > 1}
    assert repeated == {}, "each description should say what that test protects"
    t3a = next(n for n in tests if n["name"] == "t3_a_holds_in_consistent_reports")
    assert "T3-A" in t3a["description"] and "consistent" in t3a["description"]


def test_every_asset_check_has_a_description(manifest):
    from dagster_project.definitions import defs

    graph = defs.resolve_asset_graph()
    checks = graph.asset_check_keys
    assert len(checks) > 100
    empty = sorted(k.name for k in checks if not (graph.get_check_spec(k).description or "").strip())
    assert empty == []


_playwright = playwright_or_skip


def test_static_docs_in_a_browser(root, static_index):
    sync_playwright = _playwright()
    shots = root / "warehouse" / "screenshots"
    shots.mkdir(exist_ok=True)
    url = static_index.as_uri()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            outside: list[str] = []  # one self-contained file: nothing to fetch (and no network here)

            def offline(route):
                outside.append(route.request.url)
                route.abort()

            page.route("http*://**", offline)
            page.goto(f"{url}#!/overview")
            identities = page.locator("table").filter(has_text="T3-A")
            identities.first.wait_for(timeout=30_000)
            table = identities.first.inner_text()
            assert "X-2" in table and "本年制发" in table and "T4-A" in table
            items = [t.strip() for t in page.locator("li").all_inner_texts()]
            assert not [t for t in items if t.startswith(("+", "−", "+ 本年制发"))], "a wrapped line became a bullet"
            assert any(t.startswith("表三 收到和处理政府信息公开申请") for t in items)  # the real bullets are there
            page.set_viewport_size({"width": 1400, "height": 2100})  # dbt scrolls an inner pane: show it all
            page.screenshot(path=str(shots / "dbt-docs.png"))

            page.goto(f"{url}#!/model/model.ogi.fct_request_outcomes")
            page.get_by_text("one row per report × applicant column × outcome leaf").first.wait_for(timeout=30_000)
            columns = page.locator("table").filter(has_text="comparable_outcome_key").first.inner_text()
            assert "Leaf key that compares 2019 and 2021 layouts." in columns
            page.get_by_text("is_reconstructed").first.wait_for(timeout=10_000)  # the last column is drawn
            page.screenshot(path=str(shots / "dbt-docs-fct_request_outcomes.png"))

            manifest, _ = _artifacts(static_index)
            t3a = next(u for u, n in manifest["nodes"].items() if n["name"] == "t3_a_holds_in_consistent_reports")
            page.goto(f"{url}#!/test/{t3a}")  # a generic test's id ends in a hash
            page.get_by_text("T3-A holds for every report marked consistent").first.wait_for(timeout=30_000)
            print(f"screenshots: {shots}; requests blocked: {outside}")
        finally:
            browser.close()


def test_docs_serve_on_localhost(root, static_index):
    """`ogi docs --serve --port 0` serves static_index.html on 127.0.0.1 until stopped."""
    proc = subprocess.Popen(
        [str(OGI), "docs", "--serve", "--port", "0"],
        env=_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for ln in proc.stdout:
            lines.put(ln)
        lines.put("")  # end of output: the command exited

    threading.Thread(target=read, daemon=True).start()
    try:
        while True:
            line = lines.get(timeout=120)
            assert line, f"ogi docs --serve exited ({proc.wait()}) without serving"
            if line.startswith("serving http://127.0.0.1:"):
                break
        address = line.split()[1]
        assert address.endswith("/static_index.html")
        with urllib.request.urlopen(address, timeout=10) as response:
            assert response.status == 200
            body = response.read()
        assert body == static_index.read_bytes() and b"T3-A" in body
    finally:
        proc.terminate()
        proc.wait(timeout=10)
