"""Tests for allocator.policy: presets, policy files, readable errors, immutability."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
from pydantic import ValidationError

from allocator.errors import InputError, PolicyError
from allocator.policy import PRESETS, Penalties, Policy
from jags.policies import load_policy, read_policy_file


def write_policy(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    """Write ``text`` as a policy file and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_readable(message: str, *fragments: str) -> None:
    """One line naming what is wrong, without pydantic's dump."""
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    assert "\n" not in message
    assert "errors.pydantic.dev" not in message
    assert "validation error" not in message
    assert "input_value" not in message
    assert "Traceback" not in message


# Presets ------------------------------------------------------------------------


def test_presets_are_the_three_partnerships() -> None:
    assert set(PRESETS) == {"norfolk", "bedfordshire", "cheshire-west"}


@pytest.mark.parametrize("name", PRESETS)
def test_each_preset_loads_under_its_own_name(name: str) -> None:
    policy = Policy.preset(name)
    assert policy.name == name
    assert policy.partnership
    assert policy.window_first_day <= policy.window_last_day
    assert load_policy(name) == policy


def test_norfolk_preset() -> None:
    norfolk = Policy.preset("norfolk")
    assert norfolk.facilitators_per_request == 1
    assert not norfolk.require_lead
    assert norfolk.allocate_within_days == 2
    assert norfolk.cutoff == time(17, 0)
    assert (norfolk.window_first_day, norfolk.window_last_day) == (10, 15)
    assert norfolk.session_minutes == 90
    assert norfolk.feedback_minutes == 5
    assert (norfolk.day_start, norfolk.day_end) == (time(9, 0), time(17, 0))
    assert norfolk.start_grid_minutes == 15
    assert not norfolk.chronologies_required
    assert norfolk.max_supervisees is None
    assert "Norfolk" in norfolk.partnership


def test_the_defaults_are_norfolks() -> None:
    assert Policy() == Policy.preset("norfolk")


def test_bedfordshire_preset() -> None:
    bedfordshire = Policy.preset("bedfordshire")
    assert bedfordshire.facilitators_per_request == 2
    assert bedfordshire.require_lead
    assert bedfordshire.max_supervisees == 10
    assert (bedfordshire.window_first_day, bedfordshire.window_last_day) == (1, 15)
    assert not bedfordshire.chronologies_required
    assert "Bedfordshire" in bedfordshire.partnership


def test_cheshire_west_preset() -> None:
    cheshire = Policy.preset("cheshire-west")
    assert cheshire.chronologies_required
    assert cheshire.chronology_due_days == 2
    assert cheshire.facilitators_per_request == 1
    assert not cheshire.require_lead
    assert (cheshire.window_first_day, cheshire.window_last_day) == (10, 15)
    assert "Cheshire West" in cheshire.partnership


def test_presets_differ_from_each_other() -> None:
    policies = [Policy.preset(name) for name in PRESETS]
    assert len({p.model_dump_json() for p in policies}) == len(PRESETS)


# Files --------------------------------------------------------------------------


def test_from_file_with_a_base_overrides_fields_and_nested_fields(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path,
        (
            'base = "norfolk"\n'
            'name = "norfolk-pilot"\n'
            "window_last_day = 20\n"
            "cutoff = 16:00:00\n"
            "closure_days = [2026-12-24, 2026-12-31]\n"
            "\n"
            "[penalties]\n"
            "same_locality = 0\n"
        ),
    )
    policy = read_policy_file(path)
    assert policy.name == "norfolk-pilot"
    assert policy.window_last_day == 20
    assert policy.window_first_day == 10  # from the base
    assert policy.allocate_within_days == 2  # from the base
    assert policy.cutoff == time(16, 0)
    assert policy.closure_days == (date(2026, 12, 24), date(2026, 12, 31))
    assert policy.penalties.same_locality == 0
    # The rest of [penalties] is kept from the base, not reset.
    assert policy.penalties.same_sector == Penalties().same_sector == 3
    assert policy.penalties.worked_alongside == 2
    # Everything not named equals the base.
    untouched = {"name", "window_last_day", "cutoff", "closure_days", "penalties"}
    base = Policy.preset("norfolk").model_dump(exclude=untouched)
    assert policy.model_dump(exclude=untouched) == base


def test_nested_override_keeps_the_bases_other_nested_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shipped presets all use the default penalties, so a base with its own
    # penalties is needed to tell "merge [penalties]" from "replace [penalties]".
    real_preset = Policy.preset
    strict = real_preset("norfolk").replace(
        penalties={"same_sector": 7, "same_locality": 5, "worked_alongside": 4}
    )

    def fake_preset(name: str) -> Policy:
        return strict if name == "norfolk" else real_preset(name)

    monkeypatch.setattr(Policy, "preset", staticmethod(fake_preset))
    path = write_policy(tmp_path, 'base = "norfolk"\n[penalties]\nsame_locality = 0\n')
    policy = read_policy_file(path)
    assert policy.penalties.same_locality == 0
    assert policy.penalties.same_sector == 7
    assert policy.penalties.worked_alongside == 4


def test_from_file_starts_from_a_non_default_base(tmp_path: Path) -> None:
    path = write_policy(tmp_path, 'base = "bedfordshire"\nmax_supervisees = 8\n')
    policy = read_policy_file(path)
    assert policy.facilitators_per_request == 2
    assert policy.require_lead
    assert policy.max_supervisees == 8
    assert (policy.window_first_day, policy.window_last_day) == (1, 15)
    # A modified policy names itself after its base and file, never just the preset.
    assert policy.name == f"bedfordshire ({path.name})"
    base = Policy.preset("bedfordshire").model_dump(exclude={"max_supervisees", "name"})
    assert policy.model_dump(exclude={"max_supervisees", "name"}) == base


def test_from_file_without_a_base_uses_the_defaults(tmp_path: Path) -> None:
    path = write_policy(tmp_path, 'name = "suffolk"\nchronologies_required = true\n')
    policy = read_policy_file(path)
    assert policy.name == "suffolk"
    assert policy.chronologies_required
    assert policy.model_dump(exclude={"name", "chronologies_required"}) == Policy().model_dump(
        exclude={"name", "chronologies_required"}
    )


def test_load_by_path(tmp_path: Path) -> None:
    path = write_policy(tmp_path, 'base = "cheshire-west"\ncontact_days = 3\n', "cw.toml")
    by_path = load_policy(path)
    by_str = load_policy(str(path))
    assert by_path == by_str == read_policy_file(path)
    assert by_path.chronologies_required
    assert by_path.contact_days == 3


def test_load_by_preset_name() -> None:
    assert load_policy("bedfordshire") == Policy.preset("bedfordshire")
    assert load_policy("bedfordshire").require_lead


# Errors -------------------------------------------------------------------------


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "window_last_day = \n", "broken.toml")
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "broken.toml", "not valid TOML")
    assert "line 1" in str(info.value)


def test_unknown_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    path = write_policy(tmp_path, 'base = "norfolk"\nfacilitator_count = 2\n', "typo.toml")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert_readable(str(info.value), "typo.toml", "facilitator_count")


def test_unknown_nested_field_names_its_table(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "[penalties]\nsame_sectr = 1\n", "nested.toml")
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "nested.toml", "penalties.same_sectr")


def test_window_ending_before_it_starts_is_rejected(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path, 'base = "norfolk"\nwindow_first_day = 12\nwindow_last_day = 8\n', "window.toml"
    )
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "window.toml", "window_last_day", "window_first_day")


def test_value_of_the_wrong_type_names_the_field(tmp_path: Path) -> None:
    path = write_policy(tmp_path, 'window_first_day = "ten"\n', "types.toml")
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "types.toml", "window_first_day")


def test_every_problem_in_a_file_is_reported(tmp_path: Path) -> None:
    path = write_policy(tmp_path, "contact_days = -1\ncolour = 'blue'\n", "two.toml")
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "two.toml", "contact_days", "colour")


def test_co_facilitation_settings_must_agree(tmp_path: Path) -> None:
    path = write_policy(
        tmp_path, 'base = "bedfordshire"\nfacilitators_per_request = 1\n', "lead.toml"
    )
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "lead.toml", "require_lead")


def test_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy("suffolk")
    assert_readable(str(info.value), "suffolk", "norfolk", "bedfordshire", "cheshire-west")
    with pytest.raises(PolicyError, match="suffolk"):
        Policy.preset("suffolk")


def test_unknown_base_names_the_file(tmp_path: Path) -> None:
    path = write_policy(tmp_path, 'base = "suffolk"\n', "based.toml")
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "based.toml", "suffolk")


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as info:
        read_policy_file(tmp_path / "absent.toml")
    assert_readable(str(info.value), "absent.toml")
    with pytest.raises(PolicyError, match=r"absent\.toml"):
        load_policy(tmp_path / "absent.toml")


def test_file_that_is_not_text_names_it(tmp_path: Path) -> None:
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00name = 1")
    with pytest.raises(PolicyError) as info:
        read_policy_file(path)
    assert_readable(str(info.value), "binary.toml")


def test_policy_errors_are_input_errors() -> None:
    # The CLI turns input errors into exit code 2 and a message.
    with pytest.raises(InputError):
        load_policy("no-such-policy")


# Immutability and replace -------------------------------------------------------


def test_policies_are_frozen() -> None:
    policy = Policy.preset("norfolk")
    with pytest.raises(ValidationError):
        policy.window_last_day = 20  # type: ignore[misc]
    with pytest.raises(ValidationError):
        policy.penalties.same_sector = 0  # type: ignore[misc]
    assert isinstance(policy.closure_days, tuple)
    assert policy.window_last_day == 15
    assert policy.penalties.same_sector == 3


def test_preset_returns_an_independent_equal_policy_each_time() -> None:
    first = Policy.preset("norfolk")
    changed = first.replace(window_last_day=20)
    assert Policy.preset("norfolk").window_last_day == 15
    assert changed is not first
    assert first.window_last_day == 15


def test_replace_returns_a_validated_copy() -> None:
    norfolk = Policy.preset("norfolk")
    shorter = norfolk.replace(window_first_day=5, window_last_day=8)
    assert (shorter.window_first_day, shorter.window_last_day) == (5, 8)
    assert (norfolk.window_first_day, norfolk.window_last_day) == (10, 15)
    assert shorter.model_dump(
        exclude={"window_first_day", "window_last_day"}
    ) == norfolk.model_dump(exclude={"window_first_day", "window_last_day"})


@pytest.mark.parametrize(
    "changes",
    [
        {"window_last_day": 5},  # before window_first_day (10)
        {"require_lead": True},  # needs two facilitators
        {"facilitators_per_request": 3},
        {"allocate_within_days": -1},
        {"feedback_minutes": 90},  # as long as the session
        {"day_end": time(8, 0)},  # before day_start
        {"no_such_setting": 1},
    ],
)
def test_replace_validates(changes: dict[str, object]) -> None:
    norfolk = Policy.preset("norfolk")
    with pytest.raises(ValueError):  # pydantic's ValidationError
        norfolk.replace(**changes)
    assert norfolk == Policy.preset("norfolk")


@pytest.mark.parametrize("field", ["day_start", "day_end", "cutoff"])
def test_a_time_of_day_with_a_time_zone_is_a_policy_error(field: str, tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(f'base = "norfolk"\n{field} = 0\n', encoding="utf-8")  # seconds, in UTC
    with pytest.raises(PolicyError, match=f"{field}: is not a local time of day"):
        read_policy_file(path)
