from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from huiyi.config import Settings
from tests.support.fake_openai import FakeOpenAI

TEST_KEY = "sk-test-secret-0123456789"


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def settings_for() -> Callable[..., Settings]:
    """Settings pointing at a (fake) endpoint, with short timeouts unless overridden."""

    def make(base_url: str, **overrides: object) -> Settings:
        values: dict[str, object] = dict(openai_base_url=base_url, openai_api_key=TEST_KEY, llm_model="fake-model",
                                         llm_timeout=2.0, llm_retries=1, llm_deadline=10.0)
        values.update(overrides)
        return Settings(**values)

    return make
