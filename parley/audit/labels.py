"""What an audit entry's action code means, in words, for the auditor's pages.

The codes stay what is stored and searched ("view:cases:detail", "auth.sign_in"); the words are
only shown beside them. A code not named here is shown as it is.
"""

from __future__ import annotations

from parley.cases.labels import ACTION_LABELS, ACTION_SLUGS

KINDS = {"view": "Opened", "change": "Sent", "export": "Downloaded"}

PAGES = {
    "home": "their landing page",
    "cases:list": "the complaint list",
    "cases:detail": "a complaint page",
    "cases:intake": "the new-complaint form",
    "cases:export": "the complaint list as CSV",
    "cases:note_create": "a note on a complaint",
    "audit:list": "the audit trail",
    "audit:export": "the audit trail as CSV",
    "mediation:my_sessions": "their sessions",
    "mediation:session_outcome": "a session's outcome form",
    "mediation:scheduling_notes": "a session's scheduling notes",
    "mediation:survey": "an exit survey",
    "accounts:login": "the sign-in page",
    "accounts:verify": "the code step of signing in",
    "accounts:enrol": "the authenticator set-up",
    "accounts:logout": "sign-out",
    "accounts:password_change": "the password change form",
    "accounts:password_reset": "the password reset form",
    "accounts:password_reset_confirm": "a password reset link",
}
# each workflow action's form, by its URL name ("cases:acknowledge" and so on)
PAGES |= {
    f"cases:{slug.replace('-', '_')}": f"the form “{ACTION_LABELS[action]}”" for action, slug in ACTION_SLUGS.items()
}

EVENTS = {
    "auth.sign_in": "Signed in (password)",
    "auth.sign_in_failed": "Gave a wrong password",
    "auth.sign_in_refused_locked": "Tried to sign in while locked out",
    "auth.locked_out": "Was locked out after failed tries",
    "auth.address_paused": "Sign-in from an address paused after failed tries on any accounts",
    "auth.code_verified": "Gave the right code (second step)",
    "auth.code_failed": "Gave a wrong code",
    "auth.sign_out": "Signed out",
    "auth.two_factor_enrolled": "Set up an authenticator app",
    "auth.two_factor_enrol_failed": "Failed to set up an authenticator app",
    "auth.two_factor_reset": "Had their authenticator app reset",
    "user.deactivated": "Was deactivated",
    "user.created": "Was given an account",
    "user.privileges_changed": "Had their role or rights changed",
    "group.permissions_changed": "A group's permissions were changed",
    "keys.rotate": "Rotated the encryption keys",
    "retention.apply": "Applied the retention rules",
    "complaint.view": "Opened a complaint",
}


def describe(code: str) -> str:
    """The action code in words ("view:cases:detail" -> "Opened a complaint page")."""
    if code in EVENTS:
        return EVENTS[code]
    kind, _, page = code.partition(":")
    if kind in KINDS and page:
        return f"{KINDS[kind]} {PAGES.get(page, page)}"
    return code
