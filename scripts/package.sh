#!/usr/bin/env bash
# The release artifacts, built and checked end to end:
#   1. META.json against the PGXN Meta Spec 1.0.0 (test/package/meta.pl)
#   2. `make dist`: customers-X.Y.Z.zip, the zip PGXN takes, and its contents
#   3. the Debian source and binary packages, built from that zip and debian/
#      as Debian builds PostgreSQL extensions (dpkg-buildpackage, pg_buildext
#      for each supported major); without dh_pgxs_test's run of the suites
#      against the built files (DEB_BUILD_OPTIONS=nocheck), as step 4 runs
#      them against the installed ones
#   4. the binary packages installed, and debian/tests/installcheck (the
#      autopkgtest: pg_buildext installcheck, the regression and isolation
#      suites on a throwaway cluster) against the installed files
#   5. the previous release's package (built from its commit named in
#      CHANGELOG.md) installed, databases filled, the package upgraded to
#      this one: every database works at the old version, then updates
#      (test/package/upgrade.sh)
#   6. the packages purged, and any customers files that a `make install`
#      had left in the system's directories put back as they were.
#
#   bash scripts/package.sh      # as root; installs what it needs
#   PACKAGE_OUT=dist bash scripts/package.sh   # ... and keeps what it built in dist/
#
# The packages are built from the commit HEAD (what `make dist` packs), so
# uncommitted changes are not in them. Installing writes into the system's
# PostgreSQL (/usr/lib/postgresql/NN, /usr/share/postgresql/NN); a lock
# keeps two runs apart. Last line: "package: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/deps.sh || exit 1
export PATH=/usr/lib/postgresql/15/bin:$PATH # pg_config for `make dist`
# pg_virtualenv makes its own clusters (and would reuse an inherited port)
unset PGHOST PGPORT PGUSER PGDATABASE

passed=0
failed=0
record() { # record NAME ok|fail
	if [[ $2 == ok ]]; then
		passed=$((passed + 1))
		echo "package: $1 ... ok" >&2
	else
		failed=$((failed + 1))
		echo "package: $1 ... FAILED" >&2
	fi
}
# Count a TAP or pg_regress log's results; a failed command without a
# failed result line still counts as one failure.
record_log() { # record_log LOG STATUS
	local p f
	p=$(grep -cE '^ok [0-9]+ |\.\.\. ok( |$)' "$1" || true)
	f=$(grep -cE '^not ok [0-9]+ |\.\.\. (FAILED|failed)' "$1" || true)
	((f > 0 || $2 == 0)) || f=1
	passed=$((passed + p))
	failed=$((failed + f))
}
summary() { echo "package: $passed passed, $failed failed"; }
apt_quiet() { # apt-get, waiting for other installs to finish
	DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o DPkg::Lock::Timeout=600 \
		--no-install-recommends "$@" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; return 1; }
}

name=$(sed -n 's/^EXTENSION *= *//p' Makefile)
version=$(sed -n 's/^EXTVERSION *= *//p' Makefile)
[[ $(git status --porcelain --untracked-files=no) ]] &&
	echo "package.sh: uncommitted changes are not in the packages (built from HEAD)" >&2

# One run at a time: the system's PostgreSQL directories are shared.
exec 9>/run/lock/customers-package.lock
flock -w 3600 9 || { echo "package.sh: another run holds the lock" >&2; record lock fail; summary; exit 1; }

work=$(mktemp -d /tmp/customers-package.XXXXXX)
chmod 755 "$work" # the postgres user reads the trees under it
backup=$work/backup

# customers files in the system's directories that no package owns (a
# `make install`): moved aside so only the package's files are tested
hide_installed_files() {
	local f
	for f in /usr/lib/postgresql/*/lib/"$name".so /usr/lib/postgresql/*/lib/bitcode/"$name".index.bc \
		/usr/lib/postgresql/*/lib/bitcode/"$name" /usr/share/postgresql/*/extension/"$name".control \
		/usr/share/postgresql/*/extension/"$name"--*.sql; do
		[[ -e $f ]] || continue
		dpkg -S "$f" >/dev/null 2>&1 && continue
		mkdir -p "$backup$(dirname "$f")"
		mv "$f" "$backup$f"
	done
}
restore_installed_files() {
	[[ -d $backup ]] && cp -a "$backup"/. / && rm -rf "$backup"
}
purge_packages() {
	local installed
	installed=$(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "postgresql-*-$name" 2>/dev/null |
		awk '$1 == "installed" {print $2}')
	[[ -z $installed ]] || apt_quiet purge $installed
}
on_exit() {
	local rc=$?
	purge_packages || echo "package.sh: could not purge the package" >&2
	restore_installed_files
	rm -rf "$work"
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- 1. META.json -----------------------------------------------------------
echo "== PGXN META.json" >&2
perl test/package/meta.pl --tree . META.json >"$work/meta.log" 2>&1
record_log "$work/meta.log" $?
grep -E '^not ok|^#' "$work/meta.log" >&2

# --- 2. the release zip -----------------------------------------------------
echo "== make dist" >&2
zip=$work/$name-$version.zip
if make -s dist DIST_ZIP="$zip" && unzip -Z1 "$zip" >"$work/zip.list"; then
	record "make dist: $name-$version.zip" ok
	top=$(cut -d/ -f1 "$work/zip.list" | sort -u)
	[[ $top == "$name-$version" ]] && record "one top directory $name-$version/" ok ||
		record "one top directory $name-$version/ (has: $top)" fail
	missing=()
	for f in META.json Makefile "$name.control" README.md CHANGELOG.md "sql/$name.sql" \
		"sql/$name--0.1.0.sql" "sql/$name--0.1.0--$version.sql" "src/$name.c" test/expected/00_setup.out; do
		grep -qxF "$name-$version/$f" "$work/zip.list" || missing+=("$f")
	done
	((${#missing[@]} == 0)) && record "the zip has the sources, scripts, tests and docs" ok ||
		record "the zip has the sources, scripts, tests and docs (missing: ${missing[*]})" fail
	# test outputs, build files, generated scripts, git, CI and Debian files
	junk=$(grep -E '(^|/)\.git(/|$)|\.(o|so|bc|a|zip|deb)$|^[^/]+/(results|tmp_check|tmp_check_iso|log|output_iso|\.ci|debian)/|/node_modules/|regression\.(diffs|out)$|/sql/'"$name--$version"'\.sql$' \
		"$work/zip.list" || true)
	[[ -z $junk ]] && record "no test outputs, build, git, CI or Debian files in the zip" ok ||
		record "no test outputs, build, git, CI or Debian files in the zip (has: $junk)" fail
	unzip -q "$zip" -d "$work"
	perl test/package/meta.pl --tree "$work/$name-$version" "$work/$name-$version/META.json" \
		>"$work/meta-dist.log" 2>&1 && record "the zip's META.json" ok || record "the zip's META.json" fail
else
	record "make dist" fail
	summary
	exit 1
fi

# --- 3. Debian packages from the zip and debian/ -----------------------------
# prepare_source DIR UPSTREAM-VERSION: DIR holds the upstream tree; add
# debian/ of HEAD for the majors this machine has, and the orig tarball
prepare_source() {
	local dir=$1 upstream=$2
	# (the tree debian/ itself: the root's .gitattributes leaves it out of HEAD's archive)
	git archive --prefix=debian/ HEAD:debian | tar -x -C "$dir" &&
		(cd "$dir" && pg_buildext updatecontrol) &&
		tar -C "$(dirname "$dir")" -czf "$(dirname "$dir")/${name}_$upstream.orig.tar.gz" "$(basename "$dir")"
}
echo "== Debian packages" >&2
deb_version=$(cd "$work" && git -C "$root" show HEAD:debian/changelog >changelog && dpkg-parsechangelog -l changelog -S Version)
[[ ${deb_version%-*} == "$version" ]] && record "debian/changelog's $deb_version is release $version" ok ||
	record "debian/changelog's $deb_version is release $version" fail
start=$SECONDS
if prepare_source "$work/$name-$version" "$version" >"$work/build.log" 2>&1 &&
	(cd "$work/$name-$version" && DEB_BUILD_OPTIONS=nocheck nice dpkg-buildpackage -us -uc) \
		>>"$work/build.log" 2>&1; then
	record "dpkg-buildpackage $deb_version ($((SECONDS - start)) s)" ok
else
	tail -n 80 "$work/build.log" >&2
	record "dpkg-buildpackage $deb_version ($((SECONDS - start)) s)" fail
	summary
	exit 1
fi
mapfile -t debs < <(find "$work" -maxdepth 1 -name "postgresql-*-${name}_${deb_version}_*.deb" | sort)
for deb in "${debs[@]}"; do
	major=$(basename "$deb" | cut -d- -f2)
	contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
	missing=()
	for f in "usr/lib/postgresql/$major/lib/$name.so" "usr/share/postgresql/$major/extension/$name.control" \
		"usr/share/postgresql/$major/extension/$name--$version.sql" \
		"usr/share/postgresql/$major/extension/$name--0.1.0.sql" \
		"usr/share/postgresql/$major/extension/$name--0.1.0--$version.sql"; do
		grep -qxF "./$f" <<<"$contents" || missing+=("$f")
	done
	((${#missing[@]} == 0)) && record "$(basename "$deb") holds the library and every install and upgrade script" ok ||
		record "$(basename "$deb") (missing: ${missing[*]})" fail
done
((${#debs[@]} > 0)) || { record "binary packages built" fail; summary; exit 1; }

# --- 4. installed, and the autopkgtest against the installed files ----------
echo "== installcheck of the installed packages" >&2
purge_packages
hide_installed_files
if apt_quiet install "${debs[@]}"; then
	record "apt-get install ${debs[*]##*/}" ok
	for deb in "${debs[@]}"; do # the install check the docs show, on each major
		major=$(basename "$deb" | cut -d- -f2)
		got=$(NONROOT=1 PGOPTIONS='-c client_min_messages=warning' pg_virtualenv -v "$major" \
			psql -X -q -At -v ON_ERROR_STOP=1 \
			-f test/package/verify.sql 2>&1 | grep -v '^Creating\|^Dropping')
		[[ $got == "$version"$'\n'SUCCESS ]] && record "PostgreSQL $major: test/package/verify.sql" ok ||
			record "PostgreSQL $major: test/package/verify.sql (got: $got)" fail
	done
	# the test runs from the unpacked source package, as autopkgtest runs it
	dpkg-source -x "$work/${name}_$deb_version.dsc" "$work/check" >/dev/null
	start=$SECONDS
	(cd "$work/check" && NONROOT=1 debian/tests/installcheck) >"$work/installcheck.log" 2>&1
	rc=$?
	record_log "$work/installcheck.log" $rc
	((rc == 0)) || tail -n 80 "$work/installcheck.log" >&2
	echo "package: installcheck took $((SECONDS - start)) s" >&2
else
	record "apt-get install ${debs[*]##*/}" fail
fi
purge_packages

# --- 5. upgrade from the previous release's package --------------------------
# CHANGELOG.md names each release's commit: "## X.Y.Z (date, commit C)"
echo "== package upgrade" >&2
read -r old_version old_commit < <(sed -n 's/^## \([0-9][0-9.]*\) (.*commit \([0-9a-f]*\)).*/\1 \2/p' CHANGELOG.md |
	grep -v "^$version " | head -n 1)
old_dir=$work/old/$name-${old_version:-none}
if [[ -z ${old_commit:-} ]]; then
	record "a previous release in CHANGELOG.md" fail
elif ! git cat-file -e "$old_commit^{commit}" 2>/dev/null; then
	record "release $old_version's commit $old_commit is in this clone's history" fail
else
	mkdir -p "$old_dir"
	git archive "$old_commit" | tar -x -C "$old_dir"
	start=$SECONDS
	# debian/ of HEAD, its changelog from the old release's entry down
	prepare_source "$old_dir" "$old_version" >"$work/build-old.log" 2>&1
	if ! grep -q "^$name ($old_version-" "$old_dir/debian/changelog" 2>/dev/null; then
		record "debian/changelog has an entry for release $old_version" fail
	else
		sed -i -n "/^$name ($old_version-/,\$p" "$old_dir/debian/changelog"
		if (cd "$old_dir" && DEB_BUILD_OPTIONS=nocheck nice dpkg-buildpackage -us -uc -b) \
			>>"$work/build-old.log" 2>&1; then
			record "package of release $old_version built ($((SECONDS - start)) s)" ok
			mapfile -t old_debs < <(find "$work/old" -maxdepth 1 -name "postgresql-*-${name}_${old_version}-*.deb" | sort)
			if apt_quiet install "${old_debs[@]}"; then
				start=$SECONDS
				major=$(basename "${old_debs[0]}" | cut -d- -f2)
				NONROOT=1 pg_virtualenv -v "$major" \
					bash test/package/upgrade.sh "$old_version" "$version" "${debs[@]}" \
					>"$work/upgrade.log" 2>&1
				rc=$?
				cat "$work/upgrade.log" >&2
				record_log "$work/upgrade.log" $rc
				echo "package: the upgrade check took $((SECONDS - start)) s" >&2
			else
				record "apt-get install ${old_debs[*]##*/}" fail
			fi
		else
			tail -n 60 "$work/build-old.log" >&2
			record "package of release $old_version built" fail
		fi
	fi
fi

# --- 6. purged ----------------------------------------------------------------
purge_packages
if [[ -n ${PACKAGE_OUT:-} ]]; then
	mkdir -p "$PACKAGE_OUT"
	cp "$zip" "${debs[@]}" "$work/${name}_$deb_version".{dsc,debian.tar.xz} "$work/${name}_$version.orig.tar.gz" "$PACKAGE_OUT/"
	echo "package.sh: the zip, source and binary packages are in $PACKAGE_OUT" >&2
fi
left=$(find /usr/lib/postgresql/*/lib /usr/share/postgresql/*/extension -maxdepth 1 -name "$name[.-]*" 2>/dev/null)
[[ -z $left ]] && record "apt-get purge leaves no $name files behind" ok ||
	record "apt-get purge leaves no $name files behind (left: $left)" fail

summary
((failed == 0))
