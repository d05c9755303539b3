"""RFC state changes as guarded transitions: each checks the state, records who/when/why, audits, commits.
One module per step of the lifecycle; this package names them all, so callers write services.submit."""
from .approval import (
    decide,
    deployed_out_of_order,
    out_of_order_text,
    overtaken_by,
    rebuild_pending,
    record_governance,
    sync_pending,
    version_order_text,
)
from .closure import (
    WORK_OFF_FIELDS,
    add_lessons,
    add_work_off_action,
    close,
    finish_work_off_action,
    open_work_off_actions,
    work_off_actions,
)
from .common import CONFLICT, get_visible, rfc_or_404, visible_rfc
from .consultation import (
    answer_consultation,
    awaiting_answer,
    consult,
    consultable,
    consultable_organisations,
    consulted_words,
    impacted,
    objection_text,
    objections,
)
from .control_points import set_control_points
from .deployment import check_may_record_deployment, check_waits_for_retest, record_deployment, record_retest
from .drafts import (
    CHANGE_WORDS,
    CONTENT_FIELDS,
    check_may_edit,
    content_of,
    index_for_search,
    reindex_named,
    revision_changes,
    save_draft,
    snapshot,
    submit,
    withdraw,
)
from .emergencies import (
    CARRY_OVER_LIMIT,
    COUNTED,
    carry_overs,
    not_carried_text,
    outstanding_emergency_fixes,
    outstanding_emergency_rows,
    outstanding_fixes_of,
    owed_by,
)
from .version_hints import system_versions, version_context

__all__ = [
    "CONFLICT", "get_visible", "rfc_or_404", "visible_rfc", "CARRY_OVER_LIMIT", "COUNTED", "carry_overs",
    "not_carried_text", "outstanding_emergency_fixes", "outstanding_fixes_of", "outstanding_emergency_rows", "owed_by",
    "system_versions",
    "version_context",
    "set_control_points", "decide", "deployed_out_of_order", "out_of_order_text", "overtaken_by", "rebuild_pending",
    "record_governance", "sync_pending", "version_order_text", "CHANGE_WORDS", "CONTENT_FIELDS", "check_may_edit",
    "content_of", "index_for_search", "reindex_named", "revision_changes", "save_draft", "snapshot", "submit",
    "withdraw", "check_may_record_deployment", "check_waits_for_retest", "record_deployment", "record_retest",
    "WORK_OFF_FIELDS", "add_lessons", "add_work_off_action", "close", "finish_work_off_action",
    "open_work_off_actions", "work_off_actions", "answer_consultation", "awaiting_answer", "consult", "consultable",
    "consultable_organisations", "consulted_words", "impacted", "objection_text", "objections"
]
