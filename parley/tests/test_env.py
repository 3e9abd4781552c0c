import pytest

from parley.env import ImproperEnvironment, env_bool, env_int, env_list


def test_booleans_accept_the_usual_words(monkeypatch):
    monkeypatch.setenv("X", "yes")
    assert env_bool("X", False) is True
    monkeypatch.setenv("X", "off")
    assert env_bool("X", True) is False


def test_a_bad_boolean_fails_loudly_naming_the_variable(monkeypatch):
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(ImproperEnvironment, match="X must be one of"):
        env_bool("X", False)


def test_integers_are_checked(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert env_int("N", 1) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(ImproperEnvironment, match="N must be a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperEnvironment, match="at least 5"):
        env_int("N", 10, minimum=5)


def test_lists_split_on_commas(monkeypatch):
    monkeypatch.setenv("L", " a, b ,,c")
    assert env_list("L", []) == ["a", "b", "c"]
    monkeypatch.delenv("L")
    assert env_list("L", ["d"]) == ["d"]
