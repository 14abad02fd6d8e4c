#!/usr/bin/env bash
# Linker wrapper for the compile-time benchmark: plat runs it through
# PLAT_CC; it runs the real driver (${PLAT_CC_REAL:-cc}) and appends the
# link's wall time in seconds to $PLAT_CC_LOG.
set -euo pipefail
start=$(date +%s%N)
status=0
${PLAT_CC_REAL:-cc} "$@" || status=$?
end=$(date +%s%N)
echo "$(( (end - start) / 1000 ))e-6" >>"${PLAT_CC_LOG:-/dev/null}"
exit "$status"
