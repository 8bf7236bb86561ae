"""Errors a user can act on, shared by the pure imaging modules and the Django services.

Each error carries a stable code, an English message template with named parameters and the
parameters themselves. Job rows store the three, so a page can show the message in the reader's
language later: the template is a msgid in the project's translation catalog. Pure modules mark
their templates with `gettext_noop` from this module, which `makemessages` collects.
"""

from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message for translation without translating it (collected by `makemessages`)."""
    return message


class ActionableError(Exception):
    """An error whose message names the value at fault and the fix."""

    http_status = 400

    def __init__(self, code: str, template: str, **params: Any) -> None:
        self.code = code
        self.template = template
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The English message."""
        return render_message(self.template, self.params)

    def localized(self) -> str:
        """The message in the active language."""
        from django.utils.translation import gettext

        return render_message(gettext(self.template), self.params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "template": self.template, "params": self.params}


class NotFoundError(ActionableError):
    http_status = 404


class PermissionDeniedError(ActionableError):
    http_status = 403


class ConflictError(ActionableError):
    http_status = 409


def render_message(template: str, params: dict[str, Any]) -> str:
    """Fill a `%(name)s` template; a missing parameter leaves the template readable, not broken."""
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return template


def localize_problem(problem: dict[str, Any]) -> str:
    """Translate a stored {code, template, params} record into the active language."""
    from django.utils.translation import gettext

    template = problem.get("template") or problem.get("code") or ""
    return render_message(gettext(template), problem.get("params") or {})
