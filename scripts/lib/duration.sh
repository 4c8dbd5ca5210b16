# shellcheck shell=bash
# Sourced by the scripts that take a duration argument (fuzz.sh, soak.sh).

# seconds converts a Go-style duration of hours, minutes and seconds (90s, 2m,
# 4h, 1h30m) to whole seconds.
seconds() {
	local d=$1 total=0 n unit
	if [[ ! $d =~ ^([0-9]+[hms])+$ ]]; then
		echo "not a duration: $d (use forms like 90s, 2m, 4h, 1h30m)" >&2
		return 1
	fi
	while [[ $d =~ ^([0-9]+)([hms])(.*)$ ]]; do
		n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]} d=${BASH_REMATCH[3]}
		case $unit in
		h) total=$((total + 10#$n * 3600)) ;;
		m) total=$((total + 10#$n * 60)) ;;
		s) total=$((total + 10#$n)) ;;
		esac
	done
	echo "$total"
}
