"""The one place Gazette reaches into Pagefind's Python API internals: its service process.

`PromptService` is Pagefind's `PagefindService` with its response reader replaced: the stock
reader sleeps 0.1 s before each response, which caps indexing at ten records a second
(2.5 minutes for 1,500 documents), and when it fails (a message over its buffer limit, the
binary exiting) it dies silently and the build hangs; this one reads each response as soon as it
arrives and fails every pending call instead. It uses the service's private `_backend`,
`_responses` and `_wait_for_responses`, so the Pagefind versions it is known to work with are
pinned in pyproject.toml (PAGEFIND_VERSIONS); `missing_internals()` names what a different
version lacks (tests/test_adapters.py fails then).
"""

from __future__ import annotations

import asyncio
import base64
import functools
import inspect
import json

# Versions of the `pagefind` Python package whose internals this module was checked against.
PAGEFIND_VERSIONS = ">=1.3,<1.6"

_SERVICE = ("_backend", "_responses", "_wait_for_responses", "launch", "close", "create_index")


@functools.lru_cache(maxsize=1)
def missing_internals() -> tuple[str, ...]:
    """The private names of PagefindService this module relies on that the installed Pagefind lacks."""
    from pagefind.service import PagefindService

    source = "".join(inspect.getsource(c) for c in PagefindService.__mro__ if c.__module__.startswith("pagefind"))
    return tuple(f"PagefindService.{n}" for n in _SERVICE if n not in source)


@functools.lru_cache(maxsize=1)
def prompt_service_class():
    """PagefindService with a prompt, failure-reporting response reader (see the module's docstring)."""
    from pagefind.service import PagefindService

    class PromptService(PagefindService):
        async def launch(self):
            await super().launch()
            stdout = self._backend.stdout
            if hasattr(stdout, "_limit"):  # an error response echoes the whole request back
                stdout._limit = max(stdout._limit, 2**27)
            return self

        async def _wait_for_responses(self) -> None:
            try:
                while True:
                    output = await self._backend.stdout.readuntil(b",")
                    resp = json.loads(base64.b64decode(output[:-1]))
                    if resp is None:
                        continue
                    payload = resp.get("payload") or {}
                    message_id = resp.get("message_id")
                    if message_id is None and payload.get("original_message"):
                        message_id = json.loads(payload["original_message"]).get("message_id")
                    future = self._responses.get(message_id)
                    if future is None or future.done():
                        continue
                    if payload.get("type") == "Error":
                        future.set_exception(RuntimeError(f"Pagefind: {payload.get('message')}"))
                    else:
                        future.set_result(payload)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - every waiting call must hear about it
                for future in self._responses.values():
                    if not future.done():
                        future.set_exception(RuntimeError(f"Pagefind service failed: {e!r}"))

    return PromptService


async def launch_service():
    """A running Pagefind service (close it with `await service.close()`)."""
    return await prompt_service_class()().launch()
