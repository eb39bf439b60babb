"""The real console in a real terminal (tmux) against moto: start, see the failing service, drill
in, open help, quit — and the terminal is back in cooked mode with echo. The same after SIGHUP
and SIGTERM."""

import os
import time

import pytest


def test_console_drill_in_help_quit(term):
    term.run()
    board = term.wait_for("checkout-api")
    assert "ROLLING BACK" in board
    assert "STATUS" in board and "TOP FINDING" in board
    term.keys("Enter")
    svc = term.wait_for("Rollout")
    assert "prod/checkout-api" in svc
    assert "Image not found in the registry" in term.wait_for("Image not found")
    term.keys("?")
    assert "Keys (service)" in term.wait_for("Keys (service)")
    term.keys("Escape")
    time.sleep(0.5)
    assert "Keys (service)" not in term.screen()
    term.keys("Tab", "Tab")
    assert "image_pull_not_found" in term.wait_for("image_pull_not_found")
    term.keys("q")
    out = term.wait_for("EXIT=0")
    assert "ROLLING BACK" not in out, "left the alternate screen"
    assert term.cooked()


@pytest.mark.parametrize("signal,code", [("HUP", 129), ("TERM", 143)])
def test_terminal_restored_after_signal(term, signal, code):
    term.run()
    term.wait_for("checkout-api")
    os.kill(term.pid(), getattr(__import__("signal"), f"SIG{signal}"))
    term.wait_for(f"EXIT={code}")
    assert term.cooked()


def test_bad_theme_exits_2_naming_the_file(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[styles]\ntext = { fg = \"purple\" }\n")
    proc = run("--theme", str(bad))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"ecswatch: theme: {bad}:2: 'text': unknown colour 'purple'"


def test_console_without_a_terminal_says_so(run):
    proc = run()
    assert proc.returncode == 2
    assert "the console needs a terminal" in proc.stderr
