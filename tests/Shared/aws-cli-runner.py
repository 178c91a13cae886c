"""Runs AWS CLI commands in one long-lived process, one JSON request per line on stdin, one JSON answer per line on
stdout: {"args": [...], "env": {"AWS_...": "..."}} -> {"rc": 0, "stdout": "...", "stderr": "..."}.

Each command goes through the CLI's own driver (create_clidriver().main), exactly as the aws program runs it: its
argument parsing, shorthand syntax, request building and output. Only the start-up (importing the CLI and botocore,
about half a second of CPU) is paid once instead of per command. Needs an importable awscli (the CLI v1 from pip);
the caller falls back to one aws process per command otherwise.
"""
import contextlib
import io
import json
import os
import sys

BEFORE = dict(os.environ)
from awscli.clidriver import create_clidriver  # noqa: E402 (what it sets on import is told apart below)

# What the CLI set for itself on import (AWS_DATA_PATH, where its own data lives): kept under the caller's settings.
OWN = {name: value for name, value in os.environ.items() if name.startswith('AWS_') and BEFORE.get(name) != value}


def run(request):
    # The caller's AWS_* settings at the time of the command, and no others.
    for name in [n for n in os.environ if n.startswith('AWS_')]:
        os.environ.pop(name, None)
    os.environ.update(OWN)
    os.environ.update(request.get('env') or {})
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(request['args'])
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else 1
        except Exception as e:  # the CLI reports its own errors; anything else is still an answer, not a dead runner
            err.write('%s: %s\n' % (type(e).__name__, e))
            rc = 255
    return {'rc': rc, 'stdout': out.getvalue(), 'stderr': err.getvalue()}


def main():
    answers = sys.stdout
    answers.write(json.dumps({'ready': True}) + '\n')
    answers.flush()
    for line in sys.stdin:
        if line.strip():
            answers.write(json.dumps(run(json.loads(line))) + '\n')
            answers.flush()


if __name__ == '__main__':
    main()
