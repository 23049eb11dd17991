#!/usr/bin/python3
"""workflow.py - check harness/ci/github-actions.yml as GitHub would read it, and write out its steps.

    tests/ci/workflow.py WORKFLOW.yml DIR

Parses the workflow as YAML (Debian's python3-yaml: make deps installs it) and checks what the gate
needs: triggers push and pull_request; a job `gate` whose checkout has the whole history
(fetch-depth 0), a step `base` that finds the commit to compare with, and a step that runs
harness/ci/gate.sh with it; every `uses:` pinned to a major version. Writes each step's `run:`
script to DIR/JOB-ID.sh (ID the step's id, else its number from 1), the expression ${{ steps.base.outputs.sha }} as "$BASE_SHA",
others as their environment variable where the step maps one (env: NAME: ${{ ... }}), else "X", and
checks that bash parses each one (bash -n), under `set -eo pipefail` as GitHub runs it. Prints one
line per script written: JOB-ID.sh NAME.
Exit 0 when all holds, 1 with the reason on stderr."""
import os
import re
import subprocess
import sys

import yaml


def fail(msg):
    sys.stderr.write("workflow.py: %s\n" % msg)
    sys.exit(1)


def main():
    if len(sys.argv) != 3:
        fail("usage: workflow.py WORKFLOW.yml DIR")
    path, out = sys.argv[1], sys.argv[2]
    with open(path) as f:
        try:
            wf = yaml.safe_load(f)
        except yaml.YAMLError as e:
            fail("%s: not YAML: %s" % (path, e))
    # YAML 1.1 reads the key `on` as True
    on = wf.get("on", wf.get(True))
    if not isinstance(on, dict) or "push" not in on or "pull_request" not in on:
        fail("%s: triggers push and pull_request expected, got %r" % (path, on))
    jobs = wf.get("jobs")
    if not isinstance(jobs, dict) or "gate" not in jobs:
        fail("%s: no job 'gate'" % path)
    gate = jobs["gate"].get("steps") or []
    checkout = [s for s in gate if str(s.get("uses", "")).startswith("actions/checkout@")]
    if not checkout or (checkout[0].get("with") or {}).get("fetch-depth") != 0:
        fail("%s: the gate's checkout must fetch the whole history (fetch-depth: 0)" % path)
    if not any(s.get("id") == "base" and "run" in s for s in gate):
        fail("%s: the gate has no step 'base' that finds the commit to compare with" % path)
    if not any("harness/ci/gate.sh" in str(s.get("run", "")) and "steps.base.outputs.sha" in str(s.get("run", ""))
               for s in gate):
        fail("%s: no gate step runs harness/ci/gate.sh with steps.base.outputs.sha" % path)
    os.makedirs(out, exist_ok=True)
    for job, spec in jobs.items():
        if not isinstance(spec, dict) or not spec.get("runs-on") or not isinstance(spec.get("steps"), list):
            fail("%s: job %s needs runs-on and steps" % (path, job))
        for n, step in enumerate(spec["steps"], 1):
            uses = step.get("uses")
            if uses and not re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", uses):
                fail("%s: job %s step %d: uses %r is not pinned to a major version" % (path, job, n, uses))
            if "run" not in step:
                continue
            env = {v.strip(): k for k, v in (step.get("env") or {}).items()}
            script = step["run"].replace("${{ steps.base.outputs.sha }}", "$BASE_SHA")
            script = re.sub(r"\$\{\{[^}]*\}\}", lambda m: "$" + env[m.group(0)] if m.group(0) in env else "X", script)
            name = "%s-%s.sh" % (job, step.get("id") or n)
            with open(os.path.join(out, name), "w") as f:
                f.write("set -eo pipefail\n" + script)
            r = subprocess.run(["bash", "-n", os.path.join(out, name)], capture_output=True, text=True)
            if r.returncode:
                fail("%s: job %s step %d does not parse: %s" % (path, job, n, r.stderr.strip()))
            print(name, step.get("id") or step.get("name", ""))


main()
