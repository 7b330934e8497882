"""The one assertion helper the Python client scripts share: a failed check
stops the script with what was being checked; passed ones are counted."""

passed = 0


def check(ok, what):
    global passed
    if not ok:
        raise AssertionError(what)
    passed += 1
    print(f"ok   {what}")
