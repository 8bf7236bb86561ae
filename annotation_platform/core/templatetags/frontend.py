"""Template tags that include the viewer's Vite build through its manifest."""

import json
from functools import cache
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

MANIFEST = Path("frontend/.vite/manifest.json")


@cache
def _manifest() -> dict[str, Any]:
    for folder in settings.STATICFILES_DIRS:
        path = Path(folder) / MANIFEST
        if path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(
        f"The frontend build is missing ({MANIFEST}); run `make frontend` or `make run`."
    )


@register.simple_tag
def frontend_entry(name: str) -> SafeString:
    """Script and style tags for one Vite entry, for example 'src/pages/upload.ts'."""
    manifest = _manifest()
    entry = manifest[name]
    styles = list(entry.get("css", []))
    for imported in entry.get("imports", []):
        styles.extend(manifest[imported].get("css", []))
    links = format_html_join(
        "", '<link rel="stylesheet" href="{}">', ((static(f"frontend/{css}"),) for css in styles)
    )
    script = format_html(
        '<script type="module" src="{}"></script>', static(f"frontend/{entry['file']}")
    )
    return links + script
