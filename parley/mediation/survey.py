"""The exit survey: the statements each side is asked to agree or disagree with after a session.

The community statements are those a real program used (New Orleans IPM, 2018; DOMAIN.md section 8).
Officers get a parallel survey: the same questions about the process, from their side. A statement's
code never changes once answers exist (the answers are stored by code); a new statement gets a new code.
"""

from __future__ import annotations

from parley.mediation.models import Respondent

# (code, statement)
COMMUNITY: list[tuple[str, str]] = [
    ("listened", "The mediators listened to what I had to say without judging my ideas or words."),
    ("recommend", "I would recommend mediation to other civilian complainants."),
    ("good_way", "Mediation is a good way of resolving disputes between officers and civilians."),
    ("respond_differently", "I would respond differently in a similar situation with a police officer in the future."),
    ("explain_view", "I had an opportunity to explain my point of view."),
    ("understand_actions", "The mediation helped me better understand the actions of the police officer."),
    ("community_space", "I appreciated having the mediation in a community space such as a library or school."),
    ("support_person", "It was helpful to bring, or have the option to bring, a support person."),
    ("agree_again", "If I have a complaint against an officer in the future, I would agree to mediation."),
    ("understand_policies", "The mediation helped me gain a better understanding of police practices or policies."),
    ("share_information", "If I have information about a crime I would share it with the officer."),
    ("mutual_respect", "The mediation helped build some level of mutual respect between me and the officer."),
    ("better_than_investigation", "Mediation is a better option than the traditional investigation process."),
    ("clearly_explained", "The process was clearly explained to me by the mediators and/or the program director."),
    ("resolution", "The mediation ended in a resolution."),
    ("satisfied", "I was satisfied with the mediation process."),
]

OFFICER: list[tuple[str, str]] = [
    ("listened", "The mediators listened to what I had to say without judging my ideas or words."),
    ("recommend", "I would recommend mediation to other officers."),
    ("good_way", "Mediation is a good way of resolving disputes between officers and civilians."),
    ("respond_differently", "I would respond differently in a similar situation with a community member."),
    ("explain_view", "I had an opportunity to explain my point of view."),
    ("understand_actions", "The mediation helped me better understand the community member's concerns."),
    ("community_space", "Holding the mediation in a community space such as a library or school was appropriate."),
    ("agree_again", "If a complaint is made against me in the future, I would agree to mediation."),
    ("mutual_respect", "The mediation helped build some level of mutual respect between me and the community member."),
    ("better_than_investigation", "Mediation is a better option than the traditional investigation process."),
    ("clearly_explained", "The process was clearly explained to me by the mediators and/or the program director."),
    ("resolution", "The mediation ended in a resolution."),
    ("satisfied", "I was satisfied with the mediation process."),
]

STATEMENTS: dict[str, list[tuple[str, str]]] = {Respondent.COMPLAINANT: COMMUNITY, Respondent.OFFICER: OFFICER}
