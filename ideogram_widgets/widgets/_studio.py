"""What EditWidget and ReframeWidget share: the backend (banner + token field), the Submit button that
says why it is disabled, submitting through the jobs layer, the jobs panel, and the journal's earlier runs.

Subclasses provide ``build_input(new_seed)`` (a validated EditInput / ReframeInput, or InputError) and
``route_error(err)`` (show an InputError next to the control that caused it).
"""

from __future__ import annotations

import asyncio
import html
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import ipywidgets as w
import numpy as np
from PIL import Image

from ..api import (
    DEFAULT_BASE_URL,
    TOKEN_ENV,
    AsyncClient,
    EditInput,
    IdeogramWidgetsError,
    InputError,
    ReframeInput,
)
from ..api._fetching import fetch_image_blocking
from ..api._media import ImageSource, is_remote, load_image
from ..api._preflight import CACHE, mask_digest
from ..backend import default_client
from ..jobs import Job, JobManager, Journal
from ._controls import ErrorLabel, GenerationControls
from ._earlier_runs import EarlierRuns
from ._home_loop import HomeLoop
from ._job_view import JobsPanel, ShownResult
from ._token_field import TokenField

__all__ = ["Studio", "backend_banner"]

_BANNER = '<div class="iw-banner" role="note">{}</div>'
# Clicks on Submit that reach the kernel this soon after an accepted one are the same intent (a double
# click, a repeated Enter): ipywidgets sends each click, and the in-process sandbox can answer the first
# submit before the second click arrives, so "still sending" alone cannot tell them apart.
REPEAT_WINDOW_S = 0.8
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def backend_banner(client: AsyncClient) -> str:
    """The banner text for ``client``'s backend: its own notice (the embedded sandbox), or which backend
    it is when it is not the hosted service; "" for the hosted service.

    Example:
        >>> backend_banner(AsyncClient(base_url="http://127.0.0.1:8765/v1"))[:48]
        'external backend on this machine (a sandbox or a'
    """
    if client.notice:
        return str(client.notice)
    base = str(client.base_url).rstrip("/")
    if base == DEFAULT_BASE_URL:
        return ""
    host = httpx.URL(base).host
    where = "on this machine (a sandbox or a proxy) " if host in _LOOPBACK else f"{client.label} "
    return f"external backend {where}at {base}: not the hosted RunComfy service"


class Studio(w.VBox):
    """The common frame of the editing widgets. Not used directly."""

    run_kind = "edit"  # which of the journal's earlier runs the widget lists ("edit" or "reframe")

    def __init__(
        self,
        image: ImageSource,
        controls: GenerationControls,
        *,
        client: AsyncClient | None = None,
        journal: Journal | str | os.PathLike[str] | None = None,
        submit_label: str = "Submit",
    ) -> None:
        super().__init__(layout=w.Layout(width="100%", grid_gap="8px"))
        self._url, self._image = self._open_source(image)
        self._source_path = _path_of(image)
        self.clock: Callable[[], float] = time.monotonic  # injectable, for the repeat window
        self._last_click: float | None = None
        self._in_flight: Job | None = None
        self.ignored_clicks = 0  # clicks taken as repeats of the previous one (see REPEAT_WINDOW_S)
        self.controls = controls
        journal_obj = journal if isinstance(journal, Journal) else Journal(journal)
        self._explicit_client = client is not None
        self._entered_token = False
        self.manager = JobManager(client or default_client(), journal_obj)
        self.banner = w.HTML()
        self.token = TokenField()
        self.token.on_token(self._use_token)
        self.submit_button = w.Button(
            description=submit_label,
            icon="paper-plane",
            button_style="primary",
            layout=w.Layout(width="140px"),
        )
        self.home = HomeLoop()  # clicks can arrive on a kernel subshell's thread: submit on the kernel's loop
        self.submit_button.on_click(lambda _: self.home.run(self._submit_clicked))
        self.reason = w.HTML()
        self.submit_error = ErrorLabel()
        self.panel = JobsPanel(
            home=self.home,
            before=self._image,
            on_use=self.set_image,
            journal=self.manager.journal,
            source_path=self._source_path,
        )
        self._show_backend()

    def arrange(self, left: w.Widget, css_class: str) -> None:
        """Lay the widget out: the backend bar, then ``left`` beside the controls and Submit, then jobs."""
        submit_row = w.HBox(
            [self.submit_button, self.reason], layout=w.Layout(grid_gap="8px", align_items="center")
        )
        right = w.VBox([self.controls, submit_row, self.submit_error], layout=w.Layout(flex="0 0 380px"))
        top = w.HBox([self.banner, self.token], layout=w.Layout(flex_flow="row wrap", grid_gap="8px"))
        # the result view wraps below on a narrow notebook and sits beside the others on a wide one
        body = w.HBox(
            [left, right, self.panel.result_box], layout=w.Layout(flex_flow="row wrap", grid_gap="16px")
        )
        self.earlier_runs = EarlierRuns(
            self.manager.journal, kind=self.run_kind, panel=self.panel, home=self.home
        )
        self.children = [top, body, self.panel, self.earlier_runs]
        self.add_class("iw-studio")
        self.add_class(css_class)
        self.controls.on_change(self.validate)
        self.validate()

    # ----------------------------------------------------------------- the backend

    def _show_backend(self) -> None:
        client = self.manager.client
        banner = backend_banner(client)
        with self.hold_sync():
            if banner:
                self.banner.value = _BANNER.format(html.escape(banner))
                self.banner.layout.display = "block"
            else:
                self.banner.value = ""
                self.banner.layout.display = "none"
            self.token.has_token = client.has_token
            source = "token entered here" if self._entered_token else f"token from {TOKEN_ENV}"
            the = "the " if client.notice else ""
            self.token.message = f"using {the}{client.label}" + (f" ({source})" if client.has_token else "")

    def _use_token(self, token: str | None) -> None:
        if self._explicit_client:
            self.token.message = "this widget was given a client=...; the token field does not replace it"
            return
        try:
            client = AsyncClient(token) if token else default_client()
        except IdeogramWidgetsError as err:  # e.g. control characters; the message never holds the token
            self.token.message = f"that token was not used: {err}"
            return
        self._entered_token = token is not None
        self.manager = JobManager(client, self.manager.journal)
        self._show_backend()

    # ----------------------------------------------------------------- image

    @property
    def image(self) -> Image.Image:
        """The current input image (the original, lossless)."""
        return self._image

    def set_image(self, image: ImageSource) -> None:
        """Make ``image`` the new input (e.g. a result, to keep editing it). A non-image raises
        InputError, also shown in the widget."""
        try:
            self._url, self._image = self._open_source(image)
        except InputError as err:
            self.route_error(err)
            raise
        self._source_path = _path_of(image)
        self.submit_error.show(None)
        self.panel.before = self._image
        self.panel.source_path = self._source_path
        self.validate()

    # ----------------------------------------------------------------- submitting

    def build_input(self, *, new_seed: bool) -> EditInput | ReframeInput:  # pragma: no cover - abstract
        raise NotImplementedError

    def route_error(self, error: InputError) -> None:
        """Show ``error`` next to its control (the Submit area when no control owns the field)."""
        if not self.controls.show_error(error.field, error.reason or str(error)):
            self.submit_error.show(str(error))

    def validate(self, _: Any = None) -> str | None:
        """Check the current input; enable Submit, or disable it and say why. Returns the reason."""
        reason: str | None = None
        error: InputError | None = None
        inp: EditInput | ReframeInput | None = None
        try:
            inp = self.build_input(new_seed=False)
        except InputError as err:
            reason, error = err.reason or str(err), err
        self.controls.show_setting_error(error)  # a bad style or palette: said under its section too
        self._checked = (reason, inp)
        self._show_check()
        return reason

    def _show_check(self) -> None:
        """Show the last check beside Submit: its reason, "sending…" while a submit leaves, or the note."""
        reason, inp = self._checked
        sending = self._in_flight is not None and self._in_flight.state == "submitting"
        with self.hold_sync():
            self.submit_button.disabled = reason is not None or sending
            if reason is not None or inp is None:
                self.reason.value = f"<span class='iw-reason'>{html.escape(reason or '')}</span>"
            else:
                self.reason.value = (
                    "<span class='iw-reason'>sending…</span>" if sending else self._preflight(inp)
                )

    def _submit_state(self, change: Any) -> None:
        """Fired from the poller at each state of the job just sent: the input has not changed, so only
        "sending…" is brought up to date (re-checking a 12 MP mask here would hold the loop ~100 ms)."""
        if change.new != "submitting":
            change.owner.unobserve(self._submit_state, "state")
        self._show_check()

    # ----------------------------------------------------------------- photos: URLs, preflight, size sent

    @staticmethod
    def _open_source(image: ImageSource) -> tuple[str | None, Image.Image]:
        """(the URL sent, the picture shown): a URL is downloaded once (api.fetching's safe rules)."""
        if isinstance(image, str) and is_remote(image) and image[:5].lower() != "data:":
            return image, fetch_image_blocking(image)
        return None, load_image(image)

    @property
    def sent_image(self) -> Image.Image | str:
        """What is sent as ``image``: the URL the widget was given, else the (upright) image."""
        return self._url if self._url is not None else self._image

    def _preflight(self, inp: EditInput | ReframeInput) -> str:
        """Start building ``inp``'s payload (in a thread, cached for the submit) and return the note shown
        beside Submit: the size sent and that the result is put back into the full-size original. A
        build that fails disables Submit with its reason."""
        note = self._sent_note(inp)
        client = self.manager.client
        mask = getattr(inp, "mask", None)
        key = (id(inp.image), mask_digest(mask) if isinstance(mask, np.ndarray) else mask, id(client))
        if key == getattr(self, "_preflight_key", None):  # built (or being built) already
            failure: str | None = getattr(self, "_preflight_failure", None)
            self.submit_button.disabled = failure is not None
            return failure or note
        self._preflight_key = key
        self._preflight_failure = None
        self._preflight_generation = generation = getattr(self, "_preflight_generation", 0) + 1
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None

        def failed(err: IdeogramWidgetsError) -> None:
            if generation == self._preflight_generation:
                why = html.escape(getattr(err, "reason", None) or str(err))
                self._preflight_failure = f"<span class='iw-reason'>{why}</span>"
                self.submit_button.disabled = True
                self.reason.value = self._preflight_failure

        journal, original = self.manager.journal, self._image

        def build() -> None:
            try:
                if client.uploader is None:  # never upload the user's picture before they press Submit
                    inp.prepare(polarity=client.mask_polarity)
                # the journal keeps the original before the submit is sent; stored now (content-addressed,
                # so the submit only finds it), the click does not wait for a 12 MP PNG
                CACHE.get(
                    ("journal", id(journal), id(original)), lambda: journal.store_image(original), original
                )
            except OSError:
                pass  # the journal's own write at submit time reports a disk that says no
            except IdeogramWidgetsError as err:  # InputError: it cannot be sent as it is
                if loop is None:
                    failed(err)
                else:
                    loop.call_soon_threadsafe(failed, err)

        self._preflight_thread = threading.Thread(target=build, name="iw-preflight", daemon=True)
        self._preflight_thread.start()
        return note

    def _sent_note(self, inp: EditInput | ReframeInput) -> str:
        """ "sent at W×H; the result is put back into your W×H original" when the size sent differs."""
        sent, original = inp.sent_size, self._image.size
        if sent is None or sent == original:
            return ""
        what = "the result is put back into your" if isinstance(inp, EditInput) else "from your"
        return (
            "<span class='iw-sent-size' style='font-size:12px'>"
            f"sent at {sent[0]}×{sent[1]}; {what} {original[0]}×{original[1]} original</span>"
        )

    def submit(self) -> Job:
        """Submit the current input once and follow it in the background; returns the Job at once.

        Raises InputError (also shown next to the control) when the input is not valid.
        """
        self.controls.clear_errors()
        self.submit_error.show(None)
        try:
            inp = self.build_input(new_seed=True)
        except InputError as err:
            self.route_error(err)
            raise
        job = self.manager.submit(inp)
        self.panel.add(job)
        return job

    @property
    def takes_a_click(self) -> bool:
        """Whether a click on Submit now is a new submit: False while the previous submit is being sent
        or within REPEAT_WINDOW_S of its click (a double click, a repeated Enter)."""
        if self._in_flight is not None and self._in_flight.state == "submitting":
            return False
        return self._last_click is None or self.clock() - self._last_click >= REPEAT_WINDOW_S

    def _submit_clicked(self) -> None:
        """One submit per intent: a click while the previous one is still being sent, or within
        REPEAT_WINDOW_S of it, is the same intent (counted in ``ignored_clicks``)."""
        if not self.takes_a_click:
            self.ignored_clicks += 1
            return
        self._last_click = self.clock()
        try:
            job = self.submit()
        except InputError:
            pass  # shown next to its control
        except IdeogramWidgetsError as err:
            self.submit_error.show(str(err))
        else:
            self._in_flight = job
            job.observe(self._submit_state, "state")
            self._show_check()

    # ----------------------------------------------------------------- results

    @property
    def jobs(self) -> list[Job]:
        """Every job submitted from this widget, oldest first."""
        return list(self.panel.jobs)

    @property
    def result(self) -> Image.Image | None:
        """The newest finished result as the widget shows it (an edit's composite when the jobs layer
        gives one, else the service's output), or None."""
        for job in reversed(self.panel.jobs):
            if job.done and job.result is not None and len(job.result):
                return ShownResult(job, "composite").image
        return None

    def save_result(self, path: str | Path) -> Path | None:
        """Save the result on view (an edit's composite, or the service's output when toggled), byte for
        byte as the Save button downloads it, to ``path``."""
        return self.panel.save(path)


def _path_of(image: ImageSource) -> Path | None:
    """The user's own file ``image`` came from (named by "copy as code"), or None."""
    if isinstance(image, (str, os.PathLike)) and not str(image).startswith(("http://", "https://", "data:")):
        path = Path(image).expanduser()
        return path.resolve() if path.is_file() else None
    return None
