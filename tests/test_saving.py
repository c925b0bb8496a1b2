"""Saving a lab loses nothing: each attack of issue 15 on `save_scenario` is refused, nothing is written.

The work folder is a tmp_path (never the repo, never HOME); HOME is pointed at another tmp folder.
"""

from __future__ import annotations

import os
import stat

import pytest

from kmslab import Lab
from kmslab.export import SaveError, safe_target, save_scenario, write_atomically
from kmslab.scenario import load_scenario


@pytest.fixture
def lab():
    lab = Lab()
    lab.create_user("kms-test-1")
    lab.create_key("demo")
    yield lab
    lab.stop()


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A work folder (the current directory) and, beside it, a folder outside it and a fake HOME."""
    folder = tmp_path / "work"
    outside = tmp_path / "outside"
    home = tmp_path / "home"
    for d in (folder, outside, home / ".aws"):
        d.mkdir(parents=True)
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOME", str(home))
    return folder, outside, home


def _files(*folders):
    return sorted(str(p) for f in folders for p in f.rglob("*"))


def test_a_relative_name_is_saved_in_the_work_folder(lab, work):
    folder, outside, _ = work
    target = save_scenario(lab, "my-lab.yaml")
    assert target == folder.resolve() / "my-lab.yaml"
    assert load_scenario(target).keys.keys() == {"demo"}
    assert _files(folder) == [str(folder / "my-lab.yaml")]  # no temporary file left


@pytest.mark.parametrize("path", ["../outside/escape.yaml", "sub/../../outside/escape.yaml"])
def test_dot_dot_cannot_leave_the_work_folder(lab, work, path):
    folder, outside, _ = work
    with pytest.raises(SaveError, match="outside the work folder"):
        save_scenario(lab, path)
    assert _files(outside) == [] and _files(folder) == []


def test_an_absolute_path_outside_is_refused_unless_chosen_explicitly(lab, work):
    folder, outside, _ = work
    with pytest.raises(SaveError, match="allow_outside=True"):
        save_scenario(lab, outside / "escape.yaml")
    assert _files(outside) == []
    target = save_scenario(lab, outside / "escape.yaml", allow_outside=True)
    assert target.parent == outside.resolve() and load_scenario(target).name == "exported-lab"
    inside = save_scenario(lab, folder / "inside.yaml")  # an absolute path inside is fine
    assert inside == folder.resolve() / "inside.yaml"


def test_an_existing_file_is_never_replaced_without_overwrite(lab, work):
    folder, _, _ = work
    notes = folder / "notes.yaml"
    notes.write_text("my notes: the first line matters\nsecond line\n")
    with pytest.raises(SaveError, match="already exists") as info:
        save_scenario(lab, "notes.yaml")
    assert info.value.exists
    assert notes.read_text() == "my notes: the first line matters\nsecond line\n"
    os.chmod(notes, 0o640)
    save_scenario(lab, "notes.yaml", overwrite=True)
    assert load_scenario(notes).keys.keys() == {"demo"}
    assert stat.S_IMODE(notes.stat().st_mode) == 0o640  # a replaced file keeps its permissions
    assert _files(folder) == [str(notes)]


@pytest.mark.parametrize("name", ["notes.txt", "notes", ".bashrc", "my-lab.yaml.bak", "folder.yaml/"])
def test_only_scenario_file_names_are_written_even_with_overwrite(lab, work, name):
    folder, _, _ = work
    existing = folder / name.rstrip("/")
    if name.endswith("/"):
        existing.mkdir()
    else:
        existing.write_text("keep me\n")
    with pytest.raises(SaveError):
        save_scenario(lab, name, overwrite=True)
    assert existing.is_dir() if name.endswith("/") else existing.read_text() == "keep me\n"


def test_the_learners_aws_files_are_out_of_reach(lab, work):
    _, _, home = work
    credentials = home / ".aws" / "credentials"
    credentials.write_text("[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n")
    for path, kwargs in [("~/.aws/credentials", {}), (credentials, {}),
                         (credentials, {"allow_outside": True, "overwrite": True}),
                         ("~/.aws/credentials.yaml", {})]:
        with pytest.raises(SaveError):
            save_scenario(lab, path, **kwargs)
    assert credentials.read_text() == "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"
    assert _files(home) == [str(home / ".aws"), str(credentials)]


def test_a_symbolic_link_is_never_followed_out(lab, work):
    folder, outside, _ = work
    victim = outside / "victim.yaml"
    victim.write_text("outside: keep\n")
    (folder / "link.yaml").symlink_to(victim)
    (folder / "linkdir").symlink_to(outside, target_is_directory=True)
    for path, kwargs in [("link.yaml", {}), ("link.yaml", {"overwrite": True}),
                         ("link.yaml", {"overwrite": True, "allow_outside": True}),
                         ("linkdir/victim.yaml", {"overwrite": True}), ("linkdir/new.yaml", {})]:
        with pytest.raises(SaveError):
            save_scenario(lab, path, **kwargs)
    assert victim.read_text() == "outside: keep\n" and _files(outside) == [str(victim)]
    assert (folder / "link.yaml").is_symlink()


def test_a_missing_folder_and_an_empty_name_are_refused(lab, work):
    for path in ["", "  ", "no-such-folder/x.yaml", "a\0b.yaml"]:
        with pytest.raises(SaveError):
            save_scenario(lab, path)


def test_safe_target_is_checked_against_the_given_base(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    assert safe_target("x.yaml", base=base) == base.resolve() / "x.yaml"
    assert safe_target("x.YML", base=base).name == "x.YML"
    with pytest.raises(SaveError, match="outside"):
        safe_target(tmp_path / "x.yaml", base=base)


def test_a_write_that_fails_midway_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "lab.yaml"
    target.write_text("old: file\n")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(target, "new: file\n", overwrite=True)
    assert target.read_text() == "old: file\n"
    assert [p.name for p in tmp_path.iterdir()] == ["lab.yaml"]  # the temporary file is gone


def test_a_file_that_appears_after_the_check_is_not_replaced(tmp_path):
    target = safe_target("race.yaml", base=tmp_path)
    target.write_text("someone else's\n")  # created between the check and the write
    with pytest.raises(SaveError, match="already exists"):
        write_atomically(target, "mine\n")
    assert target.read_text() == "someone else's\n"
    assert [p.name for p in tmp_path.iterdir()] == ["race.yaml"]


def test_a_link_that_appears_after_the_check_is_replaced_not_followed(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("keep\n")
    target = safe_target("race.yaml", base=tmp_path, overwrite=True)
    target.symlink_to(outside)
    write_atomically(target, "mine\n", overwrite=True)
    assert outside.read_text() == "keep\n" and not target.is_symlink() and target.read_text() == "mine\n"


def test_a_lab_with_a_key_pending_deletion_is_saved_with_its_state_and_replays(work):
    """The format's `state: PendingDeletion` holds what save once refused (the file said only disabled)."""
    folder, _, _ = work
    lab = Lab()
    try:
        lab.create_key("gone")
        lab.admin("kms").schedule_key_deletion(KeyId=lab.key_arn("gone"), PendingWindowInDays=7)
        saved = save_scenario(lab, "pending.yaml")
        table = {(o.principal, o.action): (o.decision, o.error) for o in lab.access_matrix()}
    finally:
        lab.stop()
    assert _files(folder) == [str(saved)]
    from kmslab.runner import run_scenario
    from kmslab.scenario import load_scenario

    assert load_scenario(saved).keys["gone"].key_state == "PendingDeletion"
    run = run_scenario(saved)
    assert run.checked() > 0 and run.mismatches() == []
    # AWS's key state table: an authorized Decrypt of a key pending deletion is KMSInvalidStateException.
    # https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html#key-state-table
    assert table[("arn:aws:iam::111122223333:root", "kms:Decrypt")] == ("error", "KMSInvalidStateException")
