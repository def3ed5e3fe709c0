#!/usr/bin/env bash
# Install seavis_mm and the OpenMMLab stack that works on the CPU into a
# virtualenv (default .venv). Safe to re-run; pip's wheel cache makes the
# second run fast (the mmcv build is cached as a wheel).
#
# Users with a CUDA torch and an OpenMMLab mmcv wheel already installed can
# skip all of this and run `pip install -e .` (see docs/en/get_started.md).
set -euo pipefail
VENV=${1:-.venv}
PYTHON=${PYTHON:-python3}

# Debian programs: ffmpeg (live capture devices, the live tests' publisher)
# and chromium (the web page's browser test, driven by Playwright).
APT_PACKAGES=()
command -v ffmpeg >/dev/null 2>&1 || APT_PACKAGES+=(ffmpeg)
[ -x /usr/bin/chromium ] || APT_PACKAGES+=(chromium)
if [ ${#APT_PACKAGES[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            "${APT_PACKAGES[@]}" >/dev/null
    else
        echo "tools/install.sh: not installing ${APT_PACKAGES[*]} (needs root and" \
             "apt-get): install them yourself (Debian/Ubuntu: sudo apt-get install" \
             "${APT_PACKAGES[*]}); the live-source and web-page tests skip without them" >&2
    fi
fi

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
PIP="$VENV/bin/python -m pip"
$PIP install -q --upgrade 'pip>=24'
# torch 2.13.0 CPU (from local disk on these machines); setuptools<81 keeps
# pkg_resources, which mmcv 2.1.0's setup.py and mim 0.3.9 import.
$PIP install -q torch==2.13.0 -r requirements/build.txt
# mmcv 2.1.0 with its CPU ops, built from source (about 10 minutes the first
# time with ninja on 2 cores, then cached by pip as a wheel).
if ! "$VENV/bin/python" -c 'import mmcv.ops' 2>/dev/null; then
    MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-2} \
        $PIP install -q --no-build-isolation mmcv==2.1.0
fi
$PIP install -q -r requirements/mminstall.txt
# openmim without its opendatalab -> openxlab chain (pins setuptools~=60.2)
$PIP install -q --no-deps openmim==0.3.9
$PIP install -q -r requirements/mim.txt
$PIP install -q -r requirements/runtime.txt -r requirements/web.txt \
    -r requirements/tests.txt
$PIP install -q --no-build-isolation --no-deps -e .
"$VENV/bin/python" -c 'import seavis_mm, mmdet, mmcv.ops; print("seavis_mm", seavis_mm.__version__, "mmdet", mmdet.__version__, "mmcv", mmcv.__version__)'
