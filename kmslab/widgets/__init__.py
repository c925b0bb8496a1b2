"""Presentation of the lab's results: access tables, flow pictures, explanations.

Pure functions of `Outcome`/`Decision` objects that return a pandas Styler, an SVG
string or an HTML string; they never call the engine or moto, so an interactive
controller can re-render them on every change.
"""

from ..engine.policy import is_account_statement as is_root_statement
from .explain import cli_error_line, explain_html, policy_html
from .flow import decision_path, flow_svg
from .labels import principal_label, principal_labels
from .table import access_table, flipped, outcomes_frame

__all__ = [
    "access_table", "cli_error_line", "decision_path", "explain_html", "flipped", "flow_svg",
    "is_root_statement", "outcomes_frame", "policy_html", "principal_label", "principal_labels",
]
