from __future__ import annotations

import pytest

from parley.accounts.roles import Role
from parley.policies.models import ProgramPolicy
from parley.policies.presets import install_presets
from parley.testing.factories import UserFactory


@pytest.fixture
def policy(db) -> ProgramPolicy:
    """The St. Louis preset, active."""
    install_presets(activate="st-louis")
    return ProgramPolicy.active()


def use_preset(slug: str) -> ProgramPolicy:
    install_presets(activate=slug)
    return ProgramPolicy.active()


# Named personas, one per role of DOMAIN.md section 2.
@pytest.fixture
def irene(db):
    """Irene Ortiz, oversight intake investigator."""
    return UserFactory(username="irene", first_name="Irene", last_name="Ortiz", role=Role.INTAKE)


@pytest.fixture
def ray(db):
    """Ray Donnelly, Internal Affairs reviewer."""
    return UserFactory(username="ray", first_name="Ray", last_name="Donnelly", role=Role.IAD)


@pytest.fixture
def carla(db):
    """Carla Nguyen, mediation center coordinator."""
    return UserFactory(username="carla", first_name="Carla", last_name="Nguyen", role=Role.COORDINATOR)


@pytest.fixture
def maya(db):
    """Maya Fischer, volunteer mediator."""
    return UserFactory(username="maya", first_name="Maya", last_name="Fischer", role=Role.MEDIATOR)


@pytest.fixture
def alma(db):
    """Alma Hughes, program administrator."""
    return UserFactory(username="alma", first_name="Alma", last_name="Hughes", role=Role.ADMIN)


@pytest.fixture
def root(db):
    """Ruth Okafor, program administrator and the admin's superuser (every Django permission)."""
    return UserFactory(
        username="root", first_name="Ruth", last_name="Okafor", role=Role.ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture
def audrey(db):
    """Audrey Kim, auditor (read-only)."""
    return UserFactory(username="audrey", first_name="Audrey", last_name="Kim", role=Role.AUDITOR)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests create many users; the production hasher is slow on purpose, which tests do not need."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests speak plain HTTP to the test client and the live server; production redirects to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
