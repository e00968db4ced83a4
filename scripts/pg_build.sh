#!/usr/bin/env bash
# Build a PostgreSQL major that Debian 12 has no binaries of, from Debian's own
# source package, into a prefix of its own outside the repository, and print
# its bin directory:
#
#   PG_BINDIR=$(bash scripts/pg_build.sh 18)
#
# 15 is Debian 12's own package and is only printed. For another major the
# source package is fetched from a newer suite (SUITES below) through a private
# apt configuration: its own deb-src list on this machine's Debian mirror and
# its own state and cache directories, so the machine's apt sources are never
# read or changed. The build holds what the test suites need: the server,
# pg_upgrade and pgbench, contrib's pg_trgm, btree_gin, amcheck and pageinspect, the
# isolation tester and the TAP modules (--enable-tap-tests), all installed
# into PGXS so `make installcheck` finds them.
#
# A stamp file in the prefix names the tarball and the configure flags; a later
# run that finds a matching stamp prints the bin directory at once, so only a
# machine's first run pays for the build. Progress goes to stderr, the build
# log to $PG_BUILD_ROOT/pgN.log; exit status 2 means "this major cannot be had
# here" (no source package, or its files cannot be downloaded).
set -euo pipefail

major=${1:?usage: pg_build.sh MAJOR}
root=${PG_BUILD_ROOT:-/var/cache/customers}
prefix=$root/pg$major
stamp=$prefix/customers-build.stamp

# Debian's own package of 15 (scripts/deps.sh installs it)
if [[ $major == 15 ]]; then
	echo "${PG15_BINDIR:-/usr/lib/postgresql/15/bin}"
	exit 0
fi

declare -A SUITES=([16]=trixie [17]=trixie [18]=sid)
suite=${SUITES[$major]:-}
if [[ -z $suite ]]; then
	echo "pg_build.sh: no Debian suite known for PostgreSQL $major" >&2
	exit 2
fi

# Kept small: what configure and the build below need, not the whole of
# Debian's Build-Depends (no docs, LLVM, Kerberos, LDAP, ...).
build_deps=(gcc make bison flex perl bzip2 pkg-config
	libreadline-dev zlib1g-dev libicu-dev libipc-run-perl)
configure_flags=(--enable-tap-tests --with-icu --without-llvm)

log=$root/pg$major.log
contrib_modules=(pg_trgm btree_gin amcheck pageinspect)
want="postgresql-$major source $suite; configure ${configure_flags[*]}; contrib ${contrib_modules[*]}"
if [[ -x $prefix/bin/postgres && -f $stamp ]] && [[ $(head -1 "$stamp") == "$want"* ]]; then
	echo "$prefix/bin"
	exit 0
fi

if ((EUID != 0)); then
	echo "pg_build.sh: PostgreSQL $major is not built yet in $prefix; run as root once" >&2
	exit 1
fi

missing=()
for pkg in "${build_deps[@]}"; do
	[[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) == "install ok installed" ]] ||
		missing+=("$pkg")
done
if ((${#missing[@]})); then
	echo "pg_build.sh: installing ${missing[*]}" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The machine's Debian mirror, read from its own sources (deb822 or one-line).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null |
	grep -v '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?( |$)' | head -1 | tr -d ' ' || true)
mirror=${mirror%/}
mirror=${mirror:-http://deb.debian.org/debian}

# The private apt configuration
apt_dir=$root/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	>"$apt_dir/sources-$suite.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources-$suite.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::Cache=$apt_dir/cache"
	-o APT::Sandbox::User=root)

src=$root/src/pg$major
rm -rf "$src"
mkdir -p "$src"
echo "pg_build.sh: fetching source package postgresql-$major from $mirror $suite" >&2
apt-get "${apt_opts[@]}" -qq update >&2
if ! (cd "$src" && apt-get "${apt_opts[@]}" -qq source --download-only "postgresql-$major" >&2); then
	echo "pg_build.sh: postgresql-$major cannot be downloaded from suite $suite" >&2
	rm -rf "$src"
	exit 2
fi
tarball=$(find "$src" -maxdepth 1 -name "postgresql-${major}_*.orig.tar.*" | head -1)
[[ -n $tarball ]] || { echo "pg_build.sh: no upstream tarball in $src" >&2; exit 2; }
tar -xf "$tarball" -C "$src"
tree=$(find "$src" -mindepth 1 -maxdepth 1 -type d -name 'postgresql-*' | head -1)

echo "pg_build.sh: building $(basename "$tarball") into $prefix (log: $log)" >&2
start=$SECONDS
rm -rf "$prefix"
jobs=$(nproc)
{
	cd "$tree"
	./configure --prefix="$prefix" "${configure_flags[@]}"
	nice make -j"$jobs"
	make install
	# not part of the top-level install: PGXS's ISOLATION needs these
	nice make -j"$jobs" -C src/test/isolation
	make -C src/test/isolation install
	for module in "${contrib_modules[@]}"; do
		nice make -j"$jobs" -C "contrib/$module"
		make -C "contrib/$module" install
	done
} >"$log" 2>&1 || {
	echo "pg_build.sh: build failed, last lines of $log:" >&2
	tail -30 "$log" >&2
	exit 1
}
chmod -R a+rX "$prefix"
rm -rf "$src"
echo "$want; tarball $(basename "$tarball"); built $(date -u +%FT%TZ) in $((SECONDS - start)) s" >"$stamp"
echo "pg_build.sh: PostgreSQL $major built in $((SECONDS - start)) s" >&2
echo "$prefix/bin"
