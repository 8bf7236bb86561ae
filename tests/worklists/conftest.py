from tests.annotations.conftest import ready_case  # noqa: F401 - shared fixture
