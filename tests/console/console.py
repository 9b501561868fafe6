#!/usr/bin/env python3
"""Drives 'bcadm console' through a pseudo-terminal, as a person would,
and runs script mode (bcadm -f FILE, bcadm console < FILE).

Env: BCADM (the built bcadm).  Prints 'N passed, N failed'; exit 1 on any
failure."""
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BCADM = os.environ["BCADM"]
TMP = tempfile.mkdtemp(prefix="bc-console.")
STORE = os.path.join(TMP, "east.db")
passed = failed = 0


def check(ok, what, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s%s" % (what, ("\n  " + detail) if detail else ""))


def bcadm(*args, stdin=None):
    return subprocess.run([BCADM, "-s", STORE] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=60)


class Console:
    """bcadm console on a pty; expect() waits for a pattern."""

    def __init__(self):
        env = dict(os.environ, HOME=TMP, TERM="dumb", INPUTRC="/dev/null")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(BCADM, ["bcadm", "-s", STORE], env)
        self.buf = ""
        self.status = None

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            return False
        if not data:
            return False
        # drop terminal control sequences (bracketed paste, cursor moves)
        text = data.decode("utf-8", "replace")
        self.buf += re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)
        return True

    def expect(self, pattern, timeout=5):
        """Consumes output up to the first match of pattern."""
        end = time.time() + timeout
        while True:
            m = re.search(pattern, self.buf)
            if m:
                seen = self.buf[:m.end()]
                self.buf = self.buf[m.end():]
                return seen
            left = end - time.time()
            if left <= 0 or not self.read(left):
                m = re.search(pattern, self.buf)
                if m:
                    continue
                return None

    def send(self, keys):
        os.write(self.fd, keys.encode())

    def wait(self, timeout=5):
        end = time.time() + timeout
        while time.time() < end:
            pid, st = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(st)
                return self.status
            self.read(0.1)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        return None


def main():
    r = subprocess.run([BCADM, "-s", STORE, "init", "--site", "east"])
    assert r.returncode == 0
    for cmd in (["dn", "add", "5001", "--type", "extension"],
                ["place", "add", "Sales Desk 1"]):
        assert bcadm(*cmd).returncode == 0

    c = Console()
    check(c.expect(r"east> ") is not None, "prompt shows the site",
          repr(c.buf))

    # completion of a command word, then of a DN number from the store
    c.send("dn sh\t")
    check(c.expect(r"dn show ") is not None, "Tab completes 'dn sh'",
          repr(c.buf))
    c.send("50\t")
    check(c.expect(r"5001") is not None, "Tab completes a DN number",
          repr(c.buf))
    c.send("\r")
    check(c.expect(r"type: extension") is not None, "dn show runs",
          repr(c.buf))
    c.expect(r"east> ")

    # completion of an option and of a quoted place name
    c.send("dn list --ty\t")
    check(c.expect(r"--type ") is not None, "Tab completes an option",
          repr(c.buf))
    c.send("ext\t\r")
    check(c.expect(r"5001\s+extension") is not None,
          "Tab completes a DN type", repr(c.buf))
    c.expect(r"east> ")
    c.send('place show "Sal\t')
    check(c.expect(r'Sales Desk 1" ') is not None,
          "Tab completes a place name with spaces", repr(c.buf))
    c.send("\r")
    check(c.expect(r"name: Sales Desk 1") is not None, "place show runs",
          repr(c.buf))
    c.expect(r"east> ")

    # history: the arrow up recalls the last command
    c.send("dn show 5001 --format json\r")
    c.expect(r"east> ")
    c.send("\x1b[A")
    time.sleep(0.3)
    c.send("\r")
    check(c.expect(r'"number": "5001"') is not None,
          "arrow up recalls the last command", repr(c.buf))
    c.expect(r"east> ")

    # Ctrl-C drops the line being typed; the console goes on
    c.send("dn add 777 --type trunk")
    time.sleep(0.3)
    c.send("\x03")
    check(c.expect(r"east> ") is not None, "Ctrl-C gives a new prompt",
          repr(c.buf))
    c.send("dn list\r")
    out = c.expect(r"east> ")
    check(out is not None and "777" not in out and "5001" in out,
          "Ctrl-C ran nothing", repr(out))

    # an error prints its message and the console goes on
    c.send("dn show 999\r")
    out = c.expect(r"east> ")
    check(out is not None and "bcadm: dn '999' does not exist" in out,
          "an error is reported and the console goes on", repr(out))

    # a transaction committed, one rolled back
    c.send("begin\r")
    check(c.expect(r"east \(tx\)> ") is not None,
          "the prompt shows an open transaction", repr(c.buf))
    c.send("dn add 100 --type trunk\r")
    c.expect(r"east \(tx\)> ")
    check(bcadm("dn", "show", "100").returncode == 65,
          "an open transaction is not visible to others")
    c.send("commit\r")
    c.expect(r"east> ")
    check(bcadm("dn", "show", "100").returncode == 0,
          "commit writes the transaction")
    c.send("begin\r")
    c.expect(r"\(tx\)> ")
    c.send("dn add 101 --type trunk\r")
    c.expect(r"\(tx\)> ")
    c.send("dn add 101 --type trunk\r")
    out = c.expect(r"\(tx\)> ")
    check(out is not None and "already exists" in out,
          "a failed command keeps the transaction open", repr(out))
    c.send("rollback\r")
    c.expect(r"east> ")
    check(bcadm("dn", "show", "101").returncode == 65,
          "rollback undoes the transaction")

    # leaving with a transaction open asks first
    c.send("begin\r")
    c.expect(r"\(tx\)> ")
    c.send("dn add 102 --type trunk\r")
    c.expect(r"\(tx\)> ")
    c.send("\x04")
    check(c.expect(r"roll it back and leave\? \[y/N\] ") is not None,
          "Ctrl-D with a transaction open asks", repr(c.buf))
    c.send("n\r")
    check(c.expect(r"east \(tx\)> ") is not None,
          "answering no stays in the console", repr(c.buf))
    c.send("commit\r")
    c.expect(r"east> ")
    c.send("exit\r")
    check(c.wait() == 0, "exit leaves with status 0", str(c.status))
    check(bcadm("dn", "show", "102").returncode == 0,
          "the transaction committed after the question")
    hist = open(os.path.join(TMP, ".bcadm_history")).read()
    check("dn show 5001 --format json" in hist,
          "history is saved in ~/.bcadm_history")

    # script mode: comments, quoting, a transaction, first error stops
    script = os.path.join(TMP, "batch.bcadm")
    with open(script, "w") as f:
        f.write("# a batch\n"
                "begin\n"
                "login add 2001\n"
                "place add 'Desk \"A\"'   # a trailing comment\n"
                "commit\n"
                "dn add 5001 --type extension\n"
                "login add 2002\n")
    r = bcadm("-f", script)
    check(r.returncode == 65, "script stops at the first error (65)",
          str(r.returncode))
    check(r.stderr == "bcadm: %s:6: dn '5001' (extension) already "
          "exists\n" % script, "the error names FILE:LINE", repr(r.stderr))
    check(bcadm("login", "show", "2001").returncode == 0 and
          bcadm("place", "show", 'Desk "A"').returncode == 0,
          "the committed part of the script is written")
    check(bcadm("login", "show", "2002").returncode == 65,
          "nothing after the error runs")
    check("east>" not in r.stdout, "no prompt in script mode")

    r = bcadm("console", stdin="begin\nlogin add 3001\n")
    check(r.returncode == 65 and "rolled back" in r.stderr,
          "an unfinished transaction at the end is rolled back (65)",
          "%d %r" % (r.returncode, r.stderr))
    check(bcadm("login", "show", "3001").returncode == 65,
          "the unfinished transaction wrote nothing")
    r = bcadm("console", stdin="login add 3002\ndn list --format json\n")
    check(r.returncode == 0 and r.stdout.startswith("[") and
          "east>" not in r.stdout, "bcadm console < FILE runs quietly",
          "%d %r" % (r.returncode, r.stdout))
    r = bcadm("console", stdin='login add "3003\n')
    check(r.returncode == 64 and "stdin:1: unterminated" in r.stderr,
          "an unterminated quote is a usage error with its line",
          "%d %r" % (r.returncode, r.stderr))
    r = bcadm("begin")
    check(r.returncode == 64 and "only in the console" in r.stderr,
          "begin outside the console is refused (64)", r.stderr)


try:
    main()
finally:
    shutil.rmtree(TMP, ignore_errors=True)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
