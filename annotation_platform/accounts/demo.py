"""Demo accounts for `make run`: an admin, two annotators and a senior reviewer."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from annotation_platform.accounts.models import User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    full_name: str
    experience_years: int
    is_superuser: bool = False


# Fixed, well-known passwords: the demo runs on 127.0.0.1 with demo data only.
DEMO_LOGINS = [
    DemoLogin("admin", "admin-demo-2026", "project admin", "Demo Admin", 15, is_superuser=True),
    DemoLogin("annotator1", "annotate-demo-2026", "annotator", "Li Wei", 7),
    DemoLogin("annotator2", "annotate-demo-2026", "annotator", "Chen Jing", 6),
    DemoLogin("reviewer", "review-demo-2026", "senior reviewer", "Wang Fang", 12),
]


def demo_accounts_ensure() -> dict[str, User]:
    """Create the demo users when missing; return them by user name."""
    users: dict[str, User] = {}
    admin = None
    for login in DEMO_LOGINS:
        user = User.objects.filter(username=login.username).first()
        if user is None:
            first, _, last = login.full_name.partition(" ")
            user = User(
                username=login.username,
                first_name=first,
                last_name=last,
                is_superuser=login.is_superuser,
                is_staff=login.is_superuser,
                practice_started_on=timezone.localdate()
                - timedelta(days=round(365.25 * login.experience_years)),
            )
            user.set_password(login.password)
            user.save()
            logger.info("created demo user %s", user.pk)
        if login.is_superuser:
            admin = user
        users[login.username] = user
    for user in users.values():
        if user.experience_verified_by_id is None and admin is not None:
            user.experience_verified_by = admin
            user.experience_verified_at = timezone.now()
            user.save(update_fields=["experience_verified_by", "experience_verified_at"])
    return users
