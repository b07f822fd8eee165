#!/usr/bin/env bash
# Reads the Surefire reports and prints totals, with the kernel-tagged tests (see testkit's
# KernelCondition, which lists them under each module's target/) counted apart. With CI=true a
# skipped kernel test is a failure: CI must never pass by skipping.
set -euo pipefail
python3 - <<'PY'
import glob, os, sys, xml.etree.ElementTree as ET
tot = fail = err = skip = 0
for f in glob.glob('*/target/surefire-reports/TEST-*.xml'):
    for tc in ET.parse(f).getroot().iter('testcase'):
        tot += 1
        if tc.find('failure') is not None: fail += 1
        elif tc.find('error') is not None: err += 1
        elif tc.find('skipped') is not None: skip += 1
def count(name):
    return sum(len(open(f).read().split()) for f in glob.glob('*/target/' + name))
kernel_run, kernel_skip = count('kernel-tests-run.txt'), count('kernel-tests-skipped.txt')
print(f"test summary: {tot} tests, {fail} failures, {err} errors, {skip} skipped; "
      f"kernel-tagged tests run: {kernel_run}, skipped: {kernel_skip}")
bad = fail + err
if os.environ.get('CI', '').lower() == 'true' and kernel_skip:
    print("test summary: CI=true and kernel tests were skipped: failing", file=sys.stderr); bad += 1
if tot == 0:
    print("test summary: no test ran", file=sys.stderr); bad += 1
sys.exit(1 if bad else 0)
PY
