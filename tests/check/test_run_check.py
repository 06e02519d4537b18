"""run_check against the sandbox over real HTTP, configured each way the hosted service might be."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ideogram_widgets.api import AuthenticationError, BlockingCallError, MaskPolarity
from ideogram_widgets.check import UPLOADER_ADVICE, CheckReport, Status, check, run_check

from .helpers import TOKEN, client_for, config, sandbox_uploader, stats


async def checked(url: str, **options: Any) -> CheckReport:
    """Run the check on a client for ``url``; ``run_uploader`` goes to run_check, the rest to the client."""
    run_options: dict[str, Any] = {k: options.pop(k) for k in ("confirm", "progress") if k in options}
    if "run_uploader" in options:
        run_options["uploader"] = options.pop("run_uploader")
    async with client_for(url, **options) as client:
        return await run_check(client, size=96, timeout=30, **run_options)


async def test_black_is_edit_with_data_uris_is_all_ok(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config(token=TOKEN))
    lines: list[str] = []
    report = await checked(url, token=TOKEN, progress=lines.append)
    assert [(r.name, r.status) for r in report.results] == [
        ("schema", Status.OK),
        ("data_uris", Status.OK),
        ("polarity", Status.OK),
    ], report.render()
    assert report.exit_code == 0
    assert report.settings == []
    polarity = report.get("polarity")
    assert polarity is not None
    assert polarity.data["edited"] == "left"
    assert polarity.data["left"] > 50
    assert polarity.data["right"] < 1
    assert "as configured" in polarity.verdict
    assert 'mask_polarity="black_is_edit"' in polarity.verdict
    assert "everything matches" in report.render()
    # it said what the edit costs before sending it, and sent exactly one
    cost = next(i for i, line in enumerate(lines) if "one TURBO edit" in line)
    sending = next(i for i, line in enumerate(lines) if line.startswith("sending"))
    assert cost < sending
    assert stats(url)["submits"] == 1
    assert report.result_png is not None
    assert report.result_png.startswith(b"\x89PNG")
    assert TOKEN not in report.render()
    assert TOKEN not in repr(report.to_dict())


async def test_white_is_edit_service_names_the_setting(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config(mask_polarity="white_is_edit"))
    report = await checked(url)
    polarity = report.get("polarity")
    assert polarity is not None
    assert polarity.status is Status.DIFFERS
    assert polarity.data["edited"] == "right"
    assert 'mask_polarity="white_is_edit"' in polarity.verdict
    assert polarity.setting is not None
    assert 'AsyncClient(mask_polarity="white_is_edit")' in polarity.setting
    assert report.exit_code == 1
    assert 'mask_polarity="white_is_edit"' in report.render().splitlines()[-1]


async def test_a_client_already_set_to_white_matches_a_white_service(
    sandbox_server: Callable[..., str],
) -> None:
    url = sandbox_server(config(mask_polarity="white_is_edit"))
    report = await checked(url, mask_polarity="white_is_edit")
    assert report.status is Status.OK, report.render()
    assert report.mask_polarity == "white_is_edit"


async def test_black_service_seen_from_a_white_client_says_black(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config())
    report = await checked(url, mask_polarity=MaskPolarity.WHITE_IS_EDIT)
    polarity = report.get("polarity")
    assert polarity is not None
    assert polarity.status is Status.DIFFERS
    assert polarity.setting is not None
    assert 'mask_polarity="black_is_edit"' in polarity.setting


async def test_refused_data_uris_give_the_uploader_advice(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config(accept_data_uris=False))
    report = await checked(url)
    data_uris, polarity = report.get("data_uris"), report.get("polarity")
    assert data_uris is not None
    assert data_uris.status is Status.DIFFERS
    assert data_uris.verdict == f"data URIs not accepted: {UPLOADER_ADVICE}"
    assert data_uris.setting is not None
    assert "uploader=" in data_uris.setting
    assert any("data: URIs are not accepted" in d for d in data_uris.details)
    # without an uploader the polarity cannot be measured, and the report says how to get one measured
    assert polarity is not None
    assert polarity.status is Status.UNKNOWN
    assert "uploader" in polarity.verdict
    assert stats(url)["created"] == 0  # the refused submit made no job
    assert report.exit_code == 1


async def test_with_an_uploader_polarity_is_still_measured(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config(accept_data_uris=False, mask_polarity="white_is_edit"))
    uploads: list[str] = []
    report = await checked(url, run_uploader=sandbox_uploader(url, uploads))
    data_uris, polarity = report.get("data_uris"), report.get("polarity")
    assert data_uris is not None
    assert data_uris.status is Status.DIFFERS
    assert polarity is not None
    assert polarity.status is Status.DIFFERS, report.render()
    assert polarity.data["sent_as"] == "uploaded URLs"
    assert polarity.data["edited"] == "right"
    assert sorted(uploads) == ["image.png", "mask.png"]
    assert stats(url)["created"] == 1
    assert report.settings == [data_uris.setting, polarity.setting]


async def test_a_client_with_its_own_uploader_is_fine_when_data_uris_are_refused(
    sandbox_server: Callable[..., str],
) -> None:
    url = sandbox_server(config(accept_data_uris=False))
    report = await checked(url, uploader=sandbox_uploader(url))  # client option, not run_check's
    assert report.status is Status.OK, report.render()
    data_uris = report.get("data_uris")
    assert data_uris is not None
    assert data_uris.data["accepted"] is False


async def test_declining_the_edit_sends_nothing(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config())
    asked: list[str] = []

    def no(message: str) -> bool:
        asked.append(message)
        return False

    report = await checked(url, confirm=no)
    assert len(asked) == 1
    assert "TURBO edit" in asked[0]
    assert stats(url)["submits"] == 0
    assert [r.status for r in report.results] == [Status.OK, Status.UNKNOWN, Status.UNKNOWN]
    assert report.exit_code == 1


async def test_a_wrong_token_raises_before_any_edit(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config(token=TOKEN))
    with pytest.raises(AuthenticationError) as caught:
        await checked(url, token="not-the-token")
    assert "not-the-token" not in str(caught.value)
    assert stats(url)["submits"] == 0


async def test_a_failed_job_is_reported_not_raised(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config(fail_rate=1.0))
    report = await checked(url)
    data_uris, polarity = report.get("data_uris"), report.get("polarity")
    assert data_uris is not None
    assert data_uris.status is Status.UNKNOWN
    assert polarity is not None
    assert polarity.status is Status.UNKNOWN
    assert "failed" in data_uris.verdict


def test_the_blocking_form_runs_outside_a_loop(sandbox_server: Callable[..., str]) -> None:
    url = sandbox_server(config())
    report = check(client_for(url), size=64, timeout=30)
    assert report.status is Status.OK, report.render()


async def test_the_blocking_form_refuses_inside_a_running_loop() -> None:
    with pytest.raises(BlockingCallError, match="await run_check"):
        check()
