"""Small modal questions: confirm an action, or ask for a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label
from textual.worker import Worker, WorkerState

from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.widgets.footer import HarvestFooter

T = TypeVar("T")


class _Question(ModalScreen[T]):
    """A modal question: its text, and the keys in effect for the hints on its buttons."""

    def __init__(self, question: str, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__(classes="dialog")
        self.question = question
        self.keys = keys


class FormDialog(ModalScreen[T]):
    """A modal form: enter in a field or the Save button saves (`action_save`), the Cancel button
    or its key dismisses it with nothing. A save runs in a worker (`save_in_worker`): its result
    dismisses the form, its error goes to `failed` and the form stays with what was typed."""

    saving = False  # a save is running: another is refused

    def on_input_submitted(self) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        raise NotImplementedError

    def save_in_worker(self, save: Callable[[], T]) -> None:
        self.saving = True
        self.run_worker(save, thread=True, exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self.saving = False
            self.failed(event.worker.error)

    def failed(self, error: BaseException | None) -> None:
        raise NotImplementedError


class ConfirmScreen(_Question[bool]):
    BINDINGS = bindings("confirm")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Text(self.question), classes="question")  # names inside are not markup
            with Horizontal(classes="buttons"):
                yield Button(f"Yes ({self.keys.hint('yes')})", variant="primary", id="yes")
                yield Button(f"No ({self.keys.hint('no')})", id="no")
        yield HarvestFooter(show_command_palette=False)  # this dialog's own keys

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class ReasonScreen(_Question[str | None]):
    BINDINGS = bindings("reason")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(Text(self.question), classes="question")
            cancel = self.keys.hint("cancel_reason")
            yield Input(placeholder=f"reason (enter to confirm, {cancel} to cancel)", id="reason")
        yield HarvestFooter(show_command_palette=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())
        else:
            self.notify("A reason is required", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)
