"""Benchmark: the annotation viewer in headless Chromium against a live server.

Run from the repository root:  .venv/bin/python bench/bench_viewer.py [--opens N] [--strokes N]
Needs PostgreSQL and Redis on 127.0.0.1 (like the tests), Debian's /usr/bin/chromium and the
frontend build (`make frontend`).

For the 240x240x155 BraTS-GLI-00001-000 case and a synthetic 512x512x200 case, both imported
through the ingest pipeline (run inline), it prints:
1. Time from opening the case (navigation start) to the first rendered image of all four
   viewports, from the viewer's own marks (`window.__viewerTimings`), median of N opens. The
   steps before it (the viewer's script running, the four volumes decoded) and the time until
   every viewport also draws the regions' labelmaps are printed beside it.
2. Time from a brush stroke to its appearance on screen, median and 90th percentile of N
   strokes: from the first pointer move of the stroke (the brush paints on moves, not on the
   press) to the next animation frame after the painted viewport rendered the edit.

Headless Chromium renders WebGL with SwiftShader on the CPU, so rendering times here are those
of a machine without a GPU. They are no measure of a radiology workstation with a GPU.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import platform  # noqa: E402

GLIOMA = "data/brats-like/BraTS-GLI-00001-000"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-dev-shm-usage"]
FIRST_IMAGE_TARGET_MS = 1500
STROKE_TARGET_MS = 50

# Installed in the page before each stroke: records when the stroke's first move happened and
# when the painted viewport next rendered after the viewer reported the edit.
STROKE_PROBE = """(sequence) => {
  const frame = document.querySelector(`.viewport-frame[data-sequence="${sequence}"]`);
  const element = frame.querySelector('.viewport-element');
  window.__stroke = { moved: null, edited: null, shown: null };
  const onMove = (event) => {
    if (window.__stroke.moved === null && event.buttons === 1) {
      window.__stroke.moved = event.timeStamp;
    }
  };
  const onEdit = () => {
    if (window.__stroke.edited === null) window.__stroke.edited = performance.now();
  };
  const onRender = () => {
    if (window.__stroke.edited !== null && window.__stroke.shown === null) {
      requestAnimationFrame(() => { window.__stroke.shown = performance.now(); });
    }
  };
  frame.addEventListener('pointermove', onMove, { capture: true });
  document.addEventListener('viewer:mask-edited', onEdit);
  element.addEventListener('CORNERSTONE_IMAGE_RENDERED', onRender);
  window.__strokeCleanup = () => {
    frame.removeEventListener('pointermove', onMove, { capture: true });
    document.removeEventListener('viewer:mask-edited', onEdit);
    element.removeEventListener('CORNERSTONE_IMAGE_RENDERED', onRender);
  };
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opens", type=int, default=5, help="Page opens per case (median).")
    parser.add_argument("--strokes", type=int, default=50, help="Brush strokes per case (median).")
    args = parser.parse_args()
    with platform(workers=0) as env, tempfile.TemporaryDirectory() as folder:
        from pytest_django.live_server_helper import LiveServer

        work = Path(folder)
        cases = {
            "240x240x155 (BraTS-GLI-00001-000)": _import_case(
                env, env.shared_dir / GLIOMA, work / "glioma"
            ),
            "512x512x200 (synthetic)": _import_case(
                env, _synthetic_case(work / "synthetic-src"), work / "synthetic"
            ),
        }
        server = LiveServer("127.0.0.1:0")
        try:
            results = {name: _measure(server.url, case, args) for name, case in cases.items()}
        finally:
            server.stop()
        _report(results)


def _import_case(env, source: Path, tree: Path):
    from django.core.management import call_command

    from annotation_platform.annotations.models import Case

    shutil.copytree(source, tree / source.name)
    before = set(Case.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    call_command("import_studies", str(tree), "--project", env.project.name)
    case = Case.objects.exclude(pk__in=before).get()
    case.assignee = env.user
    case.save()
    elapsed_s = time.perf_counter() - started
    print(f"imported case {case.pk} on grid {case.study.grid['shape']} in {elapsed_s:.1f} s")
    return case


def _synthetic_case(folder: Path) -> Path:
    """Four 512x512x200 int16 volumes on one 0.5 x 0.5 x 1 mm grid: a bright ellipsoid 'head'
    with a brighter 'lesion', smooth shading and noise, named like BraTS files."""
    import nibabel as nib
    import numpy as np

    case = folder / "SYN-0001-000"
    case.mkdir(parents=True)
    shape = (512, 512, 200)
    affine = np.diag([-0.5, -0.5, 1.0, 1.0])
    i, j, k = np.ogrid[: shape[0], : shape[1], : shape[2]]
    head = ((i - 256) / 200.0) ** 2 + ((j - 256) / 230.0) ** 2 + ((k - 100) / 90.0) ** 2 <= 1.0
    lesion = ((i - 330) / 40.0) ** 2 + ((j - 220) / 35.0) ** 2 + ((k - 110) / 25.0) ** 2 <= 1.0
    generator = np.random.default_rng(7)
    for number, suffix in enumerate(("t1n", "t1c", "t2w", "t2f")):
        shading = (600 + 150 * np.sin(i / 37.0 + number) * np.cos(j / 53.0)).astype(np.float32)
        volume = np.where(head, shading, 0).astype(np.float32)
        volume[lesion & head] *= 1.6 + 0.2 * number
        volume += generator.normal(0, 25, shape).astype(np.float32) * head
        image = nib.Nifti1Image(np.clip(volume, 0, 32000).astype(np.int16), affine)
        nib.save(image, str(case / f"SYN-0001-000-{suffix}.nii.gz"))
    return case


def _measure(url: str, case, args) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(180_000)
        _log_in(page, url)
        opens = [_open_once(page, url, case) for _ in range(args.opens)]
        page.keyboard.press("1")
        strokes = [_stroke_once(page, number) for number in range(args.strokes)]
        browser.close()
    return {"opens": opens, "strokes": [value for value in strokes if value is not None]}


def _log_in(page, url: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", "bench")
    page.fill("#id_password", "bench-password")
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/accounts/login" not in address)


def _open_once(page, url: str, case) -> dict:
    page.goto(f"{url}/cases/{case.pk}/annotate/")
    page.wait_for_function("() => window.__viewerTimings && window.__viewerTimings.regionsShownMs")
    return page.evaluate("() => window.__viewerTimings")


def _stroke_once(page, number: int) -> tuple[float, float] | None:
    """Draw one short brush stroke in the FLAIR viewport. Returns two durations in milliseconds
    from its first move: until the mask was edited, and until the edit was on screen."""
    page.evaluate(STROKE_PROBE, "FLAIR")
    box = page.locator('.viewport-frame[data-sequence="FLAIR"]').bounding_box()
    x = box["x"] + box["width"] * 0.3 + 3 * (number % 20)
    y = box["y"] + box["height"] * 0.3 + 6 * (number // 20)
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 4):
        page.mouse.move(x + 4 * step, y)
    page.mouse.up()
    try:
        page.wait_for_function("() => window.__stroke.shown !== null", timeout=10_000)
    except Exception:
        return None
    timing = page.evaluate("() => { window.__strokeCleanup(); return window.__stroke; }")
    return timing["edited"] - timing["moved"], timing["shown"] - timing["moved"]


def _report(results: dict) -> None:
    print()
    _report_opens(results)
    print()
    medians = _report_strokes(results)
    names = list(results)
    if len(names) == 2:
        small, large = names
        first_images = {name: _median_first_image(results[name]) for name in names}
        ratio = first_images[large] / first_images[small]
        print()
        print(f"512-grid / 240-grid: first image {ratio:.2f}x", end="")
        if small in medians and large in medians:
            print(f", stroke {medians[large] / medians[small]:.2f}x")
        else:
            print()
    print(f"(headless Chromium, SwiftShader WebGL, {os.cpu_count()} CPUs)")


def _median_first_image(result: dict) -> float:
    return statistics.median(timing["firstImageMs"] for timing in result["opens"])


def _report_opens(results: dict) -> None:
    print("Open to first image of all four viewports (ms since navigation start, median of opens):")
    header = (
        f"{'script runs':>11} {'decoded':>9} {'first image':>12} {'vs 1.5 s':>9} {'regions':>8}"
    )
    print(f"  {'case':<34} {header}")
    for name, result in results.items():
        opens = result["opens"]
        start = statistics.median(t["startMs"] for t in opens)
        decoded = statistics.median(t["volumesDecodedMs"] for t in opens)
        first = _median_first_image(result)
        ratio = first / FIRST_IMAGE_TARGET_MS
        regions = statistics.median(t["regionsShownMs"] for t in opens)
        print(
            f"  {name:<34} {start:11.0f} {decoded:9.0f} {first:12.0f} {ratio:8.2f}x {regions:8.0f}"
        )


def _report_strokes(results: dict) -> dict[str, float]:
    print("Brush stroke, from its first move (ms): mask edited, and shown on screen:")
    print(f"  {'case':<34} {'strokes':>7} {'edited':>7} {'shown':>7} {'p90':>7} {'vs 50 ms':>9}")
    medians = {}
    for name, result in results.items():
        strokes = result["strokes"]
        if not strokes:
            print(f"  {name:<34} no stroke appeared within 10 s")
            continue
        edited = statistics.median(value[0] for value in strokes)
        shown = sorted(value[1] for value in strokes)
        median = statistics.median(shown)
        p90 = shown[min(len(shown) - 1, int(0.9 * len(shown)))]
        medians[name] = median
        print(
            f"  {name:<34} {len(strokes):7d} {edited:7.1f} {median:7.1f} {p90:7.1f} "
            f"{median / STROKE_TARGET_MS:8.2f}x"
        )
    return medians


if __name__ == "__main__":
    main()
