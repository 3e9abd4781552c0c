"""The staff roles of a police-community mediation program (DOMAIN.md section 2).

Complainants and officers take part in the workflow, but they are parties, not users: staff record
what they say and decide. Each staff role belongs to one organisation; the organisation decides
what a role may see of the other side (the confidentiality wall).
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    INTAKE = "intake", "Oversight intake / investigator"
    IAD = "iad", "Internal Affairs reviewer"
    COORDINATOR = "coordinator", "Mediation coordinator"
    MEDIATOR = "mediator", "Mediator"
    ADMIN = "admin", "Program administrator"
    AUDITOR = "auditor", "Auditor (read-only)"


class Organisation(models.TextChoices):
    OVERSIGHT = "oversight", "Oversight board"
    POLICE = "police", "Police department (Internal Affairs)"
    MEDIATION_CENTER = "mediation_center", "Mediation center"


ORGANISATION_OF_ROLE: dict[str, str] = {
    Role.INTAKE: Organisation.OVERSIGHT,
    Role.IAD: Organisation.POLICE,
    Role.COORDINATOR: Organisation.MEDIATION_CENTER,
    Role.MEDIATOR: Organisation.MEDIATION_CENTER,
    Role.ADMIN: Organisation.OVERSIGHT,
    Role.AUDITOR: Organisation.OVERSIGHT,
}

# The one actor that is not a person: a scheduled job (deadline sweeps, imports) acting for Parley.
SYSTEM_ROLE = "system"
